// Sampled evaluations (run_samples): a detection run's predicted and true boxes on a few fixed
// validation images per evaluation, written by ingest in the same transaction as the events.jsonl
// offset they come from, read by the run page's prediction gallery.
import type Database from "better-sqlite3";
import type { SampleItem } from "@trainyard/protocol/events";
import { stmt } from "./prepared.ts";

export interface SampleRecord {
  runId: string;
  split: string;
  epoch: number;
  step: number;
  time: number;
  items: SampleItem[];
}

export interface SampleEvaluation {
  split: string;
  epoch: number;
  step: number;
  /** Images sampled. */
  count: number;
  time: number;
}

/**
 * Stores one sampled evaluation. The same run, split and epoch again (a resumed attempt evaluating that
 * epoch once more) replaces the earlier one, as the curves of a repeated evaluation do. Call inside the
 * ingest transaction that also moves the events.jsonl offset, so a replay after a crash neither loses
 * nor repeats it.
 */
export function writeSamples(sqlite: Database.Database, s: SampleRecord): void {
  stmt(
    sqlite,
    `INSERT INTO run_samples (run_id, split, epoch, step, count, items, time) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id, split, epoch) DO UPDATE SET step = excluded.step, count = excluded.count, items = excluded.items, time = excluded.time`,
  ).run(s.runId, s.split, s.epoch, s.step, s.items.length, JSON.stringify(s.items), s.time);
}

/** A run's sampled evaluations, oldest first (by epoch, then split name). */
export function listSampleEvaluations(sqlite: Database.Database, runId: string): SampleEvaluation[] {
  return stmt(sqlite, "SELECT split, epoch, step, count, time FROM run_samples WHERE run_id = ? ORDER BY epoch, split").all(runId) as SampleEvaluation[];
}

/** One evaluation's sampled images, or null when the run has none at that split and epoch. */
export function readSamples(sqlite: Database.Database, runId: string, split: string, epoch: number): (SampleEvaluation & { items: SampleItem[] }) | null {
  const row = stmt(sqlite, "SELECT split, epoch, step, count, time, items FROM run_samples WHERE run_id = ? AND split = ? AND epoch = ?").get(runId, split, epoch) as
    | (SampleEvaluation & { items: string })
    | undefined;
  if (!row) return null;
  return { split: row.split, epoch: row.epoch, step: row.step, count: row.count, time: row.time, items: JSON.parse(row.items) as SampleItem[] };
}

