import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IngestWriter, openStore, readBuckets, sealRun, type MetricPoint } from "@trainyard/db";
import { groupOldBlocks } from "./group-old-blocks.ts";

const dir = mkdtempSync(join(tmpdir(), "group-old-"));
const store = openStore(join(dir, "t.db"));
const { sqlite } = store;
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const groupedBlocks = () => sqlite.prepare("SELECT COALESCE(SUM(blocks), 0) FROM metric_groups").pluck().get() as number;
const blockRows = () => sqlite.prepare("SELECT COUNT(*) FROM metric_blocks").pluck().get() as number;

describe("group aggregates for blocks sealed before they existed", () => {
  it("fills in every block's aggregates, and the charts read the same buckets from them", async () => {
    for (const id of ["a", "b"]) {
      sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status) VALUES (?, ?, 'd', '{}', '', 'completed')").run(id, id);
      const pts: MetricPoint[] = [];
      for (let s = 0; s < 20_000; s++) for (const key of ["train/loss", "val/auc"]) pts.push({ runId: id, key, step: s, epoch: s >> 12, phase: null, time: s, value: Math.sin(s / 99) + (s === 7777 ? 5 : 0) });
      new IngestWriter(sqlite).write({ metrics: pts, events: [], offsets: new Map() });
      sealRun(sqlite, id);
    }
    const want = readBuckets(sqlite, "a", "train/loss", { maxPoints: 100 });
    sqlite.exec("DELETE FROM metric_groups"); // as a store written by the previous daemon has them
    expect(await groupOldBlocks(sqlite, () => false)).toBe(0);
    expect(groupedBlocks()).toBe(0);
    expect(await groupOldBlocks(sqlite, () => true)).toBe(blockRows());
    expect(groupedBlocks()).toBe(blockRows());
    const got = readBuckets(sqlite, "a", "train/loss", { maxPoints: 100 });
    expect({ ...got, mean: [] }).toEqual({ ...want, mean: [] });
    got.mean.forEach((m, i) => expect(m).toBeCloseTo(want.mean[i], 9));
    expect(Math.max(...got.max)).toBeGreaterThan(4.9); // the spike at step 7777
  });
});

describe("a series whose blocks cannot all be grouped", () => {
  it("is given one try, not retried forever", async () => {
    sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status) VALUES ('gap', 'gap', 'd', '{}', '', 'completed')").run();
    const pts: MetricPoint[] = Array.from({ length: 3 * 1024 }, (_, s) => ({ runId: "gap", key: "loss", step: s, epoch: 0, phase: null, time: s, value: s }));
    new IngestWriter(sqlite).write({ metrics: pts, events: [], offsets: new Map() });
    sealRun(sqlite, "gap");
    sqlite.exec("DELETE FROM metric_blocks WHERE run_id = 'gap' AND seq = 1; DELETE FROM metric_groups WHERE run_id = 'gap'");
    await expect(groupOldBlocks(sqlite, () => true)).resolves.toBeGreaterThan(0);
    // read point by point, from the blocks that are there
    expect(readBuckets(sqlite, "gap", "loss", { maxPoints: 10 }).total).toBe(2 * 1024);
  });
});
