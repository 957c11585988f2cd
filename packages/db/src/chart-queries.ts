// Reads behind the dashboard's charts, compare view and runs table: bucketed series with min / max / last
// and full-resolution smoothing, full exports, ROC / PR curve events, final / best metrics, paged runs.
import type Database from "better-sqlite3";
import type { BucketedSeries, SeriesSmoothing } from "@trainyard/protocol/series";
import { readGroupBuckets } from "./block-buckets.ts";
import { GROUP_POINTS } from "./block-groups.ts";
import { BucketBuilder, bucketLimit, bucketWidth } from "./bucket-builder.ts";
import { QUEUE_ORDER_SQL } from "./runs.ts";
import { distinctKeys, readSeriesColumns, readStepValues, seriesStride, seriesSummary, type SeriesColumns } from "./metric-blocks.ts";

export interface BucketOptions {
  fromStep?: number;
  toStep?: number;
  maxPoints?: number;
  /** TensorBoard smoothing weight in [0, 1). */
  smoothing?: number;
}

const LO = -1e18;
const HI = 1e18;

/** The options of a chart read with their defaults, and the series' bucket grain (bucketWidth). */
function request(sqlite: Database.Database, runId: string, key: string, opts: BucketOptions) {
  return {
    maxPoints: Math.max(2, Math.floor(opts.maxPoints ?? 2000)),
    from: opts.fromStep ?? LO,
    to: opts.toStep ?? HI,
    w: clampWeight(opts.smoothing ?? 0),
    grain: seriesStride(sqlite, runId, key) * GROUP_POINTS,
  };
}

/**
 * One series at most `maxPoints` buckets wide over [fromStep, toStep]: each bucket keeps its min, max and
 * last point, so no spike is lost; with smoothing, the EMA runs over every stored point from the start.
 * Without smoothing, evenly spaced history is read through its group aggregates (block-buckets.ts).
 */
export function readBuckets(sqlite: Database.Database, runId: string, key: string, opts: BucketOptions = {}): BucketedSeries {
  const { maxPoints, from, to, w, grain } = request(sqlite, runId, key, opts);
  if (w === 0) {
    const fast = readGroupBuckets(sqlite, runId, key, from, to, maxPoints, grain / GROUP_POINTS);
    if (fast) return fast;
  }
  // The EMA needs every point before the range too: its value at `from` depends on all of them.
  return bucketColumns(readSeriesColumns(sqlite, runId, key, w > 0 ? LO : from, to), from, maxPoints, w, grain);
}

/**
 * TensorBoard's debiased EMA over every stored point of a series, sampled at the last point of each of
 * the buckets readBuckets gives for the same range. Streams values and steps only (no wall times, no
 * epochs: under half the bytes of a full read); out-of-order history takes the full read.
 */
export function readSmoothing(sqlite: Database.Database, runId: string, key: string, opts: BucketOptions = {}): SeriesSmoothing {
  const { maxPoints, from, to, w, grain } = request(sqlite, runId, key, opts);
  const runs = readStepValues(sqlite, runId, key, to);
  if (!runs) {
    const b = bucketColumns(readSeriesColumns(sqlite, runId, key, LO, to, false), from, maxPoints, w, grain);
    return { total: b.total, smooth: b.smooth ?? b.last };
  }
  // the range's first step, last step and size, from the runs' ends (they are in step order)
  let lo = NaN;
  let hi = NaN;
  let total = 0;
  for (const r of runs) {
    for (let i = 0; i < r.n; i++) {
      const step = r.steps ? r.steps[i] : r.start + i * r.stride;
      if (step < from) continue;
      if (total === 0) lo = step;
      total += r.n - i;
      hi = r.steps ? r.steps[r.n - 1] : r.start + (r.n - 1) * r.stride;
      break;
    }
  }
  const smooth: number[] = [];
  if (!total) return { total, smooth };
  const width = bucketWidth(hi - lo + 1, total, maxPoints, grain);
  const ema = new DebiasedEma(w);
  // BucketBuilder's rule: a bucket ends at the point before the one that reaches its limit
  let open = false;
  let limit = 0;
  let s = 0;
  for (const r of runs) {
    const { value, steps, start, stride } = r;
    for (let i = 0; i < r.n; i++) {
      const step = steps ? steps[i] : start + i * stride;
      if (step >= from) {
        if (open && (width === 0 || step >= limit)) smooth.push(s);
        if (!open || width === 0 || step >= limit) {
          open = true;
          if (width) limit = bucketLimit(lo, width, step);
        }
      }
      s = w > 0 ? ema.push(value[i]) : value[i];
    }
  }
  smooth.push(s);
  return { total, smooth };
}

