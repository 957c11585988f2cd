// Client-side bucketing of a step-ordered series to at most `maxPoints` buckets, the way the daemon's
// charts.series does it: equal step widths from the first step; each bucket keeps its min, max, last
// point, mean and count, so a spike survives any zoom level. Used to re-bucket live runs. Pure.

export interface RawPoint {
  step: number;
  value: number;
}

export interface Bucket {
  step: number;
  last: number;
  min: number;
  max: number;
  mean: number;
  count: number;
}

export function bucketize(points: readonly RawPoint[], maxPoints: number): Bucket[] {
  if (!points.length) return [];
  const limit = Math.max(2, Math.floor(maxPoints));
  const lo = points[0].step;
  const hi = points[points.length - 1].step;
  const width = points.length <= limit ? 0 : Math.max(1, Math.ceil((hi - lo + 1) / limit));
  const out: Bucket[] = [];
  let current = Number.NaN;
  let finite = 0;
  for (const [i, p] of points.entries()) {
    const b = width ? Math.floor((p.step - lo) / width) : i;
    const top = out[out.length - 1];
    if (top && b === current) {
      top.step = p.step;
      top.last = p.value;
      if (p.value < top.min) top.min = p.value;
      if (p.value > top.max) top.max = p.value;
      if (Number.isFinite(p.value)) top.mean += (p.value - top.mean) / ++finite;
      top.count += 1;
    } else {
      current = b;
      finite = Number.isFinite(p.value) ? 1 : 0;
      out.push({ step: p.step, last: p.value, min: p.value, max: p.value, mean: finite ? p.value : 0, count: 1 });
    }
  }
  return out;
}
