// Columnar metric storage. Ingest appends points as rows to `metrics` (one transaction per batch, cheap
// to write); once a series has BLOCK_POINTS unsealed points, they move into one `metric_blocks` row as
// float64 arrays, in the same transaction. At the end of a run every tail is sealed. A chart then reads a
// 100k-point series as ~100 blobs (about 1 ms) instead of 100k rows (about 100 ms): what makes exact
// full-resolution smoothing and a cold compare view of 30M points affordable.
//
// Every reader of full-resolution points goes through `readSeriesColumns`, which merges blocks and the
// row tail and returns points ordered by step, ties in arrival order (as `ORDER BY step, rowid` did).
import type Database from "better-sqlite3";
import { encodeGroups, GROUP_PAGE_BLOCKS } from "./block-groups.ts";
import { stmt } from "./prepared.ts";

/** Points per sealed block: 8 KB of values, two SQLite pages; the unsealed tail stays under this. */
export const BLOCK_POINTS = 1024;

/** One series at full resolution, ordered by step (ties: arrival order). */
export interface SeriesColumns {
  length: number;
  step: Float64Array;
  epoch: Float64Array;
  time: Float64Array;
  value: Float64Array;
}

const LO = -1e18;
const HI = 1e18;

interface BlockRow {
  n: number;
  min_step: number;
  max_step: number;
  step_start: number | null;
  step_stride: number | null;
  epoch_runs: string;
  value_data: Buffer;
  time_data: Buffer | null;
  step_data: Buffer | null;
}

/** A tail row as SQLite returns it: a NaN was stored as NULL (see tailValue). */
type TailRow = [step: number, epoch: number, time: number, value: number | null];

/** The tail column holds NaN as NULL (SQLite cannot store a NaN); every read turns it back. */
export const tailValue = (v: number | null): number => (v === null ? Number.NaN : v);

/**
 * Every point of one series with step in [fromStep, toStep]. Blocks entirely outside the range are not
 * read. Arrays are freshly allocated and owned by the caller. Without `times` the wall times are left at 0
 * and their blobs are not read (half the bytes: what the smoothing read needs).
 */
export function readSeriesColumns(sqlite: Database.Database, runId: string, key: string, fromStep = LO, toStep = HI, times = true): SeriesColumns {
  const blocks = stmt(
    sqlite,
    `SELECT n, min_step, max_step, step_start, step_stride, epoch_runs, value_data, ${times ? "time_data" : "NULL time_data"}, step_data FROM metric_blocks
     WHERE run_id = ? AND key = ? AND max_step >= ? AND min_step <= ? ORDER BY seq`,
  ).all(runId, key, fromStep, toStep) as BlockRow[];
  const tail = stmt(sqlite, "SELECT step, epoch, time, value FROM metrics WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ? ORDER BY rowid")
    .raw()
    .all(runId, key, fromStep, toStep) as TailRow[];
  let total = tail.length;
  for (const b of blocks) total += b.n;
  const out = allocColumns(total);
  // Whether the points are already in step order and inside the range, known from block metadata for
  // evenly spaced blocks (the common case) so the 100k-point check pass is skipped.
  let ordered = true;
  let inside = true;
  let prevMax = -Infinity;
  let at = 0;
  for (const b of blocks) {
    decodeBlock(b, out, at);
    if (b.step_data) ordered = false; // uneven steps: checked point by point below
    else if (b.step_stride! < 0) ordered = false;
    if (b.min_step < prevMax) ordered = false;
    if (b.min_step < fromStep || b.max_step > toStep) inside = false;
    prevMax = Math.max(prevMax, b.max_step);
    at += b.n;
  }
  for (const [step, epoch, time, value] of tail) {
    if (step < prevMax) ordered = false;
    prevMax = Math.max(prevMax, step);
    out.step[at] = step;
    out.epoch[at] = epoch;
    out.time[at] = time;
    out.value[at] = tailValue(value);
    at++;
  }
  return ordered && inside ? out : orderAndClip(out, fromStep, toStep);
}