/**
 * The bucketing itself, over step-ordered columns: equal-width step buckets over the points from `from`
 * on (one bucket per point when they fit; `grain` as in bucketWidth), and the debiased EMA of all points
 * (those before `from` included) at each bucket's last point.
 */
export function bucketColumns(c: SeriesColumns, from: number, maxPoints: number, w: number, grain = 1): BucketedSeries {
  let first = 0;
  while (first < c.length && c.step[first] < from) first++;
  const total = c.length - first;
  const ema = w > 0 ? new DebiasedEma(w) : null;
  if (!total) return new BucketBuilder(0, 0, 0, ema).finish();
  const lo = c.step[first];
  const b = new BucketBuilder(lo, bucketWidth(c.step[c.length - 1] - lo + 1, total, maxPoints, grain), total, ema);
  const { step, value, epoch, time } = c;
  if (ema) for (let i = 0; i < first; i++) ema.push(value[i]);
  for (let i = first; i < c.length; i++) b.point(step[i], epoch[i], time[i], value[i]);
  return b.finish();
}

function clampWeight(w: number): number {
  return Number.isFinite(w) ? Math.min(Math.max(w, 0), 0.999) : 0;
}

/**
 * TensorBoard's classic smoothing (webapp/widgets/line_chart_v2/data_transformer.ts), one point at a time:
 * EMA from 0, divided by 1 - w^n (n = finite points seen) to remove the bias towards the start; a
 * non-finite value passes through untouched and is not counted. TensorBoard also leaves a constant series
 * alone (#786); the debiased EMA of a constant is that constant, so no special case is needed here.
 */
export class DebiasedEma {
  private last = 0;
  private n = 0;
  /** w^n while 1 - w^n still differs from 1 in float64; past that the division is a no-op and skipped. */
  private decay = 1;
  constructor(private readonly w: number) {}
  push(value: number): number {
    if (value - value !== 0) return value; // NaN or ±Infinity: passed through, not counted
    this.last = this.last * this.w + (1 - this.w) * value;
    this.n += 1;
    if (this.w === 1) return this.last;
    if (this.decay === 0) return this.last;
    this.decay = Math.pow(this.w, this.n); // as TensorBoard computes it, so results match to the bit
    if (1 - this.decay === 1) this.decay = 0;
    return this.last / (1 - this.decay);
  }
}

export interface CurveEvaluation {
  split: string;
  epoch: number;
  step: number | null;
  classes: string[];
}

export interface CurveRecord {
  /** roc, pr (classification), pr50 (detection, IoU 0.5), or another kind a task declares. */
  kind: string;
  class: string;
  points: [number, number][];
}

interface CurvePayload {
  split?: string;
  epoch?: number;
  step?: number;
  kind?: string;
  class?: string;
  points?: [number, number][];
}

/** The evaluations that printed ROC / PR curves, in order (split and epoch), with their classes. */
export function listCurveEvaluations(sqlite: Database.Database, runId: string): CurveEvaluation[] {
  const rows = sqlite
    .prepare(
      `SELECT json_extract(payload, '$.split') split, json_extract(payload, '$.epoch') epoch,
              MAX(json_extract(payload, '$.step')) step, json_group_array(DISTINCT json_extract(payload, '$.class')) classes, MIN(id) first
       FROM run_events WHERE run_id = ? AND type = 'curve' GROUP BY split, epoch ORDER BY first`,
    )
    .all(runId) as { split: string | null; epoch: number | null; step: number | null; classes: string }[];
  return rows.map((r) => ({ split: r.split ?? "val", epoch: r.epoch ?? 0, step: r.step, classes: JSON.parse(r.classes) as string[] }));
}

