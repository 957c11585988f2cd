// Every stored point of some runs' series as CSV or JSON lines, full resolution, never downsampled or truncated. It comes
// in chunks of at most CSV_CHUNK_ROWS rows, so the daemon streams an export of any size to the browser as
// it reads it (daemon/src/api/metrics-csv.ts): a compare chart of 50 runs × 100k steps is 5M rows, a few
// hundred MB, which no single string may hold.
import type Database from "better-sqlite3";
import { readSeriesColumns } from "./metric-blocks.ts";
import { encodeMetricValue } from "@trainyard/protocol/metric-values";

export const CSV_HEADER = "run_id,run_name,key,step,epoch,time,value\n";

/** Rows per chunk: about 400 KB of text. */
export const CSV_CHUNK_ROWS = 8192;

/** The export as chunks of text, the header first; a series is read only when its turn comes. */
export function* csvChunks(sqlite: Database.Database, runIds: readonly string[], keys: readonly string[]): Generator<string> {
  yield CSV_HEADER;
  yield* pointChunks(sqlite, runIds, keys, (runId, runName, key) => {
    const head = `${csvField(runId)},${csvField(runName)},${csvField(key)},`;
    return (step, epoch, time, value) => `${head}${step},${epoch},${time},${value}\n`;
  });
}

/**
 * The same points as JSON lines, one object per point: {"run_id","run_name","key","step","epoch","time","value"};
 * a non-finite value is written as its name ("NaN"), which JSON numbers cannot hold.
 */
export function* jsonLineChunks(sqlite: Database.Database, runIds: readonly string[], keys: readonly string[]): Generator<string> {
  yield* pointChunks(sqlite, runIds, keys, (runId, runName, key) => {
    const head = `{"run_id":${JSON.stringify(runId)},"run_name":${JSON.stringify(runName)},"key":${JSON.stringify(key)},`;
    return (step, epoch, time, value) => `${head}"step":${step},"epoch":${epoch},"time":${time},"value":${JSON.stringify(encodeMetricValue(value))}}\n`;
  });
}

type PointLine = (step: number, epoch: number, time: number, value: number) => string;

function* pointChunks(
  sqlite: Database.Database,
  runIds: readonly string[],
  keys: readonly string[],
  lineFor: (runId: string, runName: string, key: string) => PointLine,
): Generator<string> {
  const nameOf = sqlite.prepare("SELECT name FROM runs WHERE id = ?").pluck();
  for (const runId of runIds) {
    const runName = String(nameOf.get(runId) ?? "");
    for (const key of keys) {
      const line = lineFor(runId, runName, key);
      const c = readSeriesColumns(sqlite, runId, key);
      for (let start = 0; start < c.length; start += CSV_CHUNK_ROWS) {
        const end = Math.min(c.length, start + CSV_CHUNK_ROWS);
        let text = "";
        for (let i = start; i < end; i++) text += line(c.step[i], c.epoch[i], c.time[i], c.value[i]);
        yield text;
      }
    }
  }
}

/** A field as CSV writes it: quoted when it holds a quote, a comma or a line break. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
