// Resolve a config's label set (registered name, "all", or inline list) against a dataset's diagnoses,
// or, for detection, against its box classes. Risk has one class whatever the label set says: the event.
import { ConfigError, type ExperimentConfig } from "@trainyard/config";
import { getLabelSet, listLabelSets, type DatasetRow, type Db } from "@trainyard/db";
import { matchLabels, RISK_CLASSES, type ImportReport } from "@trainyard/data";

/** The names a set asks for: its list, a registered set's labels, or (for "all") `all`. */
function requestedLabels(db: Db, set: string | string[], all: () => string[]): string[] {
  if (Array.isArray(set)) return set;
  if (set === "all") return all();
  const row = getLabelSet(db, set);
  if (!row) {
    const known = listLabelSets(db).map((l) => l.name);
    throw new ConfigError([
      {
        path: "dataset.labels.set",
        message: `unknown label set "${set}"; ${known.length ? `known: ${known.join(", ")}` : "none registered"} (register one with \`trainyard labels add NAME FILE\`, or write the labels as a list)`,
      },
    ]);
  }
  return row.labels;
}

export function resolveLabelSet(db: Db, set: string | string[], diagnoses: Record<string, number>): string[] {
  const requested = requestedLabels(db, set, () => Object.keys(diagnoses));
  const result = matchLabels(requested, Object.keys(diagnoses));
  if (result.unknown.length) {
    throw new ConfigError(
      result.unknown.map((u) => ({
        path: "dataset.labels.set",
        message: `"${u.label}" is not a diagnosis of this dataset${u.closest.length ? `; closest: ${u.closest.join(", ")}` : ""}`,
      })),
    );
  }
  if (!result.matched.length) throw new ConfigError([{ path: "dataset.labels.set", message: "the label set is empty" }]);
  return result.matched;
}

/** The boxes section of a dataset's stored report; null for a dataset imported without boxes. */
export function datasetBoxes(dataset: DatasetRow): ImportReport["boxes"] {
  return (dataset.report as Partial<ImportReport>).boxes ?? null;
}

/** The follow-up section of a dataset's stored report; null for a dataset imported without --time-col. */
export function datasetSurvival(dataset: DatasetRow): ImportReport["survival"] {
  return (dataset.report as Partial<ImportReport>).survival ?? null;
}

/**
 * Detection's classes: the set resolved against the dataset's box classes. "all" is every class that has
 * a box; a class that is declared (a COCO category, a YOLO name) but has no box is refused by name, as is
 * one the boxes never name.
 */
export function resolveBoxClasses(db: Db, set: string | string[], dataset: DatasetRow): string[] {
  const boxes = datasetBoxes(dataset);
  if (!boxes) throw new ConfigError([{ path: "training.task", message: `dataset "${dataset.name}" has no boxes; re-import it with --boxes F, or use training.task multilabel/multiclass` }]);
  const withBoxes = boxes.classes.filter((c) => boxes.perClass[c] > 0);
  const requested = requestedLabels(db, set, () => withBoxes);
  const result = matchLabels(requested, boxes.classes);
  const issues = result.unknown.map((u) => ({
    path: "dataset.labels.set",
    message: `"${u.label}" is not a box class of dataset "${dataset.name}"${u.closest.length ? `; closest: ${u.closest.join(", ")}` : ""} (box classes: ${withBoxes.join(", ")})`,
  }));
  for (const c of result.matched)
    if (!(boxes.perClass[c] > 0))
      issues.push({ path: "dataset.labels.set", message: `"${c}" has no boxes in dataset "${dataset.name}" (classes with boxes: ${withBoxes.join(", ")}); leave it out of the label set` });
  if (issues.length) throw new ConfigError(issues);
  if (!result.matched.length) throw new ConfigError([{ path: "dataset.labels.set", message: "the label set is empty" }]);
  return result.matched;
}

/**
 * A run's classes for its task: box classes for detection, diagnoses (plus "other" when on) for
 * classification, ["event"] for risk (its label set is not read: the target is the follow-up).
 */
export function resolveTaskClasses(db: Db, config: ExperimentConfig, dataset: DatasetRow): string[] {
  if (config.training.task === "risk") return [...RISK_CLASSES];
  if (config.training.task === "detection") return resolveBoxClasses(db, config.dataset.labels.set, dataset);
  const labels = resolveLabelSet(db, config.dataset.labels.set, dataset.diagnoses);
  return config.dataset.labels.other_class ? [...labels, "other"] : labels;
}
