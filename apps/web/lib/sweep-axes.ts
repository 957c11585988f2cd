// The axes of a sweep's plots (parallel coordinates, metric against each parameter): one per searched
// parameter, from its search space (log10 for log_uniform, evenly spaced choices for a values list), and one
// for the metric from the trials' values; a colour per metric value. Pure; no React.
import type { Scalar, SearchParam } from "@trainyard/config";
import { formatTicks, formatValue } from "./tick-format.ts";
import { linearTicks, logTicks } from "./y-extent.ts";

export interface AxisTick {
  /** Where on the axis, 0 (low end) to 1 (high end). */
  at: number;
  label: string;
}

export interface SweepAxis {
  key: string;
  kind: "linear" | "log" | "categorical";
  /** Position of a value on the axis, 0..1, or null for a value the axis cannot place (a non-number on a numeric axis, <= 0 on a log axis, a choice it does not list). */
  place: (v: Scalar | null | undefined) => number | null;
  ticks: AxisTick[];
  /** A value as the axis writes it (tooltips, table cells). */
  format: (v: Scalar) => string;
}

/** The choices of a categorical axis, in the space's order, then any value a trial has that the space does not list (an edited sweep). */
function choicesOf(p: Extract<SearchParam, { kind: "categorical" }>, seen: readonly Scalar[]): string[] {
  const out = p.choices.map(String);
  for (const v of seen) if (!out.includes(String(v))) out.push(String(v));
  return out;
}

export function categoricalAxis(key: string, choices: readonly string[]): SweepAxis {
  const n = choices.length;
  // one choice sits in the middle; more spread from end to end
  const at = (i: number) => (n === 1 ? 0.5 : i / (n - 1));
  return {
    key,
    kind: "categorical",
    place: (v) => {
      if (v === null || v === undefined) return null;
      const i = choices.indexOf(String(v));
      return i < 0 ? null : at(i);
    },
    ticks: choices.map((c, i) => ({ at: at(i), label: c })),
    format: (v) => String(v),
  };
}

/** A numeric axis over [lo, hi] (log10 when `log`), with round ticks labelled as the charts label theirs. */
export function numericAxis(key: string, lo: number, hi: number, log: boolean): SweepAxis {
  if (log) {
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    const span = l1 - l0 || 1;
    const ticks = logTicks(lo, hi).filter((t) => t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9));
    const labels = formatTicks(ticks);
    return {
      key,
      kind: "log",
      place: (v) => (typeof v === "number" && v > 0 && Number.isFinite(v) ? (l1 === l0 ? 0.5 : (Math.log10(v) - l0) / span) : null),
      ticks: ticks.map((t, i) => ({ at: l1 === l0 ? 0.5 : (Math.log10(t) - l0) / span, label: labels[i] })),
      format: (v) => (typeof v === "number" ? formatValue(v) : String(v)),
    };
  }
  const flat = hi === lo;
  const ticks = flat ? [lo] : linearTicks(lo, hi, 4);
  const labels = formatTicks(ticks);
  return {
    key,
    kind: "linear",
    place: (v) => (typeof v === "number" && Number.isFinite(v) ? (flat ? 0.5 : (v - lo) / (hi - lo)) : null),
    ticks: ticks.map((t, i) => ({ at: flat ? 0.5 : (t - lo) / (hi - lo), label: labels[i] })),
    format: (v) => (typeof v === "number" ? formatValue(v) : String(v)),
  };
}

/**
 * The axis of one searched parameter: its space's range (widened to any trial value outside it), log10 for a
 * log distribution, its choices for a values list. `values` are the trials' values of the parameter.
 */
export function paramAxis(p: SearchParam, values: readonly Scalar[]): SweepAxis {
  if (p.kind === "categorical") return categoricalAxis(p.name, choicesOf(p, values));
  const nums = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v) && (!p.log || v > 0));
  const lo = Math.min(p.low, ...nums);
  const hi = Math.max(p.high, ...nums);
  return numericAxis(p.name, lo, hi, p.log);
}

/** The metric's axis over the trials' values (padded when they are all one value); null before any trial has one. */
export function metricAxis(name: string, values: readonly (number | null)[]): SweepAxis | null {
  const nums = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!nums.length) return null;
  let lo = Math.min(...nums);
  let hi = Math.max(...nums);
  if (hi === lo) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    lo -= d;
    hi += d;
  }
  return numericAxis(name, lo, hi, false);
}

/**
 * Colour of a metric value: a perceptual ramp (viridis' ends and middle) from the worst trial, dark violet, to
 * the best, yellow, whichever way the goal points. `t` is the value's place on the metric axis.
 */
export function metricColor(t: number, goal: "max" | "min"): string {
  const s = Math.min(1, Math.max(0, goal === "max" ? t : 1 - t));
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const f = s * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(f));
  const k = f - i;
  const c = stops[i].map((a, j) => Math.round(a + (stops[i + 1][j] - a) * k));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/**
 * A parameter's key path as an axis title: its last two segments, three when the middle one is a list index
 * (training.phases.1.lr reads "phases.1.lr", training.optimizer.weight_decay "optimizer.weight_decay").
 */
export function shortKey(key: string): string {
  const parts = key.split(".");
  const n = parts.length >= 3 && /^\d+$/.test(parts[parts.length - 2]) ? 3 : 2;
  return parts.length <= n ? key : parts.slice(-n).join(".");
}
