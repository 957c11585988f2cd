// From the daemon's bucketed series to what a chart draws: x in the chosen axis mode, the raw line, the
// min–max band and the smoothed line (the server's exact full-resolution EMA when it was computed for the
// current weight, the count-aware bucket EMA meanwhile), plus phase markers and a colour per run. Pure.
import { xValues, type XAxisMode } from "./axis-modes.ts";
import type { ChartLine, ChartMarker } from "../components/line-chart.tsx";
import type { PhaseBoundary } from "./phase-boundaries.ts";
import { smoothBuckets } from "./smoothing.ts";
import type { BucketedSeries, SeriesSmoothing } from "@trainyard/protocol/series";

/** A bucketed series as charts.series returns it (the shape lives with the query). */
export type Buckets = BucketedSeries;

type ByRun<T> = Record<string, Record<string, T>>;

/**
 * charts.series with charts.smoothing merged in: a series gets the exact smoothing only where both reads
 * saw the same points (`total` and bucket count agree; a live run may have grown in between), else null.
 */
export function withSmoothing(buckets: ByRun<Buckets> | undefined, smooth: ByRun<SeriesSmoothing> | undefined): ByRun<Buckets> | undefined {
  if (!buckets) return undefined;
  const out: ByRun<Buckets> = {};
  for (const [run, byKey] of Object.entries(buckets)) {
    out[run] = {};
    for (const [key, b] of Object.entries(byKey)) {
      const s = smooth?.[run]?.[key];
      out[run][key] = s && s.total === b.total && s.smooth.length === b.step.length ? { ...b, smooth: s.smooth } : { ...b, smooth: null };
    }
  }
  return out;
}

export interface LineStyle {
  id: string;
  label: string;
  color: string;
}

/**
 * One drawable line. `serverWeight` is the smoothing weight the buckets were read with: when it equals
 * `weight` the server's exact EMA is used, otherwise the EMA is recomputed here from bucket means and
 * counts (instant, and exact whenever each bucket holds one point).
 */
export function toChartLine(style: LineStyle, b: Buckets, mode: XAxisMode, weight: number, serverWeight: number): ChartLine & { exact: boolean } {
  const x = cachedX(b, mode);
  let smooth: ArrayLike<number> | null = null;
  let exact = true;
  if (weight > 0) {
    if (b.smooth && serverWeight === weight) smooth = b.smooth;
    else {
      smooth = smoothBuckets(b.mean, b.count, weight);
      exact = b.count.every((c) => c === 1);
    }
  }
  return { ...style, x, y: b.last, lo: b.min, hi: b.max, smooth, exact };
}

// x positions per bucket read and axis mode: a slider change rebuilds every line, but only the smoothed
// values differ, so x keeps its identity and the chart need not redraw what did not change (line-chart.tsx).
// Keyed by the step array, which a read's buckets keep when the exact smoothing is merged in.
const xCache = new WeakMap<ArrayLike<number>, Map<XAxisMode, Float64Array>>();

function cachedX(b: Buckets, mode: XAxisMode): Float64Array {
  let byMode = xCache.get(b.step);
  if (!byMode) xCache.set(b.step, (byMode = new Map()));
  let x = byMode.get(mode);
  if (!x) byMode.set(mode, (x = xValues(b, mode)));
  return x;
}

/** Phase boundary steps placed on the chosen x axis, via the points of a reference series. */
export function phaseMarkers(boundaries: readonly PhaseBoundary[], ref: Buckets | undefined, mode: XAxisMode): ChartMarker[] {
  if (!ref || !ref.step.length) return [];
  const x = xValues(ref, mode);
  return boundaries.flatMap((b) => {
    const i = ref.step.findIndex((s) => s >= b.step);
    if (i < 0) return [];
    // the boundary sits just before the first point of the new phase; in epoch mode on the integer epoch
    return [{ x: mode === "epoch" ? Math.ceil(x[i]) - 1 : x[i], label: b.phase }];
  });
}

/** "train/loss NaN" at the step where a key first became non-finite, placed on the x axis like a phase marker. */
export function nonFiniteMarkers(first: Readonly<Record<string, { step: number; value: number | string }>>, ref: Buckets | undefined, mode: XAxisMode): ChartMarker[] {
  if (!ref || !ref.step.length) return [];
  const x = xValues(ref, mode);
  return Object.entries(first).flatMap(([key, p]) => {
    let i = ref.step.findIndex((s) => s >= p.step);
    if (i < 0) i = ref.step.length - 1;
    return [{ x: x[i], label: `${key} ${p.value}` }];
  });
}

/** The step / epoch pairs of buckets, for phaseBoundaries(). */
export function stepEpochs(b: Buckets): { step: number; epoch: number }[] {
  return b.step.map((step, i) => ({ step, epoch: b.epoch[i] }));
}

/**
 * Colour of the i-th run: golden-angle hues, so 50 overlaid runs stay distinguishable and neighbours in
 * the selection never share a colour; mid lightness reads on light and dark backgrounds.
 */
export function runColor(i: number): string {
  const base = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#a855f7", "#06b6d4", "#ec4899", "#84cc16"];
  if (i < base.length) return base[i];
  return `hsl(${Math.round((i * 137.508) % 360)} 70% 52%)`;
}

/** Largest bucket count of any line: what the speed spec checks stays near the requested maximum. */
export function maxSeriesPoints(lines: readonly { x: ArrayLike<number> }[]): number {
  return lines.reduce((m, l) => Math.max(m, l.x.length), 0);
}
