// Metric ingest: our batched path (prepared statements, one transaction per batch of 2,000 points, as
// the daemon's RunIngest flushes) against the reference most code starts with (one autocommitted INSERT
// per point), on the same SQLite file settings (WAL, synchronous=NORMAL), the same points, in one process.
//   npx tsx bench/daemon/ingest-batching.ts [points]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IngestWriter, openStore, type MetricPoint } from "@trainyard/db";

const N = Number(process.argv[2] ?? 200_000);
const REF_N = Math.min(N, 20_000); // the reference is slow; measured on a slice and reported per point

function points(runId: string, n: number): MetricPoint[] {
  return Array.from({ length: n }, (_, i) => ({ runId, key: `train/m${i % 8}`, step: i >> 3, epoch: 1, phase: "heads", time: 1e9 + i, value: Math.sin(i) }));
}

function withStore<T>(fn: (s: ReturnType<typeof openStore>) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "bench-ingest-"));
  const store = openStore(join(dir, "bench.db"));
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml) VALUES ('r', 'bench', 'd', '{}', '')").run();
  try {
    return fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const reference = withStore((s) => {
  const pts = points("r", REF_N);
  const stmt = s.sqlite.prepare("INSERT INTO metrics (run_id, key, step, epoch, phase, time, value) VALUES (?, ?, ?, ?, ?, ?, ?)");
  const t0 = performance.now();
  for (const p of pts) stmt.run(p.runId, p.key, p.step, p.epoch, p.phase, p.time, p.value);
  return REF_N / ((performance.now() - t0) / 1000);
});

const batched = withStore((s) => {
  const pts = points("r", N);
  const writer = new IngestWriter(s.sqlite);
  const t0 = performance.now();
  for (let i = 0; i < pts.length; i += 2000) writer.write({ metrics: pts.slice(i, i + 2000), events: [], offsets: new Map([["r", i]]) });
  return N / ((performance.now() - t0) / 1000);
});

console.log(`reference (autocommit per point): ${Math.round(reference).toLocaleString("en")} points/s`);
console.log(`trainyard (batched transactions): ${Math.round(batched).toLocaleString("en")} points/s`);
console.log(`ratio: ${(batched / reference).toFixed(1)}x`);