/** The curves of one evaluation (split + epoch), one record per kind and class. */
export function readCurves(sqlite: Database.Database, runId: string, split: string, epoch: number): CurveRecord[] {
  const rows = sqlite
    .prepare(
      `SELECT payload FROM run_events WHERE run_id = ? AND type = 'curve'
         AND json_extract(payload, '$.split') = ? AND json_extract(payload, '$.epoch') = ? ORDER BY id`,
    )
    .pluck()
    .all(runId, split, epoch) as string[];
  const out = new Map<string, CurveRecord>();
  for (const text of rows) {
    const p = JSON.parse(text) as CurvePayload;
    if (typeof p.kind !== "string" || !p.kind || typeof p.class !== "string" || !Array.isArray(p.points)) continue;
    out.set(`${p.kind}\u0000${p.class}`, { kind: p.kind, class: p.class, points: p.points }); // a replayed event replaces
  }
  return [...out.values()];
}

export interface MetricSummary {
  last: number;
  lastStep: number;
  min: number;
  max: number;
}

/**
 * Last value (at the highest step) and extremes of every key of a run matching one of the prefixes (val/,
 * test/): what the compare view's final / best tables and the run page's test results show.
 */
export function summarizeMetrics(sqlite: Database.Database, runId: string, prefixes: readonly string[]): Record<string, MetricSummary> {
  const keys = distinctKeys(sqlite, runId).filter((k) => prefixes.some((p) => k.startsWith(p)));
  const out: Record<string, MetricSummary> = {};
  for (const key of keys) {
    const summary = seriesSummary(sqlite, runId, key);
    if (summary) out[key] = summary;
  }
  return out;
}

/** Seconds each epoch took, from the wall times of one key's points (train/loss is printed every epoch). */
export function epochDurations(sqlite: Database.Database, runId: string, key = "train/loss"): { epoch: number; seconds: number; step: number }[] {
  const c = readSeriesColumns(sqlite, runId, key);
  const byEpoch = new Map<number, { t: number; step: number }>();
  let first = Infinity;
  for (let i = 0; i < c.length; i++) {
    const e = byEpoch.get(c.epoch[i]);
    if (!e) byEpoch.set(c.epoch[i], { t: c.time[i], step: c.step[i] });
    else {
      e.t = Math.max(e.t, c.time[i]);
      e.step = Math.max(e.step, c.step[i]);
    }
    first = Math.min(first, c.time[i]);
  }
  const startedAt = sqlite.prepare("SELECT started_at FROM runs WHERE id = ?").pluck().get(runId) as number | null;
  let prev = startedAt != null ? startedAt / 1000 : Number.isFinite(first) ? first : 0;
  return [...byEpoch]
    .sort((a, b) => a[0] - b[0])
    .map(([epoch, r]) => {
      const seconds = Math.max(0, r.t - prev);
      prev = r.t;
      return { epoch, seconds, step: r.step };
    });
}

export const RUN_SORT_COLUMNS = ["created", "name", "status", "owner", "dataset", "labelSet", "best", "duration", "gpus", "priority", "progress"] as const;
export type RunSortColumn = (typeof RUN_SORT_COLUMNS)[number];

export interface RunPageQuery {
  offset?: number;
  limit?: number;
  /** Plain text: matched case-insensitively against name, id, owner, dataset, label set and tags. */
  text?: string;
  /** A JavaScript regular expression over the same fields. */
  regex?: string;
  status?: readonly string[];
  tag?: string;
  sort?: RunSortColumn;
  dir?: "asc" | "desc";
  /** Milliseconds "now" for the duration of unfinished runs (a parameter keeps the query pure). */
  now?: number;
}

const SORT_SQL: Record<RunSortColumn, string> = {
  created: "created_at",
  name: "name COLLATE NOCASE",
  status: "status",
  owner: "owner COLLATE NOCASE",
  dataset: "dataset_name COLLATE NOCASE",
  labelSet: "CAST(json_extract(config, '$.dataset.labels.set') AS TEXT) COLLATE NOCASE",
  best: "best_value",
  duration: "(COALESCE(ended_at, @now) - started_at)",
  gpus: "gpus",
  priority: "priority",
  progress: "(CAST(step AS REAL) / MAX(steps, 1))",
};

