// The risk task's curves and headline numbers as the dashboard shows them: AUC by year (x the year 1..K,
// a gap where the trainer left a year out), calibration (mean predicted risk per risk quartile against
// the Kaplan–Meier observed rate, beside the diagonal of perfect calibration), the evaluation a run
// contributes to the compare view, and the C-indices and mean AUC of a run's newest split. Pure.

/** A curve event's points as stored: [x, y] pairs (a value may be null when it was not a number). */
export type CurvePoints = readonly (readonly (number | null)[])[];

export interface CurveXY {
  x: number[];
  y: number[];
}

const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * AUC per year, years in order. A year between the first and the last that has no AUC (undefined: no
 * event by then, or no case still event-free after it) is NaN, so the line breaks there instead of
 * drawing a value through it.
 */
export function aucByYearXY(points: CurvePoints): CurveXY {
  const byYear = new Map<number, number>();
  for (const [year, auc] of points) if (finite(year) && finite(auc)) byYear.set(Math.round(year), auc);
  if (!byYear.size) return { x: [], y: [] };
  const years = [...byYear.keys()].sort((a, b) => a - b);
  const x: number[] = [];
  const y: number[] = [];
  for (let k = years[0]; k <= years[years.length - 1]; k++) {
    x.push(k);
    y.push(byYear.get(k) ?? Number.NaN);
  }
  return { x, y };
}

/** Calibration points (mean predicted risk, observed rate), ordered by predicted risk; non-numbers dropped. */
export function calibrationXY(points: CurvePoints): CurveXY {
  const kept = points.filter((p): p is readonly [number, number] => finite(p[0]) && finite(p[1])).slice().sort((a, b) => a[0] - b[0]);
  return { x: kept.map((p) => p[0]), y: kept.map((p) => p[1]) };
}

/** Perfect calibration: observed rate = predicted risk, over [0, 1]. */
export function diagonalXY(): CurveXY {
  return { x: [0, 1], y: [0, 1] };
}

/** AUC 0.5 (a model no better than chance) across the years shown. */
export function chanceXY(x0: number, x1: number): CurveXY {
  return { x: [x0, x1], y: [0.5, 0.5] };
}

/** The x range of a year axis: every year's dot clear of the frame, by a quarter year each side. */
export function yearDomain(years: readonly number[]): [number, number] | undefined {
  const ys = years.filter(Number.isFinite);
  if (!ys.length) return undefined;
  return [Math.min(...ys) - 0.25, Math.max(...ys) + 0.25];
}

/** "year5" (the calibration curve's class: the year it predicts) → "year 5"; other classes as they are. */
export function curveClassLabel(cls: string): string {
  const m = /^year(\d+)$/.exec(cls);
  return m ? `year ${m[1]}` : cls;
}

export interface Evaluation {
  split: string;
  epoch: number;
}

/** What a run shows in the compare view: its test evaluation, else its latest validation, else its latest. */
export function compareEvaluation<E extends Evaluation>(evals: readonly E[]): E | undefined {
  return evals.filter((e) => e.split === "test").at(-1) ?? evals.filter((e) => e.split === "val").at(-1) ?? evals.at(-1);
}

export interface RiskHeadline {
  /** test once the run evaluated the test split, else the latest validation. */
  split: "test" | "val";
  cIndex: number | undefined;
  cIndexUno: number | undefined;
  aucMean: number | undefined;
  /** The C-index of the true hazard (the synthetic demo dataset only): what a perfect model would reach. */
  oracle: number | undefined;
}

/**
 * A risk run's headline numbers from the last value of each key (charts.summaries): the test split's when
 * any test C-index or AUC is there, else the latest validation's; null when neither split has one.
 */
export function riskHeadline(last: Readonly<Record<string, number>>): RiskHeadline | null {
  const keys = ["c_index", "c_index_uno", "auc_year_mean"];
  const has = (split: string) => keys.some((k) => finite(last[`${split}/${k}`]));
  const split = has("test") ? "test" : has("val") ? "val" : null;
  if (!split) return null;
  const at = (k: string) => (finite(last[`${split}/${k}`]) ? last[`${split}/${k}`] : undefined);
  return { split, cIndex: at("c_index"), cIndexUno: at("c_index_uno"), aucMean: at("auc_year_mean"), oracle: at("c_index_oracle") };
}
