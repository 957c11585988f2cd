// Aggregates of each metric block's 32-point groups, stored beside the blocks (table metric_groups, one
// row per page of GROUP_PAGE_BLOCKS blocks, appended to as blocks are sealed): the
// first and last step of the group, its last point (epoch, time, value), its min and max and the sum and
// count of its finite values. Everything a chart bucket keeps, so a bucket made of whole groups is built
// from 72 bytes per 32 points instead of 512 (block-buckets.ts). Points stay the truth: a group that
// straddles a bucket edge is read point by point from its block.

/** Points per group. Bucket widths are rounded to whole groups when a series is evenly spaced. */
export const GROUP_POINTS = 32;

/** Consecutive blocks of a series whose groups share one metric_groups row. */
export const GROUP_PAGE_BLOCKS = 8;

/** Float64 fields per group, in this order. */
export const GROUP_FIELDS = 9;
export const G_FIRST_STEP = 0;
export const G_LAST_STEP = 1;
export const G_LAST_EPOCH = 2;
export const G_LAST_TIME = 3;
export const G_LAST_VALUE = 4;
/** Extremes over the values that are not NaN (+Infinity / -Infinity when there are none). */
export const G_MIN = 5;
export const G_MAX = 6;
/** Sum and count of the finite values. */
export const G_SUM = 7;
export const G_FINITE = 8;

/** Points in group `g` of a block of `n` points. */
export function groupSize(n: number, g: number): number {
  return Math.min(GROUP_POINTS, n - g * GROUP_POINTS);
}

/** The group aggregates of one block's points (arrival order), and whether its steps never decrease. */
export function encodeGroups(step: ArrayLike<number>, epoch: ArrayLike<number>, time: ArrayLike<number>, value: ArrayLike<number>, n: number): { data: Buffer; sorted: boolean } {
  const groups = Math.ceil(n / GROUP_POINTS);
  const out = new Float64Array(groups * GROUP_FIELDS);
  let sorted = true;
  for (let g = 0; g < groups; g++) {
    const start = g * GROUP_POINTS;
    const end = start + groupSize(n, g);
    let mn = Infinity;
    let mx = -Infinity;
    let sum = 0;
    let finite = 0;
    for (let i = start; i < end; i++) {
      const v = value[i];
      if (v < mn) mn = v;
      if (v > mx) mx = v;
      if (v - v === 0) {
        sum += v;
        finite++;
      }
      if (i && step[i] < step[i - 1]) sorted = false;
    }
    const o = g * GROUP_FIELDS;
    out[o + G_FIRST_STEP] = step[start];
    out[o + G_LAST_STEP] = step[end - 1];
    out[o + G_LAST_EPOCH] = epoch[end - 1];
    out[o + G_LAST_TIME] = time[end - 1];
    out[o + G_LAST_VALUE] = value[end - 1];
    out[o + G_MIN] = mn;
    out[o + G_MAX] = mx;
    out[o + G_SUM] = sum;
    out[o + G_FINITE] = finite;
  }
  return { data: Buffer.from(out.buffer), sorted };
}

/** The stored aggregates of blocks of `points[i]` points each, checked for size (SQLite's buffers need not be aligned). */
export function decodeGroups(blob: Buffer, points: readonly number[]): Float64Array {
  let want = 0;
  for (const n of points) want += Math.ceil(n / GROUP_POINTS) * GROUP_FIELDS * 8;
  if (blob.byteLength !== want) throw new Error(`metric group data is corrupt: ${blob.byteLength} bytes for blocks of ${points.join(", ")} points (expected ${want})`);
  if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, want / 8);
  const out = new Float64Array(want / 8);
  new Uint8Array(out.buffer).set(blob);
  return out;
}
