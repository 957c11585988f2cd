// A chart-read worker: its own read-only connection to the store, answering chart reads (chart-read-jobs.ts)
// off the daemon's main thread.
import { parentPort, workerData } from "node:worker_threads";
import { openStore } from "@trainyard/db";
import type { ChartReadReply } from "./chart-read-pool.ts";
import { runChartJob, type ChartReadJob } from "./chart-read-jobs.ts";

const store = openStore((workerData as { db: string }).db, { readonly: true });

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
