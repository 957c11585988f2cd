// The bucketed series as sent to the browser: values at seven significant digits (float32's precision,
// which is what TensorBoard's event files store and show) and wall times at milliseconds. A compare view
// of 300 series × 400 buckets is about half the JSON it would be at full double precision, which the
// browser parses before it can paint. Exact values stay one click away: CSV export reads the store.
import type { BucketedSeries, SeriesSmoothing } from "@trainyard/db";

export const WIRE_DIGITS = 7;

/** 10^0 .. 10^22, all exact in float64: a lookup instead of a power per value (~40% of the rounding). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** `v` rounded to `digits` significant digits, as the shortest double that prints that way. */
export function roundSignificant(v: number, digits = WIRE_DIGITS): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  const k = digits - 1 - Math.floor(Math.log10(Math.abs(v)));
  // integer / 10^k (and integer × 10^-k) are correctly rounded, so they print as the short decimal
  if (k >= 0 && k <= 22) {
    const scale = POW10[k];
    return Math.round(v * scale) / scale;
  }
  if (k < 0 && k >= -22) {
    const scale = POW10[-k];
    return Math.round(v / scale) * scale;
  }
  return Number(v.toPrecision(digits));
}

const round = (xs: number[]) => xs.map((v) => roundSignificant(v));

export function seriesForWire(b: BucketedSeries): BucketedSeries {
  return {
    step: b.step,
    epoch: b.epoch,
    time: b.time.map((t) => Math.round(t * 1000) / 1000),
    last: round(b.last),
    min: round(b.min),
    max: round(b.max),
    mean: round(b.mean),
    count: b.count,
    smooth: b.smooth && round(b.smooth),
    total: b.total,
  };
}

export function smoothingForWire(s: SeriesSmoothing): SeriesSmoothing {
  return { total: s.total, smooth: round(s.smooth) };
}
