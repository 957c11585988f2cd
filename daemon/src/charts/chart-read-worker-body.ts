// A chart-read worker: its own read-only connection to the store, answering bucket reads (the CPU-heavy
// part of a compare view: every stored point of every series, for the exact smoothing) off the daemon's
// main thread. Answers are already in their wire form (series-wire.ts).
import { parentPort, workerData } from "node:worker_threads";
import { openStore, readBuckets } from "@trainyard/db";
import type { ChartReadJob, ChartReadReply } from "./chart-read-pool.ts";
import { seriesForWire } from "./series-wire.ts";

const store = openStore((workerData as { db: string }).db, { readonly: true });

parentPort!.on("message", (msg: { id: number; jobs: ChartReadJob[] }) => {
  let reply: ChartReadReply;
  try {
    reply = { id: msg.id, series: msg.jobs.map((j) => seriesForWire(readBuckets(store.sqlite, j.runId, j.key, j.opts))) };
  } catch (e) {
    reply = { id: msg.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage("ready");
