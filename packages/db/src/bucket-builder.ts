// The one definition of a chart bucket: equal-width step buckets from the first step of the range, each
// keeping its min, max (over non-NaN values), last point, and the sum and count of its finite values. Fed
// point by point (chart-queries.ts) or a whole 32-point group at a time (block-buckets.ts); both paths give
// the same buckets because both go through this class.
import type { BucketedSeries } from "@trainyard/protocol/series";

/**
 * Step width of a bucket (0: one bucket per point, when the points fit). `grain` is the step span of a
 * group of stored points when the series is evenly spaced (block-groups.ts): a width of at least four
 * grains is rounded up to whole grains, so bucket edges fall on group edges and a read can use each
 * group's aggregates instead of its points. That costs at most a fifth of the buckets asked for.
 */
export function bucketWidth(span: number, total: number, maxPoints: number, grain: number): number {
  if (total <= maxPoints) return 0;
  const w = Math.max(1, Math.ceil(span / maxPoints));
  return grain > 1 && w >= 4 * grain ? Math.ceil(w / grain) * grain : w;
}

/** First step past the bucket that holds `step`. */
export function bucketLimit(lo: number, width: number, step: number): number {
  return lo + (Math.floor((step - lo) / width) + 1) * width;
}

export interface Ema {
  push(value: number): number;
}

export class BucketBuilder {
  readonly out: BucketedSeries;
  /** Points in the open bucket (0: none open). */
  private count = 0;
  /** First step past the open bucket. */
  private limit = 0;
  private mn = Infinity;
  private mx = -Infinity;
  private sum = 0;
  private finite = 0;
  private lastStep = 0;
  private lastEpoch = 0;
  private lastTime = 0;
  private lastValue = 0;
  private smoothed = 0;

  /**
   * @param lo first step of the range (bucket edges are lo + k * width)
   * @param width from bucketWidth; 0 puts every point in its own bucket
   * @param ema when given, every point goes through it and each bucket records its value at the last point
   */
  constructor(
    private readonly lo: number,
    private readonly width: number,
    total: number,
    private readonly ema: Ema | null = null,
  ) {
    this.out = { step: [], epoch: [], time: [], last: [], min: [], max: [], mean: [], count: [], smooth: ema ? [] : null, total };
  }

  private limitOf(step: number): number {
    return bucketLimit(this.lo, this.width, step);
  }

  point(step: number, epoch: number, time: number, value: number): void {
    if (this.count && (this.width === 0 || step >= this.limit)) this.close();
    if (!this.count && this.width) this.limit = this.limitOf(step);
    // NaN never wins a comparison, so a diverged value does not poison the bucket's extremes
    if (value < this.mn) this.mn = value;
    if (value > this.mx) this.mx = value;
    if (value - value === 0) {
      this.sum += value;
      this.finite++;
    }
    if (this.ema) this.smoothed = this.ema.push(value);
    this.count++;
    this.lastStep = step;
    this.lastEpoch = epoch;
    this.lastTime = time;
    this.lastValue = value;
  }

  /**
   * A whole group of `n` step-ordered points from `firstStep` to `lastStep`, if they fall in one bucket;
   * false (nothing added) when they straddle an edge: the caller then feeds its points one by one. Not for
   * a builder with an EMA, which needs every point.
   */
  group(firstStep: number, lastStep: number, n: number, lastEpoch: number, lastTime: number, lastValue: number, mn: number, mx: number, sum: number, finite: number): boolean {
    if (this.width === 0 || this.ema) return false;
    if (this.count && firstStep >= this.limit) this.close();
    const limit = this.count ? this.limit : this.limitOf(firstStep);
    if (lastStep >= limit) return false;
    this.limit = limit;
    if (mn < this.mn) this.mn = mn;
    if (mx > this.mx) this.mx = mx;
    this.sum += sum;
    this.finite += finite;
    this.count += n;
    this.lastStep = lastStep;
    this.lastEpoch = lastEpoch;
    this.lastTime = lastTime;
    this.lastValue = lastValue;
    return true;
  }

  private close(): void {
    const o = this.out;
    o.step.push(this.lastStep);
    o.epoch.push(this.lastEpoch);
    o.time.push(this.lastTime);
    o.last.push(this.lastValue);
    // every value NaN: the extremes are NaN too
    o.min.push(this.mn <= this.mx ? this.mn : Number.NaN);
    o.max.push(this.mn <= this.mx ? this.mx : Number.NaN);
    o.mean.push(this.finite ? this.sum / this.finite : 0);
    o.count.push(this.count);
    o.smooth?.push(this.smoothed);
    this.count = 0;
    this.mn = Infinity;
    this.mx = -Infinity;
    this.sum = 0;
    this.finite = 0;
  }

  finish(): BucketedSeries {
    if (this.count) this.close();
    return this.out;
  }
}
