// The per-class table of a classification evaluation: AUC, AP, and precision / recall at the decision threshold
// (with the threshold itself when it was tuned per class), from `<prefix>/<metric>/<class>` keys. Pure.

export const DECISION_COLUMNS = [
  { key: "auc", title: "AUC" },
  { key: "ap", title: "AP" },
  { key: "precision", title: "Precision" },
  { key: "recall", title: "Recall" },
  { key: "threshold", title: "Threshold" },
] as const;

export type DecisionColumn = (typeof DECISION_COLUMNS)[number]["key"];

export interface DecisionRow {
  cls: string;
  values: Partial<Record<DecisionColumn, number | null>>;
}

/** One row per class that has a precision or recall under `prefix` (val, test, all), in `classes` order when given. */
export function decisionRows(values: Readonly<Record<string, number | null>>, prefix: string, classes: readonly string[] = []): { rows: DecisionRow[]; columns: (typeof DECISION_COLUMNS)[number][] } {
  const byClass = new Map<string, DecisionRow>();
  const start = `${prefix}/`;
  for (const [key, value] of Object.entries(values)) {
    if (!key.startsWith(start)) continue;
    const rest = key.slice(start.length);
    const slash = rest.indexOf("/");
    if (slash < 0) continue;
    const col = rest.slice(0, slash) as DecisionColumn;
    if (!DECISION_COLUMNS.some((c) => c.key === col)) continue;
    const cls = rest.slice(slash + 1);
    let row = byClass.get(cls);
    if (!row) byClass.set(cls, (row = { cls, values: {} }));
    row.values[col] = value;
  }
  const rows = [...byClass.values()].filter((r) => r.values.precision !== undefined || r.values.recall !== undefined);
  const rank = (c: string) => (classes.includes(c) ? classes.indexOf(c) : classes.length);
  rows.sort((a, b) => rank(a.cls) - rank(b.cls) || a.cls.localeCompare(b.cls));
  const columns = DECISION_COLUMNS.filter((c) => rows.some((r) => r.values[c.key] !== undefined));
  return { rows, columns };
}
