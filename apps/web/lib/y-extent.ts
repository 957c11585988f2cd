// The y range of a chart: all finite values, or with "ignore outliers" the 5th–95th percentile band
// padded by a tenth (as TensorBoard's ignoreYOutliers), so one diverged step does not flatten the rest;
// log scale keeps positive values only. Pure; no React.

export interface YExtentOptions {
  ignoreOutliers: boolean;
  log: boolean;
}

const LOW_Q = 0.05;
const HIGH_Q = 0.95;

/** Quantile of sorted values, linear between neighbours. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * [min, max] for the y axis over several value arrays. Never returns an empty range: a flat line gets
 * ±5% (or ±1 around 0). Returns null when there is nothing finite (nothing positive on a log axis).
 */
export function yExtent(arrays: readonly ArrayLike<number>[], opts: YExtentOptions): [number, number] | null {
  // a min / max scan first, with no copy: the hot path of every slider movement
  let { lo, hi, count: m } = scanRange(arrays, opts.log);
  if (!m) return null;
  if (!opts.ignoreOutliers || m < 20) return pad([lo, hi], opts.log);
  const vals = new Float64Array(m);
  m = 0;
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (Number.isFinite(v) && (!opts.log || v > 0)) vals[m++] = v;
    }
  const finite = vals.sort();
  {
    lo = quantile(finite, LOW_Q);
    hi = quantile(finite, HIGH_Q);
    if (opts.log) {
      const span = Math.log10(hi) - Math.log10(lo);
      return pad([Math.pow(10, Math.log10(lo) - span * 0.1), Math.pow(10, Math.log10(hi) + span * 0.1)], true);
    }
    const span = hi - lo;
    lo -= span * 0.1;
    hi += span * 0.1;
  }
  return pad([lo, hi], opts.log);
}

/** Min, max and count of the finite values (positive ones on a log axis) of several arrays. */
export function scanRange(arrays: readonly ArrayLike<number>[], log: boolean): { lo: number; hi: number; count: number } {
  let lo = Infinity;
  let hi = -Infinity;
  let count = 0;
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      count++;
    }
  return { lo, hi, count };
}

/**
 * yExtent without outlier clipping, from the scans of two groups of arrays: the same range as one scan of
 * both. A chart scans its bands once per bucket read and only its smoothed lines per slider tick.
 */
export function joinedExtent(a: ReturnType<typeof scanRange>, b: ReturnType<typeof scanRange>, log: boolean): [number, number] | null {
  if (!a.count && !b.count) return null;
  return pad([Math.min(a.lo, b.lo), Math.max(a.hi, b.hi)], log);
}

function pad([lo, hi]: [number, number], log: boolean): [number, number] {
  if (hi > lo) return [lo, hi];
  if (log) return [lo / 1.1, hi * 1.1];
  const d = lo === 0 ? 1 : Math.abs(lo) * 0.05;
  return [lo - d, hi + d];
}

/** Ticks for a linear axis: ~`count` round values (1, 2, 5 × 10^k) inside [lo, hi]. */
export function linearTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // stepping from the first tick by index, at most 50: a range tiny against its magnitude (wall seconds
  // ~1.7e9 wide 1e-6) would otherwise never advance k * step past hi
  const start = Math.ceil(lo / step) * step;
  if (!Number.isFinite(start) || !(step > 0)) return [lo, hi];
  for (let i = 0; i <= 50 && start + i * step <= hi + step * 1e-9; i++) out.push(Number((start + i * step).toPrecision(12)));
  return out.length ? out : [lo, hi];
}

/** Ticks for a log axis: the powers of ten inside [lo, hi] (and the ends when there are fewer than two). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) out.push(Math.pow(10, e));
  return out.length >= 2 ? out : [lo, hi];
}

/** Ticks for an axis of whole numbers (years): the round ticks that are integers, at least one. */
export function integerTicks(lo: number, hi: number, count = 5): number[] {
  const ticks = linearTicks(lo, hi, count).filter(Number.isInteger);
  if (ticks.length) return ticks;
  const mid = Math.round((lo + hi) / 2);
  return [mid];
}
