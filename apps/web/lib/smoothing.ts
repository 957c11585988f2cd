// Smoothing for the charts: TensorBoard's debiased exponential moving average, point for point as
// webapp/widgets/line_chart_v2/data_transformer.ts computes it, and the same EMA over server buckets that
// carry their point count. Pure; no React.

export interface XY {
  x: number;
  y: number;
}

/** Clamps the slider value the way TensorBoard does: non-finite → 0, then into [0, 1]. */
export function clampSmoothing(w: number): number {
  if (!Number.isFinite(w)) return 0;
  return Math.max(0, Math.min(w, 1));
}

/**
 * TensorBoard's classic smoothing. EMA starting from 0, divided by the debias term 1 - w^n where n counts
 * the finite points seen so far (an EMA started at 0 is biased towards 0 by exactly that factor).
 * - a constant series is returned unchanged (tensorflow/tensorboard#786: float error made flat lines wobble);
 * - a non-finite value (NaN, ±Infinity) passes through and does not advance the EMA;
 * - w = 1 has no debias term (TensorBoard skips it), so the line stays at 0.
 */
export function smoothTensorBoard(points: readonly XY[], weight: number): XY[] {
  if (!points.length) return [];
  const w = clampSmoothing(weight);
  const first = points[0].y;
  if (points.every((p) => p.y === first)) return points.map((p) => ({ x: p.x, y: p.y }));
  let last = 0;
  let n = 0;
  return points.map((p) => {
    if (!Number.isFinite(p.y)) return { x: p.x, y: p.y };
    last = last * w + (1 - w) * p.y;
    n += 1;
    const debias = w === 1 ? 1 : 1 - Math.pow(w, n);
    return { x: p.x, y: last / debias };
  });
}

/**
 * The same EMA over buckets of `count[i]` points with mean `mean[i]`: a bucket advances the EMA by its
 * count, w^k, towards its mean, and the debias term uses the running point count. With one point per
 * bucket this is exactly smoothTensorBoard; with more it treats the points of a bucket as equal to their
 * mean, so the smoothing strength follows the real point density, not the number of buckets drawn
 * (TensorBoard smooths its ~1,000 sampled points, so the same slider smooths more when a run is longer).
 */
export function smoothBuckets(mean: ArrayLike<number>, count: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(mean.length);
  const w = clampSmoothing(weight);
  let constant = true;
  for (let i = 1; i < mean.length && constant; i++) constant = mean[i] === mean[0];
  let last = 0;
  let n = 0;
  // Runs on every slider tick for every line (300 × 400 buckets in a compare view), so no Math.pow that can
  // be spared: w^k is kept for the last two bucket sizes (buckets hold one size, or two alternating ones
  // when the points do not divide evenly), and the debias term is dropped once 1 - w^n rounds to 1, after
  // which it stays 1 (the same values, bit for bit).
  let k = 0;
  let wk = 1;
  let k2 = 0;
  let wk2 = 1;
  let debiased = w === 1; // TensorBoard skips the debias term at w = 1
  for (let i = 0; i < mean.length; i++) {
    const v = mean[i];
    if (constant || !Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    const size = Math.max(1, count[i]);
    if (size !== k) {
      // swap in the other cached size, or compute this one in its place
      const pk = k;
      const pw = wk;
      wk = size === k2 ? wk2 : Math.pow(w, size);
      k = size;
      k2 = pk;
      wk2 = pw;
    }
    last = last * wk + (1 - wk) * v;
    n += size;
    if (debiased) out[i] = last;
    else {
      const debias = 1 - Math.pow(w, n);
      if (debias === 1) debiased = true;
      out[i] = last / debias;
    }
  }
  return out;
}
