import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { countPoints, openStore, readSeriesColumns } from "@trainyard/db";
import { sealFinishedRuns } from "./seal-finished.ts";

const dir = mkdtempSync(join(tmpdir(), "seal-finished-"));
const store = openStore(join(dir, "t.db"));
const { sqlite } = store;
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A run as a store written before metric blocks holds it: every point a row of `metrics`. */
function oldStyleRun(id: string, status: string, points: number) {
  sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status) VALUES (?, ?, 'd', '{}', '', ?)").run(id, id, status);
  const ins = sqlite.prepare("INSERT INTO metrics (run_id, key, step, epoch, phase, time, value) VALUES (?, ?, ?, ?, 'all', ?, ?)");
  sqlite.transaction(() => {
    for (let s = 0; s < points; s++) for (const key of ["train/loss", "val/auc"]) ins.run(id, key, s, s >> 9, 1000 + s, Math.cos(s) + key.length);
  })();
}
const rows = (id: string) => sqlite.prepare("SELECT COUNT(*) FROM metrics WHERE run_id = ?").pluck().get(id) as number;

describe("sealing finished runs at daemon start", () => {
  it("moves finished runs' rows into blocks with every point intact, and leaves running runs alone", async () => {
    oldStyleRun("done", "completed", 2500);
    oldStyleRun("crashed", "failed", 300);
    oldStyleRun("live", "running", 2500);
    const before = readSeriesColumns(sqlite, "done", "train/loss");
    expect(await sealFinishedRuns(sqlite, () => true)).toBe(4);
    expect(rows("done")).toBe(0);
    expect(rows("crashed")).toBe(0);
    expect(rows("live")).toBe(5000);
    expect(countPoints(sqlite, "done")).toBe(5000);
    const after = readSeriesColumns(sqlite, "done", "train/loss");
    expect(Array.from(after.value)).toEqual(Array.from(before.value));
    expect(Array.from(after.step)).toEqual(Array.from(before.step));
    expect(Array.from(after.epoch)).toEqual(Array.from(before.epoch));
  });

  it("stops when the daemon is stopping", async () => {
    oldStyleRun("late", "completed", 100);
    expect(await sealFinishedRuns(sqlite, () => false)).toBe(0);
    expect(rows("late")).toBe(200);
  });
});