/** A stretch of a series in step order for the smoothing read: values, and steps as start + i * stride or an array. */
export interface StepValueRun {
  n: number;
  value: Float64Array;
  /** Per-point steps; null when start + i * stride. */
  steps: Float64Array | null;
  start: number;
  stride: number;
}

/**
 * Every point with step <= toStep as runs of values and steps, in arrival order, when that is step order
 * (null otherwise: the caller takes readSeriesColumns, which sorts). The smoothing read: no wall times,
 * epochs or phases decoded, and values used in place where SQLite's buffer allows.
 */
export function readStepValues(sqlite: Database.Database, runId: string, key: string, toStep = HI): StepValueRun[] | null {
  const blocks = stmt(
    sqlite,
    `SELECT n, min_step, max_step, step_start, step_stride, value_data, CASE WHEN step_stride IS NULL THEN step_data END step_data
     FROM metric_blocks WHERE run_id = ? AND key = ? AND min_step <= ? ORDER BY seq`,
  ).all(runId, key, toStep) as Pick<BlockRow, "n" | "min_step" | "max_step" | "step_start" | "step_stride" | "value_data" | "step_data">[];
  const tail = stmt(sqlite, "SELECT step, value FROM metrics WHERE run_id = ? AND key = ? AND step <= ? ORDER BY rowid").raw().all(runId, key, toStep) as [number, number | null][];
  const out: StepValueRun[] = [];
  let prev = -Infinity;
  for (const b of blocks) {
    if (b.min_step < prev) return null;
    const value = float64View(b.value_data, b.n);
    if (b.step_data) {
      const steps = float64View(b.step_data, b.n);
      for (let i = 0; i < b.n; i++) {
        if (steps[i] < prev) return null;
        prev = steps[i];
      }
      out.push({ n: b.n, value, steps, start: 0, stride: 0 });
    } else {
      if (b.step_stride! < 0) return null;
      out.push({ n: b.n, value, steps: null, start: b.step_start!, stride: b.step_stride! });
      prev = b.max_step;
    }
  }
  if (tail.length) {
    const steps = new Float64Array(tail.length);
    const value = new Float64Array(tail.length);
    tail.forEach(([s, v], i) => ((steps[i] = s), (value[i] = tailValue(v))));
    for (const s of steps) {
      if (s < prev) return null;
      prev = s;
    }
    out.push({ n: tail.length, value, steps, start: 0, stride: 0 });
  }
  // a last block may reach past toStep: its points are in order, so the kept ones are a prefix
  const last = out.at(-1);
  if (last) {
    let n = last.n;
    while (n > 0 && (last.steps ? last.steps[n - 1] : last.start + (n - 1) * last.stride) > toStep) n--;
    last.n = n;
  }
  return out;
}

/** A float64 blob as an array: in place when 8-aligned, else copied. */
function float64View(blob: Buffer, n: number): Float64Array {
  if (blob.byteLength !== n * 8) throw new Error(`metric block is corrupt: ${blob.byteLength} bytes for ${n} points`);
  if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, n);
  const out = new Float64Array(n);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

/** Writes one block's points into `out` from index `at` (wall times only when the row carries them). */
function decodeBlock(b: BlockRow, out: SeriesColumns, at: number): void {
  copyFloat64(b.value_data, out.value, at, b.n);
  if (b.time_data) copyFloat64(b.time_data, out.time, at, b.n);
  if (b.step_data) copyFloat64(b.step_data, out.step, at, b.n);
  else for (let i = 0; i < b.n; i++) out.step[at + i] = b.step_start! + i * b.step_stride!;
  const runs = JSON.parse(b.epoch_runs) as [number, number][];
  for (let r = 0; r < runs.length; r++) out.epoch.fill(runs[r][1], at + runs[r][0], at + (r + 1 < runs.length ? runs[r + 1][0] : b.n));
}

