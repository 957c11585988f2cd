// Which curve charts an evaluation gets: one per kind the trainer printed (ROC and PR for classification,
// PR at IoU 0.5 for detection, AUC by year and calibration for risk), in a fixed order, with its axis
// names, and how each kind's points become the chart's line and reference. Pure.
import type { ChartLine } from "../components/line-chart.tsx";
import { aucByYearXY, calibrationXY, chanceXY, diagonalXY, yearDomain, type CurvePoints, type CurveXY } from "./risk-curves.ts";

export interface CurveKind {
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Fixed axis ranges (rates and probabilities); absent: the data's. */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** x is a whole number (a year): ticks at integers only. */
  integerX?: boolean;
  /** Drawn under the curves: the diagonal (perfect calibration) or AUC 0.5 (chance). */
  reference?: "diagonal" | "chance";
  /** Few points per curve (a year, a quartile): each drawn as a dot. */
  dots?: boolean;
}

const KNOWN: readonly CurveKind[] = [
  { kind: "roc", title: "ROC", xLabel: "false positive rate", yLabel: "true positive rate" },
  { kind: "pr", title: "Precision–recall", xLabel: "recall", yLabel: "precision" },
  { kind: "pr50", title: "Precision–recall at IoU 0.5", xLabel: "recall", yLabel: "precision" },
  { kind: "auc_by_year", title: "AUC by year", xLabel: "year", yLabel: "AUC", integerX: true, reference: "chance", dots: true },
  {
    kind: "calibration", title: "Calibration", xLabel: "predicted risk (quartile mean)", yLabel: "observed rate (Kaplan–Meier)",
    xDomain: [0, 1], yDomain: [0, 1], reference: "diagonal", dots: true,
  },
];

/** The kind's entry: a known one, else the kind under its own name. */
export function curveKind(kind: string): CurveKind {
  return KNOWN.find((k) => k.kind === kind) ?? { kind, title: kind, xLabel: "x", yLabel: "y" };
}

/** The kinds among `curves`, known ones in their order, then any other kind by name. */
export function curveKinds(curves: readonly { kind: string }[]): CurveKind[] {
  const present = new Set(curves.map((c) => c.kind));
  const known = KNOWN.filter((k) => present.has(k.kind));
  const other = [...present].filter((k) => !KNOWN.some((x) => x.kind === k)).sort().map(curveKind);
  return [...known, ...other];
}

/** A curve's points as its chart draws them: years with gaps, calibration by predicted risk, others as sent. */
export function curveXY(kind: string, points: CurvePoints): CurveXY {
  if (kind === "auc_by_year") return aucByYearXY(points);
  if (kind === "calibration") return calibrationXY(points);
  return { x: points.map((p) => Number(p[0])), y: points.map((p) => Number(p[1])) };
}

/**
 * The x range a kind's chart spans over its curves: the fixed one, or for years a quarter year beyond the
 * first and last; undefined: the data's.
 */
export function curveXDomain(k: CurveKind, curves: readonly CurveXY[]): [number, number] | undefined {
  if (k.xDomain) return k.xDomain;
  if (k.integerX) return yearDomain(curves.flatMap((c) => c.x));
  return undefined;
}

/** The reference line of a kind's chart over its x range, with its legend label; null when it has none. */
export function curveReference(k: CurveKind, xDomain: [number, number] | undefined): (CurveXY & { label: string }) | null {
  if (k.reference === "diagonal") return { ...diagonalXY(), label: "perfect calibration" };
  if (k.reference === "chance" && xDomain) return { ...chanceXY(xDomain[0], xDomain[1]), label: "chance (0.5)" };
  return null;
}

/** Grey that reads on light and dark backgrounds: a reference is not a series. */
export const REFERENCE_COLOR = "#8a8f98";

/** A curve chart: its kind, its lines (one per class, or per run in the compare view) after the reference, and its x range. */
export interface CurveChart {
  kind: CurveKind;
  lines: ChartLine[];
  xDomain: [number, number] | undefined;
  yDomain: [number, number] | undefined;
}

/** The chart of one kind from its curves, each with an id, a legend label and a colour. */
export function curveChart(kind: CurveKind, curves: readonly { id: string; label: string; color: string; points: CurvePoints }[]): CurveChart {
  const shaped = curves.map((c) => ({ ...c, xy: curveXY(kind.kind, c.points) }));
  const xDomain = curveXDomain(kind, shaped.map((c) => c.xy));
  const ref = curveReference(kind, xDomain);
  const lines: ChartLine[] = shaped.map(({ id, label, color, xy }) => ({ id, label, color, x: xy.x, y: xy.y, lo: xy.y, hi: xy.y, smooth: null, dots: kind.dots }));
  if (ref) lines.unshift({ id: "reference", label: ref.label, color: REFERENCE_COLOR, x: ref.x, y: ref.y, lo: ref.y, hi: ref.y, smooth: null, reference: true });
  const yDomain = kind.yDomain ?? (kind.dots ? paddedRange(lines.flatMap((l) => Array.from(l.y))) : undefined);
  return { kind, lines, xDomain, yDomain };
}

/** The values' range with a twelfth of it added each side, so a dot at the highest or lowest value is not cut by the frame. */
export function paddedRange(values: readonly number[]): [number, number] | undefined {
  const v = values.filter(Number.isFinite);
  if (!v.length) return undefined;
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const pad = (hi - lo || Math.abs(hi) || 1) / 12;
  return [lo - pad, hi + pad];
}

/** The panel's heading for a run of a task family, before any curve has arrived. */
export function curvesHeading(family: "classification" | "detection" | "risk"): string {
  if (family === "risk") return "AUC by year and calibration";
  return family === "detection" ? "PR curves (IoU 0.5)" : "ROC and PR curves";
}
