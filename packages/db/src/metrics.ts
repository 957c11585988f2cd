// Metric ingest (the hot path: prepared statements, one transaction per batch, full blocks sealed in the
// same transaction) and the row-shaped series read of the run page's live tick.
import type Database from "better-sqlite3";
import type { SeriesPoint } from "@trainyard/protocol/series";
import { readBuckets } from "./chart-queries.ts";
import { appendPoints } from "./metric-blocks.ts";

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
  private insertEvent: Database.Statement;
  private setOffset: Database.Statement;
  private tx: (batch: IngestBatch) => void;

  constructor(sqlite: Database.Database) {
    this.insertEvent = sqlite.prepare(
      "INSERT INTO run_events (run_id, type, level, message, payload, time) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.setOffset = sqlite.prepare("UPDATE runs SET events_offset = ? WHERE id = ?");
    this.tx = sqlite.transaction((batch: IngestBatch) => {
      const bySeries = new Map<string, Map<string, MetricPoint[]>>();
      for (const m of batch.metrics) {
        let keys = bySeries.get(m.runId);
        if (!keys) bySeries.set(m.runId, (keys = new Map()));
        const points = keys.get(m.key);
        if (points) points.push(m);
        else keys.set(m.key, [m]);
      }
      appendPoints(sqlite, bySeries);
      for (const e of batch.events) this.insertEvent.run(e.runId, e.type, e.level, e.message, e.payload, e.time);
      for (const [runId, offset] of batch.offsets) this.setOffset.run(offset, runId);
    });
  }

  write(batch: IngestBatch): void {
    this.tx(batch);
  }
}

/**
 * A series for one run and key, downsampled to at most `maxPoints` buckets over step; each bucket keeps
 * min, max and its last point, so no spike disappears however long the run. Row-shaped view of readBuckets.
 */
export function readSeries(
  sqlite: Database.Database,
  runId: string,
  key: string,
  opts: { maxPoints?: number; fromStep?: number; toStep?: number } = {},
): SeriesPoint[] {
  const b = readBuckets(sqlite, runId, key, { maxPoints: opts.maxPoints ?? 2000, fromStep: opts.fromStep, toStep: opts.toStep });
  return b.step.map((step, i) => ({ step, epoch: b.epoch[i], time: b.time[i], value: b.last[i], min: b.min[i], max: b.max[i] }));
}