/** The points of one block (by its place in the series), in arrival order; null when there is none. */
export function readBlockColumns(sqlite: Database.Database, runId: string, key: string, seq: number): SeriesColumns | null {
  const b = stmt(
    sqlite,
    `SELECT n, min_step, max_step, step_start, step_stride, epoch_runs, value_data, time_data, step_data FROM metric_blocks
     WHERE run_id = ? AND key = ? AND seq = ?`,
  ).get(runId, key, seq) as BlockRow | undefined;
  if (!b) return null;
  const out = allocColumns(b.n);
  decodeBlock(b, out, 0);
  return out;
}

/**
 * The stride of a series' evenly spaced first block (0 when it has none, or uneven steps): it sets the
 * bucket grain of chart reads, so every reader of a series rounds its buckets the same way.
 */
export function seriesStride(sqlite: Database.Database, runId: string, key: string): number {
  const s = stmt(sqlite, "SELECT step_stride FROM metric_blocks WHERE run_id = ? AND key = ? AND seq = 0").pluck().get(runId, key) as number | null | undefined;
  return s != null && s > 0 ? s : 0;
}

function allocColumns(n: number): SeriesColumns {
  return { length: n, step: new Float64Array(n), epoch: new Float64Array(n), time: new Float64Array(n), value: new Float64Array(n) };
}

/** Copies a little-endian float64 blob into `dst` at `at` (a byte copy: SQLite's buffers need not be 8-aligned). */
function copyFloat64(blob: Buffer, dst: Float64Array, at: number, n: number): void {
  if (blob.byteLength !== n * 8) throw new Error(`metric block is corrupt: ${blob.byteLength} bytes for ${n} points`);
  new Uint8Array(dst.buffer, dst.byteOffset + at * 8, n * 8).set(blob);
}

/**
 * Drops points outside the range (blocks straddle its edges) and restores step order when arrival order
 * was not (a resumed attempt logs steps again from its checkpoint). Stable: equal steps keep arrival order.
 */
function orderAndClip(c: SeriesColumns, from: number, to: number): SeriesColumns {
  let sorted = true;
  let inside = true;
  for (let i = 0; i < c.length; i++) {
    const s = c.step[i];
    if (s < from || s > to) inside = false;
    if (i && s < c.step[i - 1]) sorted = false;
  }
  if (sorted && inside) return c;
  const keep: number[] = [];
  for (let i = 0; i < c.length; i++) if (c.step[i] >= from && c.step[i] <= to) keep.push(i);
  if (!sorted) keep.sort((a, b) => c.step[a] - c.step[b] || a - b);
  const out = allocColumns(keep.length);
  keep.forEach((src, i) => {
    out.step[i] = c.step[src];
    out.epoch[i] = c.epoch[src];
    out.time[i] = c.time[src];
    out.value[i] = c.value[src];
  });
  return out;
}

type SealRow = [rowid: number, step: number, epoch: number, phase: string | null, time: number, value: number];
type StoredSealRow = [rowid: number, step: number, epoch: number, phase: string | null, time: number, value: number | null];

/**
 * Moves a series' unsealed rows into blocks of BLOCK_POINTS and the remainder into a last, shorter block
 * (a run that ended). Call inside the caller's transaction.
 */
function sealSeries(sqlite: Database.Database, runId: string, key: string): void {
  const rows = readTail(sqlite, runId, key);
  if (!rows.length) return;
  writeBlocks(sqlite, runId, key, rows);
  stmt(sqlite, "DELETE FROM metrics WHERE run_id = ? AND key = ? AND rowid <= ?").run(runId, key, rows[rows.length - 1][0]);
}

