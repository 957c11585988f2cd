// Which charts a run page draws and which metric keys each one plots: the task's declared charts
// (packages/protocol/src/tasks.ts) filtered to the keys the run has logged, then the charts every run
// gets (throughput, epoch time, GPU). Pure.
import { chartKeys, TASK_DECLARATIONS, TASKS, type Task, type TaskChart } from "@trainyard/protocol/tasks";

export type ChartPanel = TaskChart;

/** A panel of the run page: the keys it plots (the first names it in tests: data-testid="chart-<first key>"). */
export interface RunPanel {
  title: string;
  keys: readonly string[];
  format: "metric" | "lr";
  height?: number;
}

export const EPOCH_TIME_KEY = "epoch/seconds";

/** The task of a run from its resolved config (runs stored before tasks existed are multi-label). */
export function taskOf(config: unknown): Task {
  const task = (config as { training?: { task?: unknown } } | null)?.training?.task;
  return typeof task === "string" && (TASKS as readonly string[]).includes(task) ? (task as Task) : "multilabel";
}

/** The run page's declared charts for a task. */
export function taskCharts(task: Task): readonly ChartPanel[] {
  return TASK_DECLARATIONS[task].charts;
}

/** The classification run page's charts. */
export const RUN_CHARTS: readonly ChartPanel[] = taskCharts("multilabel");

/** Whether a declared chart key stands for every key of the run under a prefix ("val/auc_year/*"). */
export const isWildcardKey = (key: string): boolean => key.endsWith("/*");

/**
 * The keys the run page's live series holds, of every task's charts in a stable order (it is part of the
 * series query key): before the run's detail has loaded the page does not know its task, and each
 * pushed point of these keys tells the charts to re-read (a validation mAP included). Wildcard keys are
 * left out: the keys they stand for are logged at the same steps as a literal key of the same chart
 * (val/auc_year/<k> beside val/auc_year_mean), and the chart's key list follows the run's keys.
 */
export const RUN_CHART_KEYS: readonly string[] = [...new Set(TASKS.flatMap((t) => taskCharts(t).flatMap((c) => c.keys)))].filter((k) => !isWildcardKey(k));

/** Points per key of the first read; live points are thinned back towards it. */
export const SERIES_MAX_POINTS = 2000;

/**
 * Per-class small multiples under the main charts: AUC per class for classification, AP50 for detection;
 * none for risk (its per-year AUCs are lines of the "AUC by year" chart).
 */
export function perClassPrefix(task: Task): { prefix: string; title: string } | null {
  const family = TASK_DECLARATIONS[task].family;
  if (family === "risk") return null;
  return family === "detection"
    ? { prefix: "val/ap50/", title: "Per-class AP50 (val)" }
    : { prefix: "val/auc/", title: "Per-class AUC (val)" };
}

/**
 * One declared chart's keys among the run's: each key as declared, a "prefix/*" key as every run key under
 * it (chartKeys, years in numeric order), and keys the run has not logged left out. Any task's chart may
 * use a wildcard; as the run logs new keys under it, the chart gains their lines.
 */
export function panelKeys(chart: TaskChart, keys: readonly string[]): string[] {
  const have = new Set(keys);
  return [...new Set(chartKeys(chart, keys))].filter((k) => have.has(k));
}

/**
 * The run page's panels from the keys the run has logged. Each declared chart keeps only the keys the run
 * has, and a chart left with none is not drawn (a RetinaNet logs no centerness loss). The learning-rate
 * chart shows one line per parameter group when the trainer logs them.
 */
export function runPanels(task: Task, keys: readonly string[]): { main: RunPanel[]; perClass: RunPanel[]; perClassTitle: string } {
  const have = new Set(keys);
  const has = (k: string) => have.has(k);
  const lrGroups = keys.filter((k) => k.startsWith("train/lr/"));
  const gpu = keys.filter((k) => k.startsWith("system/"));
  const declared: RunPanel[] = taskCharts(task).map((c) =>
    c.format === "lr"
      ? { title: "Learning rate per parameter group", keys: lrGroups.length ? lrGroups : panelKeys(c, keys), format: "lr" }
      : { title: c.title, keys: panelKeys(c, keys), format: c.format },
  );
  const main: RunPanel[] = [
    ...declared,
    { title: "Throughput (images/s)", keys: ["train/img_per_s"].filter(has), format: "metric" as const },
    { title: "Epoch time (s)", keys: [EPOCH_TIME_KEY], format: "metric" as const },
    ...(gpu.some((k) => /util/.test(k)) ? [{ title: "GPU utilisation", keys: gpu.filter((k) => /util/.test(k)), format: "metric" as const }] : []),
    ...(gpu.some((k) => /mem/.test(k)) ? [{ title: "GPU memory", keys: gpu.filter((k) => /mem/.test(k)), format: "metric" as const }] : []),
  ].filter((p) => p.keys.length > 0);
  const small = perClassPrefix(task);
  const perClass = small
    ? keys.filter((k) => k.startsWith(small.prefix)).map((k) => ({ title: k.slice(small.prefix.length), keys: [k], format: "metric" as const, height: 130 }))
    : [];
  return { main, perClass, perClassTitle: small?.title ?? "" };
}
