// Cold chart reads: what the compare view asks the daemon for (every series bucketed; then the exact
// smoothing over every stored point), from our metric blocks and their group aggregates against the
// layout most code starts with (one SQLite row per point, read in step order), on the same points, in one
// process. Then the same reads on the chart-read worker pool, as charts.series / charts.smoothing run them: a fresh
// pool's first read, with and without the workers' warm-up (medians of 3 alternating pairs).
//   npx tsx bench/web/chart-read.ts [runs=10] [steps=100000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bucketColumns, GROUP_POINTS, IngestWriter, openStore, readBuckets, readSeriesColumns, readSmoothing, sealRun, seriesStride, type MetricPoint, type SeriesColumns,
} from "@trainyard/db";
import { encodeSeries } from "@trainyard/protocol/series-wire";
import type { ChartReadJob } from "../../daemon/src/charts/chart-read-jobs.ts";
import { ChartReadPool, defaultChartThreads } from "../../daemon/src/charts/chart-read-pool.ts";

const RUNS = Number(process.argv[2] ?? 10);
const STEPS = Number(process.argv[3] ?? 100_000);
const KEYS = ["train/loss", "val/loss", "val/auc_macro", "val/map", "train/lr", "train/img_per_s"];
const OPTS = { maxPoints: 400, smoothing: 0.6 };

const dir = mkdtempSync(join(tmpdir(), "bench-chart-read-"));
const file = join(dir, "bench.db");
const store = openStore(file);
const { sqlite } = store;
sqlite.exec("CREATE TABLE rows_ref (run_id TEXT, key TEXT, step INTEGER, epoch INTEGER, time REAL, value REAL)");
sqlite.exec("CREATE INDEX rows_ref_idx ON rows_ref (run_id, key, step)");
const refInsert = sqlite.prepare("INSERT INTO rows_ref VALUES (?, ?, ?, ?, ?, ?)");
const runIds = Array.from({ length: RUNS }, (_, r) => `run-${r}`);
for (const id of runIds) {
  sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status) VALUES (?, ?, 'd', '{}', '', 'completed')").run(id, id);
  const writer = new IngestWriter(sqlite);
  let batch: MetricPoint[] = [];
  for (let s = 1; s <= STEPS; s++) {
    const epoch = Math.ceil((s / STEPS) * 10);
    for (const [k, key] of KEYS.entries()) {
      const value = Math.exp(-s / STEPS) + 0.1 * Math.sin(s * 12.9898 + k * 78.233) + (s % 9973 === 0 ? 3 : 0);
      batch.push({ runId: id, key, step: s, epoch, phase: null, time: 1.76e9 + s * 0.036, value });
    }
    if (batch.length >= 60_000 || s === STEPS) {
      sqlite.transaction(() => {
        for (const p of batch) refInsert.run(p.runId, p.key, p.step, p.epoch, p.time, p.value);
      })();
      writer.write({ metrics: batch, events: [], offsets: new Map() });
      batch = [];
    }
  }
  sealRun(sqlite, id);
}
const BUCKETS = { maxPoints: OPTS.maxPoints };
const bucketJobs: ChartReadJob[] = runIds.flatMap((runId) => KEYS.map((key) => ({ kind: "buckets" as const, runId, key, opts: BUCKETS })));
const smoothJobs: ChartReadJob[] = bucketJobs.map((j) => ({ ...j, kind: "smoothing" as const, opts: OPTS }));

/** The reference: the same bucketing over rows read one by one in step order. */
function readRows(runId: string, key: string, smoothing: number) {
  const rows = sqlite.prepare("SELECT step, epoch, time, value FROM rows_ref WHERE run_id = ? AND key = ? ORDER BY step, rowid").raw().all(runId, key) as number[][];
  const c: SeriesColumns = { length: rows.length, step: new Float64Array(rows.length), epoch: new Float64Array(rows.length), time: new Float64Array(rows.length), value: new Float64Array(rows.length) };
  rows.forEach(([s, e, t, v], i) => ((c.step[i] = s), (c.epoch[i] = e), (c.time[i] = t), (c.value[i] = v)));
  return bucketColumns(c, -1e18, OPTS.maxPoints, smoothing, seriesStride(sqlite, runId, key) * GROUP_POINTS);
}