function encodeBlock(rows: SealRow[]) {
  const n = rows.length;
  const steps = new Float64Array(n);
  const values = new Float64Array(n);
  const times = new Float64Array(n);
  const epochs = new Float64Array(n);
  const epochRuns: [number, number][] = [];
  const phaseRuns: [number, string | null][] = [];
  let minStep = Infinity;
  let maxStep = -Infinity;
  let minValue = Infinity;
  let maxValue = -Infinity;
  for (let i = 0; i < n; i++) {
    const [, step, epoch, phase, time, value] = rows[i];
    if (value < minValue) minValue = value;
    if (value > maxValue) maxValue = value;
    steps[i] = step;
    values[i] = value;
    times[i] = time;
    epochs[i] = epoch;
    if (step < minStep) minStep = step;
    if (step > maxStep) maxStep = step;
    if (!epochRuns.length || epochRuns.at(-1)![1] !== epoch) epochRuns.push([i, epoch]);
    if (!phaseRuns.length || phaseRuns.at(-1)![1] !== phase) phaseRuns.push([i, phase]);
  }
  const stride = n > 1 ? steps[1] - steps[0] : 0;
  let even = Number.isInteger(steps[0]) && Number.isInteger(stride);
  for (let i = 1; even && i < n; i++) even = steps[i] === steps[0] + i * stride;
  const groups = encodeGroups(steps, epochs, times, values, n);
  return {
    n,
    minStep,
    maxStep,
    minValue: Number.isFinite(minValue) ? minValue : null,
    maxValue: Number.isFinite(maxValue) ? maxValue : null,
    stepStart: even ? steps[0] : null,
    stepStride: even ? stride : null,
    epochRuns: JSON.stringify(epochRuns),
    phaseRuns: JSON.stringify(phaseRuns),
    values: Buffer.from(values.buffer),
    times: Buffer.from(times.buffer),
    steps: even ? null : Buffer.from(steps.buffer),
    groups: groups.data,
    sorted: groups.sorted ? 1 : 0,
  };
}

/** A point as ingest hands it over (MetricPoint of metrics.ts without the run and key). */
export interface AppendPoint {
  step: number;
  epoch: number;
  phase: string | null;
  time: number;
  value: number;
}

/**
 * The unsealed rows of each series, per connection, mirrored in memory so a seal need not read them back.
 * Checked against the table (count, first and last rowid: one index range) before each use, so a rolled-back
 * transaction or another writer can only cost a re-read, never a wrong block.
 */
const tails = new WeakMap<Database.Database, Map<string, SealRow[]>>();

function tailsOf(sqlite: Database.Database): Map<string, SealRow[]> {
  let t = tails.get(sqlite);
  if (!t) tails.set(sqlite, (t = new Map()));
  return t;
}

/**
 * Appends points to their series (call inside the batch's transaction). Whenever a series' unsealed tail
 * plus the new points reach BLOCK_POINTS, full blocks are written straight from memory: tail rows are
 * deleted, new points that land in a block are never written as rows. The rest become rows.
 */
export function appendPoints(sqlite: Database.Database, bySeries: Map<string, Map<string, AppendPoint[]>>): void {
  const cache = tailsOf(sqlite);
  const check = stmt(sqlite, "SELECT COUNT(*) n, MIN(rowid) first, MAX(rowid) last FROM metrics WHERE run_id = ? AND key = ?");
  const insertRow = stmt(sqlite, "INSERT INTO metrics (run_id, key, step, epoch, phase, time, value) VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const [runId, keys] of bySeries) {
    for (const [key, points] of keys) {
      const id = `${runId}\u0000${key}`;
      let tail = cache.get(id);
      const held = check.get(runId, key) as { n: number; first: number | null; last: number | null };
      if (!tail || tail.length !== held.n || (held.n > 0 && (tail[0][0] !== held.first || tail[tail.length - 1][0] !== held.last))) tail = readTail(sqlite, runId, key);
      const fresh: SealRow[] = points.map((p) => [0, p.step, p.epoch, p.phase, p.time, p.value]);
      const combined = tail.length ? tail.concat(fresh) : fresh;
      const sealed = Math.floor(combined.length / BLOCK_POINTS) * BLOCK_POINTS;
      if (sealed) {
        writeBlocks(sqlite, runId, key, combined.slice(0, sealed));
        const lastSealedRow = Math.min(sealed, tail.length) - 1;
        if (lastSealedRow >= 0) stmt(sqlite, "DELETE FROM metrics WHERE run_id = ? AND key = ? AND rowid <= ?").run(runId, key, tail[lastSealedRow][0]);
      }
      const rest = combined.slice(sealed);
      for (const r of rest) {
        if (r[0] === 0) r[0] = Number(insertRow.run(runId, key, r[1], r[2], r[3], r[4], r[5]).lastInsertRowid);
      }
      cache.set(id, rest);
    }
  }
}

