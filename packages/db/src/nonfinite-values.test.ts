// A diverged run's NaN and infinite values are stored, not dropped: in the row tail (SQLite keeps a NaN as
// NULL, read back as NaN), through sealing into blocks, and in every read (columns, summaries, buckets).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { readBuckets } from "./chart-queries.ts";
import { IngestWriter, type MetricPoint } from "./metrics.ts";
import { readSeriesColumns, readStepValues, sealRun, seriesSummary } from "./metric-blocks.ts";
import { openStore } from "./open.ts";
import { firstNonFinite, runMetrics } from "./run-metrics.ts";

const dir = mkdtempSync(join(tmpdir(), "nonfinite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALUES = [0.9, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.25];

function check(store: ReturnType<typeof openStore>, when: string) {
  const c = readSeriesColumns(store.sqlite, "r", "train/loss");
  expect([...c.value], when).toEqual(VALUES);
  expect([...c.step], when).toEqual([1, 2, 3, 4, 5, 6]);
  const summary = seriesSummary(store.sqlite, "r", "train/loss")!;
  expect(summary.last, when).toBe(0.25);
  const runs = readStepValues(store.sqlite, "r", "train/loss")!;
  expect(runs.flatMap((r) => [...r.value]), when).toEqual(VALUES);
  const buckets = readBuckets(store.sqlite, "r", "train/loss", { maxPoints: 100 });
  expect(buckets.step.length, when).toBe(6);
}

it("stores NaN and infinities in the tail and in sealed blocks", () => {
  const store = openStore(join(dir, "t.db"));
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status) VALUES ('r', 'r', 'd', '{}', '', 'running')").run();
  const pts: MetricPoint[] = VALUES.map((value, i) => ({ runId: "r", key: "train/loss", step: i + 1, epoch: 1, phase: null, time: 100 + i, value }));
  new IngestWriter(store.sqlite).write({ metrics: pts, events: [], offsets: new Map() });
  check(store, "in the tail");
  expect(runMetrics(store.sqlite, "r").last["train/loss"]).toEqual({ value: 0.25, step: 6 });
  expect(firstNonFinite(store.sqlite, "r", ["train/loss", "val/none"])).toEqual({ "train/loss": { step: 3, value: "NaN" } });
  sealRun(store.sqlite, "r");
  expect(firstNonFinite(store.sqlite, "r", ["train/loss"])).toEqual({ "train/loss": { step: 3, value: "NaN" } });
  expect(store.sqlite.prepare("SELECT count(*) FROM metrics").pluck().get()).toBe(0);
  check(store, "sealed");
  store.close();
});

it("a NaN last value reads back as NaN and travels as \"NaN\"", () => {
  const store = openStore(join(dir, "u.db"));
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status) VALUES ('r', 'r', 'd', '{}', '', 'running')").run();
  new IngestWriter(store.sqlite).write({ metrics: [{ runId: "r", key: "val/loss", step: 1, epoch: 1, phase: null, time: 1, value: Number.NaN }], events: [], offsets: new Map() });
  expect(seriesSummary(store.sqlite, "r", "val/loss")!.last).toBeNaN();
  expect(runMetrics(store.sqlite, "r").last["val/loss"]).toEqual({ value: "NaN", step: 1 });
  store.close();
});
