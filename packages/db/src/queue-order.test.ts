// The runs table's queue positions and the scheduler's queue are one order.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { queuePositions } from "./chart-queries.ts";
import { openStore } from "./open.ts";
import { insertRun, queuedRuns } from "./runs.ts";

const dir = mkdtempSync(join(tmpdir(), "queue-order-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a resumed run queues behind the runs already waiting, in the table as in the scheduler", () => {
  const store = openStore(join(dir, "t.db"));
  const mk = (id: string, extra: object) =>
    insertRun(store.db, { id, name: id, status: "queued", datasetName: "d", config: {}, configYaml: "", priority: 50, ...extra });
  mk("old-resumed", { createdAt: 1, queuedAt: 300 }); // created first, resumed last
  mk("waiting", { createdAt: 2, queuedAt: 200 });
  mk("urgent", { createdAt: 3, queuedAt: 400, priority: 90 });
  mk("legacy", { createdAt: 150, queuedAt: null }); // rows from before queued_at: their creation time
  const scheduler = queuedRuns(store.db).map((r) => r.id);
  expect(scheduler).toEqual(["urgent", "legacy", "waiting", "old-resumed"]);
  expect([...queuePositions(store.sqlite)]).toEqual(scheduler.map((id, i) => [id, i + 1]));
  store.sqlite.close();
});