const SEARCH_TEXT = `(id || ' ' || name || ' ' || owner || ' ' || dataset_name || ' ' ||
  COALESCE(CAST(json_extract(config, '$.dataset.labels.set') AS TEXT), '') || ' ' || COALESCE(json_extract(config, '$.tags'), ''))`;

// A regex is tried on each field alone, so ^ and $ anchor to a name, not to the joined text.
const SEARCH_FIELDS = ["name", "id", "owner", "dataset_name", "CAST(json_extract(config, '$.dataset.labels.set') AS TEXT)", "json_extract(config, '$.tags')"];

const regexCache = new Map<string, RegExp>();
const withRegexp = new WeakSet<Database.Database>();

/** Registers REGEXP on this connection once (SQLite has the operator but no implementation). */
function ensureRegexp(sqlite: Database.Database): void {
  if (withRegexp.has(sqlite)) return;
  sqlite.function("regexp", { deterministic: true }, (pattern: unknown, value: unknown) => {
    let re = regexCache.get(String(pattern));
    if (!re) {
      re = new RegExp(String(pattern), "i");
      if (regexCache.size > 100) regexCache.clear();
      regexCache.set(String(pattern), re);
    }
    return re.test(String(value ?? "")) ? 1 : 0;
  });
  withRegexp.add(sqlite);
}

/** One page of runs, filtered and sorted in SQL; `total` counts every match. Throws on a bad regex. */
export function pageRuns(sqlite: Database.Database, q: RunPageQuery): { total: number; ids: string[] } {
  const where: string[] = [];
  const params: Record<string, unknown> = { now: q.now ?? Date.now() };
  if (q.text?.trim()) {
    where.push(`instr(lower(${SEARCH_TEXT}), lower(@text)) > 0`);
    params.text = q.text.trim();
  }
  if (q.regex) {
    new RegExp(q.regex); // a SyntaxError names what is wrong before SQLite sees it
    ensureRegexp(sqlite);
    where.push(`(${SEARCH_FIELDS.map((f) => `${f} REGEXP @regex`).join(" OR ")})`);
    params.regex = q.regex;
  }
  if (q.status?.length) {
    where.push(`status IN (${q.status.map((_, i) => `@s${i}`).join(", ")})`);
    q.status.forEach((s, i) => (params[`s${i}`] = s));
  }
  if (q.tag) {
    where.push("EXISTS (SELECT 1 FROM json_each(json_extract(config, '$.tags')) WHERE value = @tag)");
    params.tag = q.tag;
  }
  const cond = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const total = sqlite.prepare(`SELECT COUNT(*) FROM runs ${cond}`).pluck().get(params) as number;
  const order = `${SORT_SQL[q.sort ?? "created"]} ${q.dir === "asc" ? "ASC" : "DESC"} NULLS LAST, created_at DESC, id`;
  params.limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  params.offset = Math.max(q.offset ?? 0, 0);
  const ids = sqlite.prepare(`SELECT id FROM runs ${cond} ORDER BY ${order} LIMIT @limit OFFSET @offset`).pluck().all(params) as string[];
  return { total, ids };
}

/** Queue position (1 = next to start) of every queued run: priority first, then FIFO, as the scheduler. */
export function queuePositions(sqlite: Database.Database): Map<string, number> {
  const ids = sqlite.prepare(`SELECT id FROM runs WHERE status = 'queued' ORDER BY ${QUEUE_ORDER_SQL}`).pluck().all() as string[];
  return new Map(ids.map((id, i) => [id, i + 1]));
}

/** Distinct tags across runs, for the table's tag filter. */
export function runTags(sqlite: Database.Database): string[] {
  return sqlite
    .prepare("SELECT DISTINCT j.value FROM runs, json_each(json_extract(runs.config, '$.tags')) j ORDER BY 1")
    .pluck()
    .all() as string[];
}
