// The run page's evaluation list: which metrics a row shows, and whether the list must keep polling. Pure.

/** Headline keys first in this order (classification, detection, risk), then any other split-level key by name. */
const HEADLINE = ["auc_macro", "map", "f1_macro", "accuracy", "map50_95", "map50", "c_index", "auc_year_mean", "loss"];

/** The split-level metrics (`<split>/<name>`, no per-class keys) of an evaluation, headline ones first, at most `limit`. */
export function headlineMetrics(metrics: Readonly<Record<string, number | null>> | null, split: string, limit = 4): [string, number | null][] {
  const start = `${split}/`;
  const top = Object.entries(metrics ?? {}).filter(([k]) => k.startsWith(start) && !k.slice(start.length).includes("/"));
  const rank = (k: string) => {
    const i = HEADLINE.indexOf(k.slice(start.length));
    return i < 0 ? HEADLINE.length : i;
  };
  return top.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)).slice(0, limit);
}

/** Poll while any evaluation can still change. */
export function anyEvaluationActive(list: readonly { status: string }[]): boolean {
  return list.some((e) => e.status === "queued" || e.status === "running");
}
