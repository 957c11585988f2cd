import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CSV_CHUNK_ROWS, CSV_HEADER, csvChunks, csvField } from "./csv-export.ts";
import { IngestWriter } from "./metrics.ts";
import { sealRun } from "./metric-blocks.ts";
import { openStore } from "./open.ts";
import { insertRun } from "./runs.ts";

const dir = mkdtempSync(join(tmpdir(), "csv-export-"));
const store = openStore(join(dir, "t.db"));
insertRun(store.db, { id: "r1", name: 'alpha, "v2"', status: "completed", datasetName: "derm", config: {}, configYaml: "" });
insertRun(store.db, { id: "r2", name: "beta", status: "running", datasetName: "derm", config: {}, configYaml: "" });
const N = 20_000;
const value = (i: number) => (i === 12_345 ? 50 : Math.cos(i / 50));
new IngestWriter(store.sqlite).write({
  metrics: Array.from({ length: N }, (_, i) => ({ runId: "r1", key: "train/loss", step: i + 1, epoch: 1 + (i >> 12), phase: null, time: 1000 + i / 4, value: value(i) })),
  events: [],
  offsets: new Map(),
});
sealRun(store.sqlite, "r1"); // sealed into metric blocks
new IngestWriter(store.sqlite).write({
  metrics: [1, 2, 3].map((s) => ({ runId: "r2", key: "val/auc,macro", step: s * 10, epoch: s, phase: null, time: s, value: 0.5 + s / 10 })),
  events: [],
  offsets: new Map(),
}); // r2's points stay unsealed, as a running run's do
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("csvChunks", () => {
  it("exports every stored point, sealed or not, in bounded chunks", () => {
    const chunks = [...csvChunks(store.sqlite, ["r1", "r2"], ["train/loss", "val/auc,macro"])];
    expect(chunks[0]).toBe(CSV_HEADER);
    const rows = chunks.slice(1).map((c) => c.trimEnd().split("\n"));
    expect(Math.max(...rows.map((r) => r.length))).toBe(CSV_CHUNK_ROWS);
    const lines = rows.flat();
    expect(lines).toHaveLength(N + 3);
    expect(lines[12_345]).toBe(`r1,"alpha, ""v2""",train/loss,12346,4,${1000 + 12_345 / 4},50`); // the spike, exactly
    expect(lines.slice(N)).toEqual(['r2,beta,"val/auc,macro",10,1,1,0.6', 'r2,beta,"val/auc,macro",20,2,2,0.7', 'r2,beta,"val/auc,macro",30,3,3,0.8']);
  });

  it("reads nothing for a run or key without points, and quotes only what needs it", () => {
    expect([...csvChunks(store.sqlite, ["nope"], ["train/loss"])]).toEqual([CSV_HEADER]);
    expect(csvField("plain/key")).toBe("plain/key");
    expect(csvField("a\nb")).toBe('"a\nb"');
  });
});
