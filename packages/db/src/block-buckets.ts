// Chart buckets built from the stored group aggregates (block-groups.ts, a row per 8 blocks) instead of every point: a
// bucket of 256 steps over an evenly spaced series takes 8 groups of 72 bytes, not 256 points of 16 bytes.
// Only a group that straddles a bucket edge (or the range's ends) is read point by point, from its block.
// The result is the same as bucketing every point (chart-queries.ts bucketColumns; both use
// BucketBuilder), except that a bucket's mean sums per group first (float rounding only).
import type Database from "better-sqlite3";
import {
  decodeGroups, G_FINITE, G_FIRST_STEP, G_LAST_EPOCH, G_LAST_STEP, G_LAST_TIME, G_LAST_VALUE, G_MAX, G_MIN, G_SUM, GROUP_FIELDS, GROUP_PAGE_BLOCKS, GROUP_POINTS, groupSize,
} from "./block-groups.ts";
import { BucketBuilder, bucketWidth } from "./bucket-builder.ts";
import type { BucketedSeries } from "@trainyard/protocol/series";
import { readBlockColumns, tailValue, type SeriesColumns } from "./metric-blocks.ts";
import { stmt } from "./prepared.ts";

interface GroupPageRow {
  page: number;
  blocks: number;
  block_points: string;
  sorted: number;
  group_data: Buffer;
}

type TailRow = [step: number, epoch: number, time: number, value: number | null];

/** A stretch of the series in step order: a block read through its groups, or points read one by one. */
type Segment = { seq: number; n: number; groups: Float64Array; at: number } | { points: SeriesColumns; start: number; end: number };

/**
 * The buckets of one series over [from, to] from group aggregates, or null when they cannot stand in for
 * the points: blocks without aggregates yet, points out of step order (a resumed run's replayed steps),
 * or few enough points that every one is its own bucket. The caller then buckets every point.
 * `stride`: seriesStride(), which sets the bucket grain exactly as the point-by-point read does.
 */
export function readGroupBuckets(sqlite: Database.Database, runId: string, key: string, from: number, to: number, maxPoints: number, stride: number): BucketedSeries | null {
  const blockCount = stmt(sqlite, "SELECT COUNT(*) FROM metric_blocks WHERE run_id = ? AND key = ?").pluck().get(runId, key) as number;
  const grouped = stmt(sqlite, "SELECT COALESCE(SUM(blocks), 0) FROM metric_groups WHERE run_id = ? AND key = ?").pluck().get(runId, key) as number;
  if (!blockCount || grouped !== blockCount) return null;
  const pages = stmt(
    sqlite,
    `SELECT page, blocks, block_points, sorted, group_data FROM metric_groups
     WHERE run_id = ? AND key = ? AND max_step >= ? AND min_step <= ? ORDER BY page`,
  ).all(runId, key, from, to) as GroupPageRow[];
  const tail = stmt(sqlite, "SELECT step, epoch, time, value FROM metrics WHERE run_id = ? AND key = ? AND step BETWEEN ? AND ? ORDER BY rowid")
    .raw()
    .all(runId, key, from, to) as TailRow[];

  const segments: Segment[] = [];
  let total = 0;
  let prevMax = -Infinity;
  for (const p of pages) {
    if (!p.sorted) return null;
    const blockPoints = JSON.parse(p.block_points) as number[];
    const groups = decodeGroups(p.group_data, blockPoints);
    let at = 0;
    for (const [j, n] of blockPoints.entries()) {
      const seq = p.page * GROUP_PAGE_BLOCKS + j;
      const size = Math.ceil(n / GROUP_POINTS) * GROUP_FIELDS;
      const first = groups[at + G_FIRST_STEP];
      const last = groups[at + size - GROUP_FIELDS + G_LAST_STEP];
      if (first < prevMax) return null;
      prevMax = last;
      if (first >= from && last <= to) {
        segments.push({ seq, n, groups, at });
        total += n;
      } else if (last >= from && first <= to) {
        // a block across an end of the range: only its points inside count
        const points = readBlockColumns(sqlite, runId, key, seq);
        if (!points) return null;
        let start = 0;
        while (start < points.length && points.step[start] < from) start++;
        let end = start;
        while (end < points.length && points.step[end] <= to) end++;
        if (end > start) segments.push({ points, start, end });
        total += end - start;
      }
      at += size;
    }
  }
  if (tail.length) {
    const points: SeriesColumns = { length: tail.length, step: new Float64Array(tail.length), epoch: new Float64Array(tail.length), time: new Float64Array(tail.length), value: new Float64Array(tail.length) };
    tail.forEach(([s, e, t, v], i) => {
      points.step[i] = s;
      points.epoch[i] = e;
      points.time[i] = t;
      points.value[i] = tailValue(v);
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
    const { groups: g, n, at } = seg;
    let points: SeriesColumns | null = null;
    for (let i = 0, o = at; i * GROUP_POINTS < n; i++, o += GROUP_FIELDS) {
      const size = groupSize(n, i);
      if (b.group(g[o + G_FIRST_STEP], g[o + G_LAST_STEP], size, g[o + G_LAST_EPOCH], g[o + G_LAST_TIME], g[o + G_LAST_VALUE], g[o + G_MIN], g[o + G_MAX], g[o + G_SUM], g[o + G_FINITE])) continue;
      points ??= readBlockColumns(sqlite, runId, key, seg.seq);
      if (!points || points.length !== n) throw new Error(`metric block ${seg.seq} of ${runId}/${key} does not match its group aggregates`);
      feed(b, points, i * GROUP_POINTS, i * GROUP_POINTS + size);
    }
  }
  return b.finish();
}

function feed(b: BucketBuilder, c: SeriesColumns, start: number, end: number): void {
  for (let i = start; i < end; i++) b.point(c.step[i], c.epoch[i], c.time[i], c.value[i]);
}

function firstStep(seg: Segment): number {
  return "points" in seg ? seg.points.step[seg.start] : seg.groups[seg.at + G_FIRST_STEP];
}

function lastStep(seg: Segment): number {
  return "points" in seg ? seg.points.step[seg.end - 1] : seg.groups[seg.at + Math.ceil(seg.n / GROUP_POINTS) * GROUP_FIELDS - GROUP_FIELDS + G_LAST_STEP];
}
