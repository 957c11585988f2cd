// Every stored point of some runs' series as CSV, full resolution, never downsampled or truncated. It comes
// in chunks of at most CSV_CHUNK_ROWS rows, so the daemon streams an export of any size to the browser as
// it reads it (daemon/src/api/metrics-csv.ts): a compare chart of 50 runs × 100k steps is 5M rows, a few
// hundred MB, which no single string may hold.
import type Database from "better-sqlite3";
import { readSeriesColumns } from "./metric-blocks.ts";

export const CSV_HEADER = "run_id,run_name,key,step,epoch,time,value\n";

/** Rows per chunk: about 400 KB of text. */
export const CSV_CHUNK_ROWS = 8192;

/** The export as chunks of text, the header first; a series is read only when its turn comes. */
export function* csvChunks(sqlite: Database.Database, runIds: readonly string[], keys: readonly string[]): Generator<string> {
  yield CSV_HEADER;
  const nameOf = sqlite.prepare("SELECT name FROM runs WHERE id = ?").pluck();
  for (const runId of runIds) {
    const prefix = `${csvField(runId)},${csvField(String(nameOf.get(runId) ?? ""))},`;
    for (const key of keys) {
      const head = prefix + csvField(key) + ",";
      const c = readSeriesColumns(sqlite, runId, key);
      for (let start = 0; start < c.length; start += CSV_CHUNK_ROWS) {
        const end = Math.min(c.length, start + CSV_CHUNK_ROWS);
        let text = "";
        for (let i = start; i < end; i++) text += `${head}${c.step[i]},${c.epoch[i]},${c.time[i]},${c.value[i]}\n`;
        yield text;
      }
    }
  }
}

/** A field as CSV writes it: quoted when it holds a quote, a comma or a line break. */
export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
