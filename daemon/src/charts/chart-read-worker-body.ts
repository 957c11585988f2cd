// A chart-read worker: its own read-only connection to the store, answering chart reads (chart-read-jobs.ts)
// off the daemon's main thread.
import { parentPort, workerData } from "node:worker_threads";
import { openStore } from "@trainyard/db";
import type { ChartReadReply } from "./chart-read-pool.ts";
import { runChartJob, type ChartReadJob } from "./chart-read-jobs.ts";

const store = openStore((workerData as { db: string }).db, { readonly: true });
// Reads through a memory map of the store file instead of a read() per page into this connection's own
// small cache: a fresh worker's first read no longer pays for filling that cache, and later reads copy
// less (bench/web/chart-read.ts times the pool). Read-only, so a mapped page is never written through.
store.sqlite.pragma("mmap_size = 2147483648");

parentPort!.on("message", (msg: { id: number; jobs: ChartReadJob[] }) => {
  let reply: ChartReadReply;
  try {
    reply = { id: msg.id, results: msg.jobs.map((j) => runChartJob(store.sqlite, j)) };
  } catch (e) {
    reply = { id: msg.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage("ready");
