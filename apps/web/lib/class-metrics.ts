// The per-class AP table of a detection run: per class AP50, AP50-95, precision and recall at the latest
// validation evaluation, and at test when the run evaluated it. From the last value of each key. Pure.

export const CLASS_COLUMNS = [
  { prefix: "ap50", title: "AP50" },
  { prefix: "ap", title: "AP50-95" },
  { prefix: "precision", title: "Precision" },
  { prefix: "recall", title: "Recall" },
] as const;

export type ClassColumn = (typeof CLASS_COLUMNS)[number]["prefix"];

export interface ClassRow {
  cls: string;
  val: Partial<Record<ClassColumn, number>>;
  test: Partial<Record<ClassColumn, number>>;
}

/**
 * One row per class named by any `<split>/<column>/<class>` key, sorted by name. `last` maps a metric key
 * to its value at the highest step (charts.summaries' `last`).
 */
export function classRows(last: Readonly<Record<string, number>>): { rows: ClassRow[]; hasTest: boolean } {
  const byClass = new Map<string, ClassRow>();
  let hasTest = false;
  for (const [key, value] of Object.entries(last)) {
    const m = key.match(/^(val|test)\/(ap50|ap|precision|recall)\/(.+)$/);
    if (!m) continue;
    const [, split, col, cls] = m as unknown as [string, "val" | "test", ClassColumn, string];
    let row = byClass.get(cls);
    if (!row) byClass.set(cls, (row = { cls, val: {}, test: {} }));
    row[split][col] = value;
    if (split === "test") hasTest = true;
  }
  return { rows: [...byClass.values()].sort((a, b) => a.cls.localeCompare(b.cls)), hasTest };
}
