// What a chart read is, wherever it runs (a chart-read worker or, as a fallback, the daemon's thread):
// the buckets of one series (min / max / last / mean per bucket, from group aggregates where they line up)
// or the exact smoothing of one series at those buckets' last points. Answers are in their wire form
// (packages/db/src/series-wire.ts).
import { readBuckets, readSmoothing, type BucketOptions } from "@trainyard/db";
import { encodeSeries, encodeSmoothing, type WireSeries, type WireSmoothing } from "@trainyard/protocol/series-wire";
import type Database from "better-sqlite3";

export interface ChartReadJob {
  kind: "buckets" | "smoothing";
  runId: string;
  key: string;
  opts: BucketOptions;
}

export type ChartReadResult = WireSeries | WireSmoothing;

export function runChartJob(sqlite: Database.Database, job: ChartReadJob): ChartReadResult {
  return job.kind === "buckets"
    ? encodeSeries(readBuckets(sqlite, job.runId, job.key, { ...job.opts, smoothing: 0 }))
    : encodeSmoothing(readSmoothing(sqlite, job.runId, job.key, job.opts));
}
