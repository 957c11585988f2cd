// Every task Trainyard trains, declared once for TypeScript (config, daemon, web). The trainer's side
// (packages/trainer/trainyard_trainer/tasks/) gets the same facts through config_defaults.json, which is
// generated from this file and the config schema.
//
// A new task is one entry here plus one module in the trainer's tasks/ package.

export const TASKS = ["multilabel", "multiclass", "detection", "risk"] as const;
export type Task = (typeof TASKS)[number];

export const CLASSIFICATION_ARCHS = ["gen2a"] as const;
export const DETECTION_ARCHS = ["fcos", "retinanet", "faster_rcnn", "ssdlite", "faster_rcnn_mobilenet"] as const;
/** Risk models: per-year cumulative hazards (Mirai style) or one Cox log-risk score, on a multi-view encoder. */
export const RISK_ARCHS = ["cumulative_hazard", "cox"] as const;
export const ARCHS = [...CLASSIFICATION_ARCHS, ...DETECTION_ARCHS, ...RISK_ARCHS] as const;
export type Arch = (typeof ARCHS)[number];

/** What a dataset must carry for a task: diagnoses per image, boxes, or follow-up time and event per case. */
export type TaskTargets = "labels" | "boxes" | "survival";

/**
 * One chart of a run page: the keys it plots (the first names it in tests: data-testid="chart-<key>").
 * A key ending in "/*" stands for every key of the run under that prefix (risk: val/auc_year/1 .. /K).
 */
export interface TaskChart {
  title: string;
  keys: readonly string[];
  format: "metric" | "lr";
}

export interface TaskDeclaration {
  task: Task;
  /** The trainer module that implements it (tasks/<family>.py). */
  family: "classification" | "detection" | "risk";
  targets: TaskTargets;
  archs: readonly Arch[];
  defaultArch: Arch;
  /** What early stopping and checkpoint selection watch unless the config says otherwise. */
  defaultMonitor: string;
  /** Headline metric keys without the split prefix (val/, test/). */
  metrics: readonly string[];
  /** Per-class key prefixes: `<split>/<prefix>/<class>`. */
  perClass: readonly string[];
  /** Curve kinds the trainer emits (curve events). */
  curves: readonly string[];
  /** Whether the "other" class applies (classification merges the rest into it; detection and risk have none). */
  otherClass: boolean;
  /** The run page's charts, in order. */
  charts: readonly TaskChart[];
}

const LR_CHART: TaskChart = { title: "Learning rate", keys: ["train/lr"], format: "lr" };

const classification = (task: "multilabel" | "multiclass"): TaskDeclaration => ({
  task,
  family: "classification",
  targets: "labels",
  archs: CLASSIFICATION_ARCHS,
  defaultArch: "gen2a",
  defaultMonitor: "val/auc_macro",
  metrics: ["loss", "auc_macro", "auc_micro", "map", "f1_macro", "precision_macro", "recall_macro", "accuracy", "accuracy_per_label"],
  // precision / recall / f1 at the decision threshold; threshold/<class> when tuned on validation (multilabel)
  perClass: ["auc", "ap", "f1", "precision", "recall", ...(task === "multilabel" ? ["threshold"] : [])],
  // confusion: one curve per true class, points [predicted class index, count] (the confusion matrix's row)
  curves: task === "multiclass" ? ["roc", "pr", "confusion"] : ["roc", "pr"],
  otherClass: true,
  charts: [
    { title: "Loss", keys: ["train/loss", "val/loss"], format: "metric" },
    { title: "AUC macro (val)", keys: ["val/auc_macro"], format: "metric" },
    { title: "mAP (val)", keys: ["val/map"], format: "metric" },
    LR_CHART,
  ],
});

const RISK_TASK: TaskDeclaration = {
  task: "risk",
  family: "risk",
  targets: "survival",
  archs: RISK_ARCHS,
  defaultArch: "cumulative_hazard",
  defaultMonitor: "val/c_index",
  // auc_year/<k> for k = 1 .. training.risk.max_followup are per-year keys, listed under perClass
  metrics: ["loss", "c_index", "c_index_uno", "auc_year_mean"],
  perClass: ["auc_year"],
  curves: ["auc_by_year", "calibration"],
  otherClass: false,
  charts: [
    { title: "Loss", keys: ["train/loss", "val/loss"], format: "metric" },
    { title: "C-index (val)", keys: ["val/c_index", "val/c_index_uno"], format: "metric" },
    { title: "AUC by year (val)", keys: ["val/auc_year_mean", "val/auc_year/*"], format: "metric" },
    LR_CHART,
  ],
};

export const TASK_DECLARATIONS: Readonly<Record<Task, TaskDeclaration>> = {
  multilabel: classification("multilabel"),
  multiclass: classification("multiclass"),
  detection: {
    task: "detection",
    family: "detection",
    targets: "boxes",
    archs: DETECTION_ARCHS,
    defaultArch: "fcos",
    defaultMonitor: "val/map50_95",
    metrics: ["loss", "map50_95", "map50", "map75", "precision", "recall", "findings_auc"],
    perClass: ["ap50", "ap", "precision", "recall"],
    curves: ["pr50"],
    otherClass: false,
    charts: [
      { title: "Loss", keys: ["train/loss", "val/loss"], format: "metric" },
      { title: "mAP50-95 (val)", keys: ["val/map50_95"], format: "metric" },
      { title: "mAP50 (val)", keys: ["val/map50"], format: "metric" },
      { title: "Precision / recall (val)", keys: ["val/precision", "val/recall"], format: "metric" },
      { title: "Loss components", keys: ["train/loss/box", "train/loss/class", "train/loss/centerness", "train/loss/objectness", "train/loss/rpn_box"], format: "metric" },
      LR_CHART,
    ],
  },
  risk: RISK_TASK,
};

export function taskDeclaration(task: Task): TaskDeclaration {
  return TASK_DECLARATIONS[task];
}

/** The task whose models include `arch` (each arch belongs to one family). */
export function archFamily(arch: Arch): TaskDeclaration["family"] {
  if ((CLASSIFICATION_ARCHS as readonly string[]).includes(arch)) return "classification";
  return (RISK_ARCHS as readonly string[]).includes(arch) ? "risk" : "detection";
}

/** The keys a chart plots among a run's keys: literal keys as given, "prefix/*" as every key under it, in order. */
export function chartKeys(chart: TaskChart, runKeys: readonly string[]): string[] {
  const out: string[] = [];
  for (const k of chart.keys) {
    if (!k.endsWith("/*")) out.push(k);
    else {
      const prefix = k.slice(0, -1);
      out.push(...runKeys.filter((r) => r.startsWith(prefix)).sort((a, b) => a.localeCompare(b, "en", { numeric: true })));
    }
  }
  return out;
}
