// The new-run form's task-dependent parts: which models a task offers, the monitor a field falls back to,
// which groups of fields apply (label set, "other" class, detection's, risk's), and the edits that
// switching the task makes so the config stays valid (an arch of the old family, an "other" class
// detection and risk refuse, a monitor of the old task, a label set risk has no use for). Pure.
import { TASK_DECLARATIONS, TASKS, type Arch, type Task } from "@trainyard/protocol/tasks";
import { getIn, type Path } from "./config-doc.ts";

export const TASK_OPTIONS = TASKS;

/** The config's task as the form shows it (the schema's default when the YAML names none). */
export function formTask(value: unknown): Task {
  const t = getIn(value, ["training", "task"]);
  return typeof t === "string" && (TASKS as readonly string[]).includes(t) ? (t as Task) : "multilabel";
}

export const archOptions = (task: Task): readonly Arch[] => TASK_DECLARATIONS[task].archs;
export const defaultArch = (task: Task): Arch => TASK_DECLARATIONS[task].defaultArch;
/** What early stopping and checkpoint selection watch when the YAML leaves the monitor out. */
export const monitorFallback = (task: Task): string => TASK_DECLARATIONS[task].defaultMonitor;
export const hasOtherClass = (task: Task): boolean => TASK_DECLARATIONS[task].otherClass;
export const isDetection = (task: Task): boolean => TASK_DECLARATIONS[task].family === "detection";
export const isRisk = (task: Task): boolean => TASK_DECLARATIONS[task].family === "risk";
/** Whether the task trains on diagnoses or box classes (a label set); risk's target is follow-up time and event. */
export const usesLabelSet = (task: Task): boolean => TASK_DECLARATIONS[task].targets !== "survival";

/** Which groups of fields the form shows for a task. */
export interface FormSections {
  /** The label-set picker, the diagnoses it holds and the dataset preview. */
  labelSet: boolean;
  /** The "other" class checkbox and its ratio. */
  otherClass: boolean;
  /** Score threshold, max detections, gallery images. */
  detection: boolean;
  /** Aggregation of the views, years of follow-up, exams missing a view. */
  risk: boolean;
  /** The classifier's image head, fusion width and metadata branch (risk models share them). */
  imageHead: boolean;
}

export function formSections(task: Task): FormSections {
  return {
    labelSet: usesLabelSet(task),
    otherClass: hasOtherClass(task),
    detection: isDetection(task),
    risk: isRisk(task),
    imageHead: !isDetection(task),
  };
}

/** The architecture field's label: what a model of the task is called. */
export function archLabel(task: Task): string {
  return isDetection(task) ? "Detector" : isRisk(task) ? "Risk model" : "Architecture";
}

const CLASSIFIER_HEAD_PATHS: readonly Path[] = [["model", "image_head"], ["model", "fusion"], ["model", "dropout"], ["model", "metadata", "hidden"]];
const MONITOR_PATHS: readonly Path[] = [["training", "early_stopping", "monitor"], ["training", "checkpoint", "monitor"]];

/**
 * The edits (path, value; undefined removes the key so the task's default applies) that switch the form's
 * config to `next`. Values the user chose that still fit are kept.
 */
export function taskSwitchEdits(value: unknown, next: Task): [Path, unknown][] {
  const edits: [Path, unknown][] = [[["training", "task"], next]];
  const arch = getIn(value, ["model", "arch"]);
  if (typeof arch === "string" && !(archOptions(next) as readonly string[]).includes(arch)) edits.push([["model", "arch"], undefined]);
  if (!usesLabelSet(next) && getIn(value, ["dataset", "labels"]) !== undefined) edits.push([["dataset", "labels"], undefined]);
  else if (!hasOtherClass(next) && getIn(value, ["dataset", "labels", "other_class"]) !== undefined) edits.push([["dataset", "labels", "other_class"], undefined]);
  // a detector has its own heads: the classifier's sizes are refused for it (packages/config)
  if (isDetection(next))
    for (const path of CLASSIFIER_HEAD_PATHS) if (getIn(value, path) !== undefined) edits.push([path, undefined]);
  const others = new Set(TASKS.filter((t) => t !== next).map(monitorFallback));
  others.delete(monitorFallback(next));
  for (const path of MONITOR_PATHS) {
    const m = getIn(value, path);
    // another task's headline metric is not something this task logs
    if (typeof m === "string" && others.has(m)) edits.push([path, undefined]);
  }
  return edits;
}
