// Metric series maths for the live charts: merging live points into downsampled series, thinning long
// series, and joining several keys into chart rows. Pure; no React.

import type { LivePoint, SeriesPoint } from "@trainyard/protocol/series";

export type { LivePoint, SeriesPoint };

export type SeriesMap = Record<string, SeriesPoint[]>;

export function fromLivePoint(p: LivePoint): SeriesPoint {
  return { step: p.step, epoch: p.epoch, time: p.time, value: p.value, min: p.value, max: p.value };
}

/**
 * `incoming` merged into the step-ordered `existing`; a point at a step already present replaces it (the
 * same event can reach us twice: in the initial read and on the live stream, or after a reconnect).
 */
export function mergeSeries(existing: readonly SeriesPoint[], incoming: readonly SeriesPoint[]): SeriesPoint[] {
  if (!incoming.length) return existing as SeriesPoint[];
  const last = existing.length ? existing[existing.length - 1].step : -Infinity;
  // The common case, live points strictly after everything we hold, is a plain append.
  if (isStrictlyIncreasing(incoming) && incoming[0].step > last) return existing.concat(incoming);
  const byStep = new Map<number, SeriesPoint>();
  for (const p of existing) byStep.set(p.step, p);
  for (const p of incoming) byStep.set(p.step, p);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

function isStrictlyIncreasing(points: readonly SeriesPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i].step <= points[i - 1].step) return false;
  return true;
}

/**
 * Halves a series by merging neighbouring pairs (keeping the later point's value and the pair's min and
 * max, as the daemon's downsampling does) until it holds at most `maxPoints`, so a long live session does
 * not grow the chart without bound. The last point always survives: it is the newest value.
 */
export function thinSeries(points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  let out = points as SeriesPoint[];
  while (out.length > Math.max(2, maxPoints)) {
    const next: SeriesPoint[] = [];
    // pair from the end so the newest point stays unmerged when the count is odd
    const start = out.length % 2;
    if (start) next.push(out[0]);
    for (let i = start; i + 1 < out.length; i += 2) {
      const a = out[i];
      const b = out[i + 1];
      next.push({ ...b, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) });
    }
    out = next;
  }
  return out;
}

/**
 * Live points appended to the series of the tracked `keys`. Returns `series` itself when nothing changed,
 * so a cache update for untracked keys re-renders nothing. Series over `2 * maxPoints` are thinned.
 */
export function appendLivePoints(
  series: SeriesMap,
  points: readonly LivePoint[],
  keys: readonly string[],
  maxPoints = 2000,
): SeriesMap {
  const grouped = new Map<string, SeriesPoint[]>();
  for (const p of points) {
    if (!keys.includes(p.key)) continue;
    const list = grouped.get(p.key) ?? [];
    list.push(fromLivePoint(p));
    grouped.set(p.key, list);
  }
  if (!grouped.size) return series;
  const next: SeriesMap = { ...series };
  for (const [key, incoming] of grouped) {
    const merged = mergeSeries(series[key] ?? [], incoming);
    next[key] = merged.length > 2 * maxPoints ? thinSeries(merged, maxPoints) : merged;
  }
  return next;
}

/** The highest step held in any series, or null when all are empty. */
export function lastStep(series: SeriesMap): number | null {
  let best: number | null = null;
  for (const points of Object.values(series)) {
    const p = points[points.length - 1];
    if (p && (best === null || p.step > best)) best = p.step;
  }
  return best;
}

/** A row of a multi-line chart: the step and each key's value there (null where the key has none). */
export type ChartRow = { step: number } & Record<string, number | null>;

/**
 * Several series joined on step into rows for one chart. Keys are logged at different steps (train every
 * few steps, val once an epoch), so a row holds null for the keys without a point at its step; the chart
 * connects across those. A non-finite value (a diverged loss) becomes null too: a gap, not a broken axis.
 */
export function joinSeries(series: SeriesMap, keys: readonly string[]): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const key of keys) {
    for (const p of series[key] ?? []) {
      let row = rows.get(p.step);
      if (!row) {
        row = { step: p.step } as ChartRow;
        for (const k of keys) row[k] = null;
        rows.set(p.step, row);
      }
      row[key] = Number.isFinite(p.value) ? p.value : null;
    }
  }
  return [...rows.values()].sort((a, b) => a.step - b.step);
}

/** The number of points a chart draws for `keys` (what tests read from `data-points`). */
export function countPoints(series: SeriesMap, keys: readonly string[]): number {
  return keys.reduce((n, k) => n + (series[k]?.length ?? 0), 0);
}
