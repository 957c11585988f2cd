// Whether a config's task fits its dataset, checked wherever a submission is resolved (submit, validate,
// the dry run: Daemon.resolveSubmission): each task declares the targets it needs
// (packages/protocol/src/tasks.ts: labels, boxes or survival), and a run whose dataset lacks them is refused with
// what is missing and how to get it, as ConfigError issues on the field to change.
import { ConfigError, type ConfigIssue, type ExperimentConfig } from "@trainyard/config";
import type { DatasetRow, Db } from "@trainyard/db";
import { taskDeclaration } from "@trainyard/protocol/tasks";
import { noSurvivalMessage } from "@trainyard/data";
import { datasetBoxes, datasetSurvival, resolveBoxClasses } from "./label-resolution.ts";

/** What the dataset lacks for the config's task; empty when it fits. */
export function taskFitIssues(db: Db, config: ExperimentConfig, dataset: DatasetRow): ConfigIssue[] {
  const task = config.training.task;
  const boxes = datasetBoxes(dataset);
  const targets = taskDeclaration(task).targets;
  if (targets === "survival") {
    const survival = datasetSurvival(dataset);
    if (!survival) return [{ path: "training.task", message: noSurvivalMessage(`dataset "${dataset.name}"`) }];
    if (!survival.cases)
      return [{ path: "training.task", message: `dataset "${dataset.name}" has follow-up targets but no exam with a usable image (see trainyard dataset show ${dataset.name}); re-import it with the images in place` }];
    return [];
  }
  if (targets === "boxes") {
    if (!boxes) return [{ path: "training.task", message: `dataset "${dataset.name}" has no boxes; re-import it with --boxes F, or use training.task multilabel/multiclass` }];
    if (!boxes.total)
      return [{ path: "training.task", message: `dataset "${dataset.name}" has no boxes left after import (every box of ${boxes.file} was rejected; see trainyard dataset show ${dataset.name}); re-import it with corrected boxes` }];
    try {
      resolveBoxClasses(db, config.dataset.labels.set, dataset);
    } catch (e) {
      if (e instanceof ConfigError) return e.issues;
      throw e;
    }
    return [];
  }
  if (!Object.keys(dataset.diagnoses).length)
    return [
      {
        path: "training.task",
        message: `dataset "${dataset.name}" has no diagnoses (no image has a label), so there is nothing to classify; ${
          boxes?.total ? "it has boxes: use training.task detection, or re-import it with --label-col C" : "re-import it with --label-col C naming the diagnosis column (or --boxes F for training.task detection)"
        }`,
      },
    ];
  return [];
}
