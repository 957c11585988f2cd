// What a chart read is, wherever it runs (a chart-read worker or, as a fallback, the daemon's thread):
// the buckets of one series (min / max / last / mean per bucket, from group aggregates where they line up)
// or the exact smoothing of one series at those buckets' last points. Answers are in their wire form.
import { readBuckets, readSmoothing, type BucketedSeries, type BucketOptions, type SeriesSmoothing } from "@trainyard/db";
import type Database from "better-sqlite3";
import { seriesForWire, smoothingForWire } from "./series-wire.ts";

export interface ChartReadJob {
  kind: "buckets" | "smoothing";
  runId: string;
  key: string;
  opts: BucketOptions;
}

export type ChartReadResult = BucketedSeries | SeriesSmoothing;

export function runChartJob(sqlite: Database.Database, job: ChartReadJob): ChartReadResult {
  return job.kind === "buckets"
    ? seriesForWire(readBuckets(sqlite, job.runId, job.key, { ...job.opts, smoothing: 0 }))
    : smoothingForWire(readSmoothing(sqlite, job.runId, job.key, job.opts));
}
