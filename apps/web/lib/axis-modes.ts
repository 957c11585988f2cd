// The x axis of a chart, as TensorBoard offers it: step, epoch, time relative to the run's first point,
// or wall-clock time. Pure; no React.

export const X_AXIS_MODES = ["step", "epoch", "relative", "wall"] as const;
export type XAxisMode = (typeof X_AXIS_MODES)[number];

export interface XSource {
  step: ArrayLike<number>;
  epoch: ArrayLike<number>;
  /** Wall time in seconds since the Unix epoch. */
  time: ArrayLike<number>;
}

/**
 * The x value of every point in the chosen mode. `relative` is hours since the first point of the series
 * (each run starts at 0, so runs launched days apart overlay); `wall` is milliseconds since the Unix epoch
 * (what Date takes). Epoch x is fractional: points of one epoch spread evenly by step towards the next
 * epoch, so the many steps logged in one epoch do not stack on one vertical line.
 */
export function xValues(src: XSource, mode: XAxisMode): Float64Array {
  const n = src.step.length;
  const out = new Float64Array(n);
  if (mode === "step") for (let i = 0; i < n; i++) out[i] = src.step[i];
  else if (mode === "wall") for (let i = 0; i < n; i++) out[i] = src.time[i] * 1000;
  else if (mode === "relative") {
    const t0 = n ? src.time[0] : 0;
    for (let i = 0; i < n; i++) out[i] = (src.time[i] - t0) / 3600;
  } else {
    // epoch e spans (e-1, e]; a point's position within it is its step's share of that epoch's steps
    let i = 0;
    while (i < n) {
      const e = src.epoch[i];
      let j = i;
      while (j < n && src.epoch[j] === e) j++;
      const prevEnd = i > 0 ? src.step[i - 1] : src.step[i] - 1;
      const span = Math.max(1, src.step[j - 1] - prevEnd);
      for (let k = i; k < j; k++) out[k] = e - 1 + (src.step[k] - prevEnd) / span;
      i = j;
    }
  }
  return out;
}

/** Axis label of a mode. */
export function xAxisLabel(mode: XAxisMode): string {
  return { step: "step", epoch: "epoch", relative: "hours since start", wall: "wall time" }[mode];
}

/** A tick / tooltip label for an x value in the chosen mode. */
export function formatX(x: number, mode: XAxisMode): string {
  if (mode === "wall") {
    const d = new Date(x);
    return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}:${String(d.getSeconds()).padStart(2, "0")}`;
  }
  if (mode === "relative") return x < 1 ? `${(x * 60).toFixed(x * 60 < 10 ? 1 : 0)} min` : `${x.toFixed(2)} h`;
  if (mode === "epoch") return Number.isInteger(x) ? String(x) : x.toFixed(2);
  return Math.abs(x) >= 10_000 ? `${(x / 1000).toFixed(Math.abs(x) >= 100_000 ? 0 : 1)}k` : String(Math.round(x));
}