/** Every point from the blocks, bucketed one by one: what the group aggregates save. */
function readPoints(runId: string, key: string) {
  return bucketColumns(readSeriesColumns(sqlite, runId, key), -1e18, OPTS.maxPoints, 0, seriesStride(sqlite, runId, key) * GROUP_POINTS);
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const points = RUNS * KEYS.length * STEPS;
for (const j of bucketJobs.slice(0, 1)) {
  // warm the page cache and the JIT for every path alike
  readRows(j.runId, j.key, OPTS.smoothing);
  readPoints(j.runId, j.key);
  readBuckets(sqlite, j.runId, j.key, BUCKETS);
  readSmoothing(sqlite, j.runId, j.key, OPTS);
}
const refBuckets = time(() => bucketJobs.forEach((j) => readRows(j.runId, j.key, 0)));
const refSmooth = time(() => bucketJobs.forEach((j) => readRows(j.runId, j.key, OPTS.smoothing)));
const pointBuckets = time(() => bucketJobs.forEach((j) => readPoints(j.runId, j.key)));
const groupBuckets = time(() => bucketJobs.forEach((j) => readBuckets(sqlite, j.runId, j.key, BUCKETS)));
const smooth = time(() => bucketJobs.forEach((j) => readSmoothing(sqlite, j.runId, j.key, OPTS)));
// the wire: base64 typed-array columns (what charts.series sends) against the same buckets as JSON numbers
const buckets = bucketJobs.map((j) => readBuckets(sqlite, j.runId, j.key, BUCKETS));
let wireText = "";
let jsonText = "";
const wireMs = time(() => (wireText = JSON.stringify(buckets.map(encodeSeries))));
const jsonMs = time(() => (jsonText = JSON.stringify(buckets)));
/** A fresh pool's first read of every series (what a daemon's first compare view pays), then its smoothing read. */
async function freshPool(warmup: boolean): Promise<{ buckets: number; smooth: number; warmed: number }> {
  // workers copy the environment when they start (chart-read-warmup.ts reads it there)
  process.env.TRAINYARD_CHART_WARMUP_MS = warmup ? "" : "0";
  if (warmup) delete process.env.TRAINYARD_CHART_WARMUP_MS;
  const pool = new ChartReadPool(sqlite, file, defaultChartThreads());
  while (!pool.started) await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await pool.read(bucketJobs, { priority: 1 });
  const buckets = performance.now() - t0;
  const t1 = performance.now();
  await pool.read(smoothJobs);
  const smooth = performance.now() - t1;
  const warmed = pool.warmed;
  await pool.close();
  return { buckets, smooth, warmed };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const warm: { buckets: number; smooth: number; warmed: number }[] = [];
const unwarmed: { buckets: number; smooth: number; warmed: number }[] = [];
for (let i = 0; i < 3; i++) {
  unwarmed.push(await freshPool(false));
  warm.push(await freshPool(true));
}
const pooledBuckets = median(warm.map((r) => r.buckets));
const unwarmedBuckets = median(unwarmed.map((r) => r.buckets));
const pooledSmooth = median(warm.map((r) => r.smooth));
store.close();
rmSync(dir, { recursive: true, force: true });

const rate = (ms: number) => `${((points / ms) * 1000 / 1e6).toFixed(1)}M points/s`;
const row = (what: string, ms: number, ref: number) => console.log(`  ${what.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms  ${rate(ms).padStart(17)}  ${(ref / ms).toFixed(1)}x`);
console.log(`${bucketJobs.length} series, ${points.toLocaleString("en")} points, ${OPTS.maxPoints} buckets each; ratios against a row per point`);
console.log(`buckets (min / max / last / mean), no smoothing:`);
row("reference: a row per point, read in step order", refBuckets, refBuckets);
row("metric blocks, every point", pointBuckets, refBuckets);
row("metric blocks through group aggregates (charts.series)", groupBuckets, refBuckets);
row(`  the same on ${defaultChartThreads()} fresh chart-read worker(s), first read`, pooledBuckets, refBuckets);
row(`    without its ${warm[0].warmed} warm-up reads (chart-read-warmup.ts)`, unwarmedBuckets, refBuckets);
console.log(`exact smoothing ${OPTS.smoothing} over every point:`);
row("reference: a row per point, read in step order", refSmooth, refSmooth);
row("metric blocks, steps and values only (charts.smoothing)", smooth, refSmooth);
row(`  the same on ${defaultChartThreads()} chart-read worker(s)`, pooledSmooth, refSmooth);
console.log(`on the wire (${bucketJobs.length} series): base64 columns ${(wireText.length / 1e6).toFixed(2)} MB, encoded and printed in ${wireMs.toFixed(0)} ms; as JSON numbers ${(jsonText.length / 1e6).toFixed(2)} MB, printed in ${jsonMs.toFixed(0)} ms`);
