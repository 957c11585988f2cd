// Numbers on chart axes and in chart tooltips. Pure.
//
// One style everywhere: no trailing zeros ("2", not "2.000", which much of the world reads as two
// thousand), thousands and up with a suffix ("12k", "1.5M"), small magnitudes in e-notation ("1e-3",
// "2.5e-4"). Tick labels take their precision from the spacing of the ticks (the step), so neighbours
// always differ and a round step prints no digit it does not need; tooltips take significant digits.

/** Suffixes for thousands and up; e-notation past the last. */
const SI: readonly [number, string][] = [
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
  [1e3, "k"],
];
/** Below this magnitude (and at or past `LARGE`) values print in e-notation. */
const SMALL = 0.01;
const LARGE = 1e15;

/** Decimal exponent of |v| > 0, robust to float error (log10(1000) is 2.9999999999999996). */
function exponentOf(v: number): number {
  return Number(Math.abs(v).toExponential(12).split("e")[1]);
}

/** "1.2500" → "1.25", "2.000" → "2", "-0" → "0". */
function trimZeros(text: string): string {
  const t = text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  return t === "-0" ? "0" : t;
}

/** e-notation with up to `digits` significant digits: "1.235e-3", "2e20". */
function expText(v: number, digits: number): string {
  const [m, e] = v.toExponential(digits - 1).split("e");
  return `${trimZeros(m)}e${Number(e)}`;
}

type Unit = { scale: number; suffix: string; exp: boolean };

function unitFor(v: number, expStyle: boolean): Unit {
  const a = Math.abs(v);
  if (a === 0) return { scale: 1, suffix: "", exp: false };
  if (expStyle || a >= LARGE) {
    const e = exponentOf(v);
    return { scale: Math.pow(10, e), suffix: `e${e}`, exp: true };
  }
  for (const [scale, suffix] of SI) if (a >= scale) return { scale, suffix, exp: false };
  return { scale: 1, suffix: "", exp: false };
}

/** `v` in `unit` with the fewest decimals that hold it to within a thousandth of the (scaled) step. */
function withStep(v: number, unit: Unit, step: number): string {
  const s = v / unit.scale;
  const ss = step / unit.scale;
  // enough decimals for the step's own digits, two more for steps that are not round (an axis fallback)
  const most = Math.min(15, Math.max(0, Math.ceil(-Math.log10(ss))) + 2);
  let d = 0;
  while (d < most && Math.abs(Number(s.toFixed(d)) - s) > ss * 1e-3) d++;
  const m = trimZeros(s.toFixed(d));
  return m === "0" ? "0" : m + unit.suffix;
}

/**
 * Labels for one axis's ticks, in the order given. Evenly spaced ticks (a linear axis) share one style:
 * e-notation when every tick is below 0.01, otherwise plain with k / M / G / T from a thousand up, with
 * the decimals the step needs (0.25, not 0.3; 1.05 beside 1.1). Unevenly spaced ticks (powers of ten on a
 * log axis) are each written by their own magnitude: 1e-3, 0.01, 0.1, 1, 10, 100, 1k.
 */
export function formatTicks(ticks: readonly number[]): string[] {
  const finite = [...new Set(ticks.filter(Number.isFinite))].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < finite.length; i++) gaps.push(finite[i] - finite[i - 1]);
  const step = gaps.length ? Math.min(...gaps) : Math.abs(finite[0] ?? 0) || 1;
  const even = gaps.every((g) => Math.abs(g - step) <= step * 1e-6);
  const largest = Math.max(0, ...finite.map(Math.abs));
  return ticks.map((t) => {
    if (!Number.isFinite(t)) return String(t);
    if (t === 0) return "0";
    if (even) return withStep(t, unitFor(t, largest < SMALL), step);
    // a log axis: each tick alone, its own tenth as the step
    return withStep(t, unitFor(t, Math.abs(t) < SMALL), Math.pow(10, exponentOf(t) - 1));
  });
}

/**
 * One value in the ticks' style with up to `digits` significant digits (tooltips, legends): 0.8123,
 * 12.35k, 1.235e-3, 2. NaN and infinities print as JavaScript names them.
 */
export function formatValue(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < SMALL || a >= LARGE) return expText(v, digits);
  const at = SI.findIndex(([scale]) => a >= scale);
  if (at >= 0) {
    const [scale, suffix] = SI[at];
    const m = trimZeros((v / scale).toPrecision(digits));
    if (Math.abs(Number(m)) < 1000) return m + suffix;
    // 999,960 at four digits is "1000k": one suffix up (or e-notation past the last)
    if (at === 0) return expText(v, digits);
    return `${trimZeros((v / SI[at - 1][0]).toPrecision(digits))}${SI[at - 1][1]}`;
  }
  const m = trimZeros(v.toPrecision(digits));
  // 999.96 at four digits is "1000": the thousands' style
  return Math.abs(Number(m)) >= 1000 ? formatValue(Number(m), digits) : m;
}
