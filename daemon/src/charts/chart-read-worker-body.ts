// A chart-read worker: its own read-only connection to the store, answering chart reads (chart-read-jobs.ts)
// off the daemon's main thread.
import { parentPort, workerData } from "node:worker_threads";
import { openStore } from "@trainyard/db";
import type { ChartReadReply } from "./chart-read-pool.ts";
import { runChartJob, type ChartReadJob } from "./chart-read-jobs.ts";
import { warmChartReads } from "./chart-read-warmup.ts";

const store = openStore((workerData as { db: string }).db, { readonly: true });
// Reads through a memory map of the store file instead of a read() per page into this connection's own
// small cache: a fresh worker's first read no longer pays for filling that cache, and later reads copy
// less (bench/web/chart-read.ts times the pool). Read-only, so a mapped page is never written through.
store.sqlite.pragma("mmap_size = 2147483648");

let asked = false;
parentPort!.on("message", (msg: { id: number; jobs: ChartReadJob[] }) => {
  asked = true;
  let reply: ChartReadReply;
  try {
    reply = { id: msg.id, results: msg.jobs.map((j) => runChartJob(store.sqlite, j)) };
  } catch (e) {
    reply = { id: msg.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
// ready once the read paths are compiled (chart-read-warmup.ts); a read that comes first is answered first
let warmed = 0;
try {
  warmed = await warmChartReads(store.sqlite, undefined, () => asked);
} catch {
  // a store the warm-up cannot read is reported by the first real read
}
parentPort!.postMessage({ ready: true, warmed });
