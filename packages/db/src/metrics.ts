// Metric ingest (the hot path: prepared statements, one transaction per batch) and series reads.
import type Database from "better-sqlite3";

export interface MetricPoint {
  runId: string;
  key: string;
  step: number;
  epoch: number;
  phase: string | null;
  time: number;
  value: number;
}

export interface EventRecord {
  runId: string;
  type: string;
  level: string | null;
  message: string | null;
  payload: string;
  time: number;
}

export interface IngestBatch {
  metrics: MetricPoint[];
  events: EventRecord[];
  /** Byte offset of events.jsonl after this batch, per run: written in the same transaction. */
  offsets: Map<string, number>;
}

/** Writes a batch of parsed trainer events atomically, with the events.jsonl offset it reaches. */
export class IngestWriter {
  private insertMetric: Database.Statement;
  private insertEvent: Database.Statement;
  private setOffset: Database.Statement;
  private tx: (batch: IngestBatch) => void;

  constructor(sqlite: Database.Database) {
    this.insertMetric = sqlite.prepare(
      "INSERT INTO metrics (run_id, key, step, epoch, phase, time, value) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.insertEvent = sqlite.prepare(
      "INSERT INTO run_events (run_id, type, level, message, payload, time) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.setOffset = sqlite.prepare("UPDATE runs SET events_offset = ? WHERE id = ?");
    this.tx = sqlite.transaction((batch: IngestBatch) => {
      for (const m of batch.metrics) this.insertMetric.run(m.runId, m.key, m.step, m.epoch, m.phase, m.time, m.value);
      for (const e of batch.events) this.insertEvent.run(e.runId, e.type, e.level, e.message, e.payload, e.time);
      for (const [runId, offset] of batch.offsets) this.setOffset.run(offset, runId);
    });
  }

  write(batch: IngestBatch): void {
    this.tx(batch);
  }
}

export interface SeriesPoint {
  step: number;
  epoch: number;
  time: number;
  /** Last value in the bucket (the value at `step`). */
  value: number;
  min: number;
  max: number;
}

export function metricKeys(sqlite: Database.Database, runId: string): string[] {
  return (sqlite.prepare("SELECT DISTINCT key FROM metrics WHERE run_id = ? ORDER BY key").all(runId) as { key: string }[]).map((r) => r.key);
}

/**
 * A series for one run and key, downsampled to at most `maxPoints` buckets over step; each bucket keeps
 * min, max and its last point, so no spike disappears however long the run.
 */
export function readSeries(
  sqlite: Database.Database,
  runId: string,
  key: string,
  opts: { maxPoints?: number; fromStep?: number; toStep?: number } = {},
): SeriesPoint[] {
  const maxPoints = Math.max(2, opts.maxPoints ?? 2000);
  const from = opts.fromStep ?? -1e18;
  const to = opts.toStep ?? 1e18;
  const range = sqlite
    .prepare("SELECT COUNT(*) n, MIN(step) lo, MAX(step) hi FROM metrics WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ?")
    .get(runId, key, from, to) as { n: number; lo: number | null; hi: number | null };
  if (!range.n) return [];
  if (range.n <= maxPoints) {
    return (
      sqlite
        .prepare("SELECT step, epoch, time, value FROM metrics WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ? ORDER BY step, rowid")
        .all(runId, key, from, to) as { step: number; epoch: number; time: number; value: number }[]
    ).map((r) => ({ ...r, min: r.value, max: r.value }));
  }
  const width = Math.max(1, Math.ceil((range.hi! - range.lo! + 1) / maxPoints));
  // Window function picks each bucket's last row; aggregates give its extremes. The bucket number is cast:
  // better-sqlite3 binds JS numbers as REAL, so a bare "/" would not divide as integers (one bucket per row).
  return sqlite
    .prepare(
      `SELECT step, epoch, time, value, mn AS min, mx AS max FROM (
         SELECT step, epoch, time, value,
                MIN(value) OVER b AS mn, MAX(value) OVER b AS mx,
                ROW_NUMBER() OVER (PARTITION BY CAST((step - ?) / ? AS INTEGER) ORDER BY step DESC, rowid DESC) AS rn
         FROM metrics WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ?
         WINDOW b AS (PARTITION BY CAST((step - ?) / ? AS INTEGER))
       ) WHERE rn = 1 ORDER BY step`,
    )
    .all(range.lo, width, runId, key, from, to, range.lo, width) as SeriesPoint[];
}
