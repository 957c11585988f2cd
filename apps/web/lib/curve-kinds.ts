// Which curve charts an evaluation gets: one per kind the trainer printed (ROC and PR for classification,
// PR at IoU 0.5 for detection), in a fixed order, with its axis names. Pure.

export interface CurveKind {
  kind: string;
  title: string;
  xLabel: string;
}

const KNOWN: readonly CurveKind[] = [
  { kind: "roc", title: "ROC", xLabel: "false positive rate" },
  { kind: "pr", title: "Precision–recall", xLabel: "recall" },
  { kind: "pr50", title: "Precision–recall at IoU 0.5", xLabel: "recall" },
];

/** The kinds among `curves`, known ones in their order, then any other kind by name. */
export function curveKinds(curves: readonly { kind: string }[]): CurveKind[] {
  const present = new Set(curves.map((c) => c.kind));
  const known = KNOWN.filter((k) => present.has(k.kind));
  const other = [...present].filter((k) => !KNOWN.some((x) => x.kind === k)).sort().map((kind) => ({ kind, title: kind, xLabel: "x" }));
  return [...known, ...other];
}

/** The panel's heading for a run of a task family, before any curve has arrived. */
export function curvesHeading(family: "classification" | "detection"): string {
  return family === "detection" ? "PR curves (IoU 0.5)" : "ROC and PR curves";
}
