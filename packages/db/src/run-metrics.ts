// A run's numbers in one answer, for scripts (`trainyard show RUN --json`, the runs.metrics query): the
// last value of every key, the values the best checkpoint was chosen on, and the test metrics.
import type Database from "better-sqlite3";
import { encodeMetricValue, type NonFiniteName } from "@trainyard/protocol/metric-values";
import { distinctKeys, readSeriesColumns, seriesSummary } from "./metric-blocks.ts";

/** JSON has no NaN or infinity: a non-finite value travels as its name ("NaN", "Infinity", "-Infinity"). */
export type MetricValue = number | NonFiniteName;

export interface RunMetrics {
  /** The point at the highest step of every key. */
  last: Record<string, { value: MetricValue; step: number }>;
  /** The validation values at the best checkpoint's step (the evaluation it was chosen on). */
  best: { checkpoint: string; epoch: number; step: number; monitor: string | null; values: Record<string, MetricValue> } | null;
  /** test/* keys: the best checkpoint evaluated on the test split at the end of the run. */
  test: Record<string, MetricValue>;
}

const jsonValue = encodeMetricValue;

export function runMetrics(sqlite: Database.Database, runId: string): RunMetrics {
  const keys = distinctKeys(sqlite, runId);
  const last: RunMetrics["last"] = {};
  const test: RunMetrics["test"] = {};
  for (const key of keys) {
    const s = seriesSummary(sqlite, runId, key);
    if (!s) continue;
    last[key] = { value: jsonValue(s.last), step: s.lastStep };
    if (key.startsWith("test/")) test[key] = jsonValue(s.last);
  }
  const row = sqlite
    .prepare("SELECT name, epoch, step, monitor_name FROM checkpoints WHERE run_id = ? AND name = 'best'")
    .get(runId) as { name: string; epoch: number; step: number; monitor_name: string | null } | undefined;
  let best: RunMetrics["best"] = null;
  if (row) {
    const values: Record<string, MetricValue> = {};
    for (const key of keys) {
      if (!key.startsWith("val/")) continue;
      // a resumed run may have printed the step twice: the later point is the one the trainer ranked
      const c = readSeriesColumns(sqlite, runId, key, row.step, row.step, false);
      for (let i = c.length - 1; i >= 0; i--)
        if (c.epoch[i] === row.epoch) {
          values[key] = jsonValue(c.value[i]);
          break;
        }
    }
    best = { checkpoint: row.name, epoch: row.epoch, step: row.step, monitor: row.monitor_name, values };
  }
  return { last, best, test };
}

/**
 * Where each of the keys first became NaN or infinite (a diverged run), for the chart's marks: the first
 * non-finite point per key, absent for keys that stayed finite. Reads steps and values only.
 */
export function firstNonFinite(sqlite: Database.Database, runId: string, keys: readonly string[]): Record<string, { step: number; value: MetricValue }> {
  const out: Record<string, { step: number; value: MetricValue }> = {};
  for (const key of keys) {
    const c = readSeriesColumns(sqlite, runId, key, undefined, undefined, false);
    for (let i = 0; i < c.length; i++)
      if (!Number.isFinite(c.value[i])) {
        out[key] = { step: c.step[i], value: jsonValue(c.value[i]) };
        break;
      }
  }
  return out;
}
