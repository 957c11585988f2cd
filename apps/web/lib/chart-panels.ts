// Which charts a run page draws and which metric keys each one plots.

export interface ChartPanel {
  title: string;
  /** The first key names the chart in tests: data-testid="chart-<first key>". */
  keys: readonly string[];
  /** How y values are printed on the axis. */
  format: "metric" | "lr";
}

export const RUN_CHARTS: readonly ChartPanel[] = [
  { title: "Loss", keys: ["train/loss", "val/loss"], format: "metric" },
  { title: "AUC macro (val)", keys: ["val/auc_macro"], format: "metric" },
  { title: "mAP (val)", keys: ["val/map"], format: "metric" },
  { title: "Learning rate", keys: ["train/lr"], format: "lr" },
];

/** Every key the run page reads, in a stable order (it is part of the series query key). */
export const RUN_CHART_KEYS: readonly string[] = [...new Set(RUN_CHARTS.flatMap((c) => c.keys))];

/** Points per key of the first read; live points are thinned back towards it. */
export const SERIES_MAX_POINTS = 2000;
