// The multiclass confusion matrix from the trainer's "confusion" curves (one per true class, points
// [predicted class index, count] in the run's class order: metrics.py confusion_rows), as the heatmap draws it:
// counts, each row's share (recall lies on the diagonal), and a colour strength per cell. Pure.

export interface ConfusionMatrix {
  classes: string[];
  /** counts[true][predicted] */
  counts: number[][];
  rowTotals: number[];
  /** counts / row total, 0 for an empty row */
  shares: number[][];
}

export function confusionMatrix(curves: readonly { kind: string; class: string; points: readonly unknown[] }[], classes: readonly string[]): ConfusionMatrix | null {
  const rows = curves.filter((c) => c.kind === "confusion");
  if (!rows.length) return null;
  // the run's class order; a class the matrix names that the run does not (an older run) goes after, by name
  const names = [...classes, ...rows.map((r) => r.class).filter((c) => !classes.includes(c)).sort()];
  const n = names.length; // a predicted index outside the classes is dropped
  const counts = names.map(() => new Array<number>(n).fill(0));
  for (const r of rows) {
    const t = names.indexOf(r.class);
    for (const p of r.points) {
      if (!Array.isArray(p)) continue;
      const [pred, count] = [Number(p[0]), Number(p[1])];
      if (Number.isInteger(pred) && pred >= 0 && pred < n && Number.isFinite(count)) counts[t][pred] += count;
    }
  }
  const rowTotals = counts.map((r) => r.reduce((a, b) => a + b, 0));
  const shares = counts.map((r, i) => r.map((c) => (rowTotals[i] ? c / rowTotals[i] : 0)));
  return { classes: names, counts, rowTotals, shares };
}

/** Curves for the line charts: everything but the confusion matrix, which is a heatmap. */
export function lineCurves<T extends { kind: string }>(curves: readonly T[]): T[] {
  return curves.filter((c) => c.kind !== "confusion");
}
