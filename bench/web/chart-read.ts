// Cold chart reads: what the compare view asks the daemon for (every series bucketed, with the exact
// smoothing over every stored point), from our metric blocks against the layout most code starts with
// (one SQLite row per point, read in step order), on the same points, in one process. Then the same
// block read on the chart-read worker pool, as charts.series runs it.
//   npx tsx bench/web/chart-read.ts [runs=10] [steps=100000]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bucketColumns, IngestWriter, openStore, readBuckets, sealRun, type MetricPoint, type SeriesColumns } from "@trainyard/db";
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
const jobs = runIds.flatMap((runId) => KEYS.map((key) => ({ runId, key, opts: OPTS })));

/** The reference: the same bucketing over rows read one by one in step order. */
function readRows(runId: string, key: string) {
  const rows = sqlite.prepare("SELECT step, epoch, time, value FROM rows_ref WHERE run_id = ? AND key = ? ORDER BY step, rowid").raw().all(runId, key) as number[][];
  const c: SeriesColumns = { length: rows.length, step: new Float64Array(rows.length), epoch: new Float64Array(rows.length), time: new Float64Array(rows.length), value: new Float64Array(rows.length) };
  rows.forEach(([s, e, t, v], i) => ((c.step[i] = s), (c.epoch[i] = e), (c.time[i] = t), (c.value[i] = v)));
  return bucketColumns(c, -1e18, OPTS.maxPoints, OPTS.smoothing);
}

function time(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const points = RUNS * KEYS.length * STEPS;
readRows(runIds[0], KEYS[0]); // warm the page cache and the JIT for both paths alike
readBuckets(sqlite, runIds[0], KEYS[0], OPTS);
const ref = time(() => jobs.forEach((j) => readRows(j.runId, j.key)));
const ours = time(() => jobs.forEach((j) => readBuckets(sqlite, j.runId, j.key, j.opts)));
const pool = new ChartReadPool(sqlite, file, defaultChartThreads());
while (!pool.started) await new Promise((r) => setTimeout(r, 20));
const tCold = performance.now();
await pool.read(jobs); // a fresh worker's first read: what a daemon's first compare view pays
const pooledFirst = performance.now() - tCold;
const t0 = performance.now();
await pool.read(jobs);
const pooled = performance.now() - t0;
await pool.close();
store.close();
rmSync(dir, { recursive: true, force: true });

const rate = (ms: number) => `${((points / ms) * 1000 / 1e6).toFixed(1)}M points/s`;
console.log(`${jobs.length} series, ${points.toLocaleString("en")} points, ${OPTS.maxPoints} buckets each, smoothing ${OPTS.smoothing}`);
console.log(`reference (a row per point, read in step order): ${ref.toFixed(0)} ms (${rate(ref)})`);
console.log(`metric blocks, one thread:                       ${ours.toFixed(0)} ms (${rate(ours)})  ratio ${(ref / ours).toFixed(1)}x`);
console.log(`metric blocks, ${defaultChartThreads()} chart-read worker(s), first read: ${pooledFirst.toFixed(0)} ms (${rate(pooledFirst)})  ratio ${(ref / pooledFirst).toFixed(1)}x`);
console.log(`metric blocks, ${defaultChartThreads()} chart-read worker(s), next read:  ${pooled.toFixed(0)} ms (${rate(pooled)})  ratio ${(ref / pooled).toFixed(1)}x`);
