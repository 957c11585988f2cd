// Chart buckets built from the stored group aggregates (block-groups.ts) instead of every point: a
// bucket of 256 steps over an evenly spaced series takes 8 groups of 72 bytes, not 256 points of 16 bytes.
// Only a group that straddles a bucket edge (or the range's ends) is read point by point, from its block.
// The result is the same as bucketing every point (chart-queries.ts bucketColumns; both use
// BucketBuilder), except that a bucket's mean sums per group first (float rounding only).
import type Database from "better-sqlite3";
import { decodeGroups, G_FINITE, G_FIRST_STEP, G_LAST_EPOCH, G_LAST_STEP, G_LAST_TIME, G_LAST_VALUE, G_MAX, G_MIN, G_SUM, GROUP_FIELDS, GROUP_POINTS, groupSize } from "./block-groups.ts";
import { BucketBuilder, bucketWidth } from "./bucket-builder.ts";
import type { BucketedSeries } from "./chart-queries.ts";
import { readBlockColumns, type SeriesColumns } from "./metric-blocks.ts";

interface GroupRow {
  seq: number;
  n: number;
  min_step: number;
  max_step: number;
  sorted: number;
  group_data: Buffer;
}

type TailRow = [step: number, epoch: number, time: number, value: number];

const statements = new WeakMap<Database.Database, Record<"groups" | "blocks" | "tail", Database.Statement>>();

function statementsOf(sqlite: Database.Database) {
  let s = statements.get(sqlite);
  if (!s) {
    s = {
      groups: sqlite.prepare(
        `SELECT seq, n, min_step, max_step, sorted, group_data FROM metric_groups
         WHERE run_id = ? AND key = ? AND max_step >= ? AND min_step <= ? ORDER BY seq`,
      ),
      blocks: sqlite.prepare("SELECT COUNT(*) FROM metric_blocks WHERE run_id = ? AND key = ? AND max_step >= ? AND min_step <= ?").pluck(),
      tail: sqlite.prepare("SELECT step, epoch, time, value FROM metrics WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ? ORDER BY rowid").raw(),
    };
    statements.set(sqlite, s);
  }
  return s;
}

/** A stretch of the series in step order: a block read through its groups, or points read one by one. */
type Segment = { seq: number; n: number; groups: Float64Array } | { points: SeriesColumns; start: number; end: number };

/**
 * The buckets of one series over [from, to] from group aggregates, or null when they cannot stand in for
 * the points: a block without aggregates yet, points out of step order (a resumed run's replayed steps),
 * or few enough points that every one is its own bucket. The caller then buckets every point.
 * `stride`: seriesStride(), which sets the bucket grain exactly as the point-by-point read does.
 */
export function readGroupBuckets(sqlite: Database.Database, runId: string, key: string, from: number, to: number, maxPoints: number, stride: number): BucketedSeries | null {
  const st = statementsOf(sqlite);
  const rows = st.groups.all(runId, key, from, to) as GroupRow[];
  if (!rows.length || rows.length !== (st.blocks.get(runId, key, from, to) as number)) return null;
  const tail = st.tail.all(runId, key, from, to) as TailRow[];

  const segments: Segment[] = [];
  let total = 0;
  let prevMax = -Infinity;
  for (const r of rows) {
    if (!r.sorted || r.min_step < prevMax) return null;
    prevMax = r.max_step;
    if (r.min_step >= from && r.max_step <= to) {
      segments.push({ seq: r.seq, n: r.n, groups: decodeGroups(r.group_data, r.n) });
      total += r.n;
      continue;
    }
    // a block across an end of the range: only its points inside count
    const points = readBlockColumns(sqlite, runId, key, r.seq);
    if (!points) return null;
    let start = 0;
    while (start < points.length && points.step[start] < from) start++;
    let end = start;
    while (end < points.length && points.step[end] <= to) end++;
    if (end > start) segments.push({ points, start, end });
    total += end - start;
  }
  if (tail.length) {
    const points: SeriesColumns = { length: tail.length, step: new Float64Array(tail.length), epoch: new Float64Array(tail.length), time: new Float64Array(tail.length), value: new Float64Array(tail.length) };
    tail.forEach(([s, e, t, v], i) => {
      points.step[i] = s;
      points.epoch[i] = e;
      points.time[i] = t;
      points.value[i] = v;
    });
    for (let i = 0; i < tail.length; i++) {
      if (points.step[i] < prevMax) return null;
      prevMax = points.step[i];
    }
    segments.push({ points, start: 0, end: tail.length });
    total += tail.length;
  }
  if (total <= maxPoints || !segments.length) return null;

  const lo = firstStep(segments[0]);
  const hi = lastStep(segments[segments.length - 1]);
  const width = bucketWidth(hi - lo + 1, total, maxPoints, stride * GROUP_POINTS);
  const b = new BucketBuilder(lo, width, total);
  for (const seg of segments) {
    if ("points" in seg) {
      feed(b, seg.points, seg.start, seg.end);
      continue;
    }
    const g = seg.groups;
    let points: SeriesColumns | null = null;
    for (let i = 0, o = 0; o < g.length; i++, o += GROUP_FIELDS) {
      const size = groupSize(seg.n, i);
      if (b.group(g[o + G_FIRST_STEP], g[o + G_LAST_STEP], size, g[o + G_LAST_EPOCH], g[o + G_LAST_TIME], g[o + G_LAST_VALUE], g[o + G_MIN], g[o + G_MAX], g[o + G_SUM], g[o + G_FINITE])) continue;
      points ??= readBlockColumns(sqlite, runId, key, seg.seq);
      if (!points || points.length !== seg.n) throw new Error(`metric block ${seg.seq} of ${runId}/${key} does not match its group aggregates`);
      feed(b, points, i * GROUP_POINTS, i * GROUP_POINTS + size);
    }
  }
  return b.finish();
}

function feed(b: BucketBuilder, c: SeriesColumns, start: number, end: number): void {
  for (let i = start; i < end; i++) b.point(c.step[i], c.epoch[i], c.time[i], c.value[i]);
}

function firstStep(seg: Segment): number {
  return "points" in seg ? seg.points.step[seg.start] : seg.groups[G_FIRST_STEP];
}

function lastStep(seg: Segment): number {
  return "points" in seg ? seg.points.step[seg.end - 1] : seg.groups[seg.groups.length - GROUP_FIELDS + G_LAST_STEP];
}