function readTail(sqlite: Database.Database, runId: string, key: string): SealRow[] {
  const rows = stmt(sqlite, "SELECT rowid, step, epoch, phase, time, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY rowid")
    .raw()
    .all(runId, key) as StoredSealRow[];
  for (const r of rows) if (r[5] === null) r[5] = Number.NaN;
  return rows as SealRow[];
}

function writeBlocks(sqlite: Database.Database, runId: string, key: string, rows: SealRow[]): void {
  let seq = stmt(sqlite, "SELECT COALESCE(MAX(seq), -1) + 1 FROM metric_blocks WHERE run_id = ? AND key = ?").pluck().get(runId, key) as number;
  const insert = stmt(
    sqlite,
    `INSERT INTO metric_blocks (run_id, key, seq, n, min_step, max_step, min_value, max_value, step_start, step_stride, epoch_runs, phase_runs, value_data, time_data, step_data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const added: GroupedBlock[] = [];
  for (let start = 0; start < rows.length; start += BLOCK_POINTS) {
    const b = encodeBlock(rows.slice(start, start + BLOCK_POINTS));
    insert.run(runId, key, seq, b.n, b.minStep, b.maxStep, b.minValue, b.maxValue, b.stepStart, b.stepStride, b.epochRuns, b.phaseRuns, b.values, b.times, b.steps);
    added.push({ seq: seq++, n: b.n, minStep: b.minStep, maxStep: b.maxStep, sorted: b.sorted === 1, groups: b.groups });
  }
  for (let i = 0; i < added.length; ) {
    const page = Math.floor(added[i].seq / GROUP_PAGE_BLOCKS);
    let j = i;
    while (j < added.length && Math.floor(added[j].seq / GROUP_PAGE_BLOCKS) === page) j++;
    appendGroups(sqlite, runId, key, page, added.slice(i, j));
    i = j;
  }
}

/** A sealed block's group aggregates, on their way into its page of metric_groups. */
interface GroupedBlock {
  seq: number;
  n: number;
  minStep: number;
  maxStep: number;
  sorted: boolean;
  groups: Buffer;
}

interface GroupPageRow {
  blocks: number;
  block_points: string;
  min_step: number;
  max_step: number;
  sorted: number;
  group_data: Buffer;
}

/**
 * Adds blocks (consecutive, same page) to their metric_groups page. A page that does not end right before
 * them (blocks sealed before aggregates existed) is rebuilt from its blocks instead, so a page never skips one.
 */
function appendGroups(sqlite: Database.Database, runId: string, key: string, page: number, added: GroupedBlock[]): void {
  const row = stmt(sqlite, "SELECT blocks, block_points, min_step, max_step, sorted, group_data FROM metric_groups WHERE run_id = ? AND key = ? AND page = ?").get(runId, key, page) as
    | GroupPageRow
    | undefined;
  if ((row?.blocks ?? 0) !== added[0].seq - page * GROUP_PAGE_BLOCKS) return rebuildGroupPage(sqlite, runId, key, page);
  writeGroupPage(sqlite, runId, key, page, [
    ...(row ? [{ n: JSON.parse(row.block_points) as number[], minStep: row.min_step, maxStep: row.max_step, sorted: row.sorted === 1, groups: row.group_data }] : []),
    ...added.map((b) => ({ n: [b.n], minStep: b.minStep, maxStep: b.maxStep, sorted: b.sorted, groups: b.groups })),
  ]);
}

function writeGroupPage(sqlite: Database.Database, runId: string, key: string, page: number, parts: { n: number[]; minStep: number; maxStep: number; sorted: boolean; groups: Buffer }[]): void {
  const points = parts.flatMap((p) => p.n);
  stmt(
    sqlite,
    "INSERT OR REPLACE INTO metric_groups (run_id, key, page, blocks, block_points, min_step, max_step, sorted, group_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(
    runId, key, page, points.length, JSON.stringify(points),
    Math.min(...parts.map((p) => p.minStep)), Math.max(...parts.map((p) => p.maxStep)),
    parts.every((p) => p.sorted) ? 1 : 0, Buffer.concat(parts.map((p) => p.groups)),
  );
}

/** Recomputes one page of group aggregates from its stored blocks. */
function rebuildGroupPage(sqlite: Database.Database, runId: string, key: string, page: number): void {
  const parts = [];
  for (let seq = page * GROUP_PAGE_BLOCKS; seq < (page + 1) * GROUP_PAGE_BLOCKS; seq++) {
    const c = readBlockColumns(sqlite, runId, key, seq);
    if (!c) break;
    let minStep = Infinity;
    let maxStep = -Infinity;
    for (let i = 0; i < c.length; i++) {
      if (c.step[i] < minStep) minStep = c.step[i];
      if (c.step[i] > maxStep) maxStep = c.step[i];
    }
    const g = encodeGroups(c.step, c.epoch, c.time, c.value, c.length);
    parts.push({ n: [c.length], minStep, maxStep, sorted: g.sorted, groups: g.data });
  }
  if (parts.length) writeGroupPage(sqlite, runId, key, page, parts);
}

/** Seals every tail of a run (its last, shorter blocks): when a run ends, its reads become blob-only. */
export function sealRun(sqlite: Database.Database, runId: string): void {
  const keys = tailKeys(sqlite, runId);
  if (keys.length) sqlite.transaction(() => keys.forEach((key) => sealTail(sqlite, runId, key)))();
}

/** Keys of a run that still have unsealed rows. */
export function tailKeys(sqlite: Database.Database, runId: string): string[] {
  return stmt(sqlite, "SELECT DISTINCT key FROM metrics WHERE run_id = ?").pluck().all(runId) as string[];
}

/** Seals one series' tail, in the caller's transaction or its own. */
export function sealTail(sqlite: Database.Database, runId: string, key: string): void {
  sqlite.transaction(() => sealSeries(sqlite, runId, key))();
  tailsOf(sqlite).delete(`${runId}\u0000${key}`);
}

/** Runs that are not running but still hold unsealed rows (a store written before blocks, or a crash). */
export function runsWithTails(sqlite: Database.Database, finalStates: readonly string[]): string[] {
  return stmt(
    sqlite,
    `SELECT id FROM runs WHERE status IN (${finalStates.map(() => "?").join(", ")})
       AND EXISTS (SELECT 1 FROM metrics WHERE metrics.run_id = runs.id) ORDER BY created_at`,
  )
    .pluck()
    .all(...finalStates) as string[];
}

/**
 * Metric keys of a run, sorted, by skipping through both indexes one key at a time: a handful of seeks
 * instead of a walk over every point.
 */
export function distinctKeys(sqlite: Database.Database, runId: string): string[] {
  const keys = new Set<string>();
  for (const table of ["metric_blocks", "metrics"]) {
    const next = stmt(sqlite, `SELECT key FROM ${table} WHERE run_id = ? AND key > ? ORDER BY key LIMIT 1`).pluck();
    for (let k = next.get(runId, "") as string | undefined; k !== undefined; k = next.get(runId, k) as string | undefined) keys.add(k);
  }
  return [...keys].sort();
}

/** The point at the highest step (latest arrival among equals) and the finite extremes of a series. */
export function seriesSummary(sqlite: Database.Database, runId: string, key: string): { last: number; lastStep: number; min: number; max: number } | null {
  const blocks = stmt(
    sqlite,
    "SELECT MIN(min_value) mn, MAX(max_value) mx, MAX(max_step) top FROM metric_blocks WHERE run_id = ? AND key = ?",
  ).get(runId, key) as { mn: number | null; mx: number | null; top: number | null };
  const tail = stmt(sqlite, "SELECT MIN(value) mn, MAX(value) mx, MAX(step) top FROM metrics WHERE run_id = ? AND key = ?").get(runId, key) as typeof blocks;
  if (blocks.top === null && tail.top === null) return null;
  let last: { step: number; value: number };
  if (tail.top !== null && (blocks.top === null || tail.top >= blocks.top)) {
    // the tail arrived after every block, so at an equal step its point is the later one
    const row = stmt(sqlite, "SELECT step, value FROM metrics WHERE run_id = ? AND key = ? ORDER BY step DESC, rowid DESC LIMIT 1").get(runId, key) as { step: number; value: number | null };
    last = { step: row.step, value: tailValue(row.value) };
  } else {
    // only the blocks holding the top step are read; equal steps come in arrival order, newest last
    const c = readSeriesColumns(sqlite, runId, key, blocks.top!, blocks.top!);
    last = { step: c.step[c.length - 1], value: c.value[c.length - 1] };
  }
  const lo = [blocks.mn, tail.mn].filter((v): v is number => v !== null);
  const hi = [blocks.mx, tail.mx].filter((v): v is number => v !== null);
  return { last: last.value, lastStep: last.step, min: lo.length ? Math.min(...lo) : Number.NaN, max: hi.length ? Math.max(...hi) : Number.NaN };
}

/** Points stored for a run (or all runs): blocks plus tails. */
export function countPoints(sqlite: Database.Database, runId?: string): number {
  const where = runId === undefined ? "" : " WHERE run_id = ?";
  const args = runId === undefined ? [] : [runId];
  const sealed = stmt(sqlite, `SELECT COALESCE(SUM(n), 0) FROM metric_blocks${where}`).pluck().get(...args) as number;
  const tail = stmt(sqlite, `SELECT COUNT(*) FROM metrics${where}`).pluck().get(...args) as number;
  return sealed + tail;
}

/**
 * Series whose blocks are not all in metric_groups yet (blocks sealed before it existed), at most `limit`:
 * the daemon fills them in the background (group-old-blocks.ts). Chart reads are exact meanwhile; they
 * read such a series point by point.
 */
export function seriesWithoutGroups(sqlite: Database.Database, limit = 100): { runId: string; key: string }[] {
  return stmt(
    sqlite,
    `SELECT b.run_id runId, b.key key FROM (SELECT run_id, key, COUNT(*) c FROM metric_blocks GROUP BY run_id, key) b
     LEFT JOIN (SELECT run_id, key, SUM(blocks) c FROM metric_groups GROUP BY run_id, key) g ON g.run_id = b.run_id AND g.key = b.key
     WHERE g.c IS NULL OR g.c != b.c LIMIT ?`,
  ).all(limit) as { runId: string; key: string }[];
}

/** Rebuilds every page of one series' group aggregates from its blocks, in one transaction. Returns how many blocks. */
export function groupSeriesBlocks(sqlite: Database.Database, runId: string, key: string): number {
  const blocks = stmt(sqlite, "SELECT COUNT(*) FROM metric_blocks WHERE run_id = ? AND key = ?").pluck().get(runId, key) as number;
  sqlite.transaction(() => {
    stmt(sqlite, "DELETE FROM metric_groups WHERE run_id = ? AND key = ?").run(runId, key);
    for (let page = 0; page * GROUP_PAGE_BLOCKS < blocks; page++) rebuildGroupPage(sqlite, runId, key, page);
  })();
  return blocks;
}
