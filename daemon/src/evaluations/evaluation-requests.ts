// Creating an evaluation (evaluations.create, `trainyard evaluate`): the run, its checkpoint and the dataset are
// checked here, before anything is queued, so a request that cannot work is refused with what exists instead.
// A dataset fits a run's model when it has the run's task targets (labels, boxes, follow-up: runs/task-fit.ts)
// and every class the model predicts (detection: with boxes); "other" is made from the dataset's remaining
// diagnoses, as for a run.
import { randomBytes } from "node:crypto";
import type { ExperimentConfig } from "@trainyard/config";
import { matchLabels } from "@trainyard/data";
import { getDataset, getRun, insertEvaluation, listCheckpoints, listDatasets, type EvaluationRow, type RunRow } from "@trainyard/db";
import { evaluationRequest, type EvaluationRequest, type EvaluationSummary, type EvaluationSplit, type EvaluationState } from "@trainyard/protocol/evaluations";
import type { Daemon } from "../daemon.ts";
import { CheckpointRefError, resolveCheckpoint } from "../runs/checkpoint-refs.ts";
import { datasetBoxes } from "../runs/label-resolution.ts";
import { taskFitIssues } from "../runs/task-fit.ts";

/** A request that names something that does not exist (the API answers 404). */
export class EvaluationNotFound extends Error {}
/** A request that cannot be evaluated as asked (the API answers 400). */
export class EvaluationRequestError extends Error {}

/** Evaluation ids: e + base36 ms timestamp + 4 random chars (sortable by time, like run ids). */
export function newEvaluationId(): string {
  return "e" + Date.now().toString(36) + randomBytes(3).toString("hex").slice(0, 4);
}

/** The classes a run's model predicts that are diagnoses (or box classes): its classes without "other". */
export function modelLabels(run: RunRow): string[] {
  const config = run.config as unknown as ExperimentConfig;
  return config.dataset.labels.other_class ? run.classes.slice(0, -1) : [...run.classes];
}

/** The run's config pointed at another dataset: what the evaluation's arrays are prepared from. */
export function evaluationConfig(run: RunRow, dataset: string): ExperimentConfig {
  const config = run.config as unknown as ExperimentConfig;
  return { ...config, dataset: { ...config.dataset, name: dataset } };
}

/** Checks the request and queues the evaluation. */
export function createEvaluation(daemon: Daemon, request: EvaluationRequest, owner: string): EvaluationRow {
  const input = evaluationRequest.parse(request);
  const db = daemon.store.db;
  const run = getRun(db, input.run);
  if (!run) throw new EvaluationNotFound(`no run "${input.run}" (\`trainyard runs\` lists them)`);
  if (!listCheckpoints(db, run.id).length)
    throw new EvaluationRequestError(`run ${run.id} never wrote a checkpoint (it is ${run.status}${run.epoch ? `, epoch ${run.epoch}` : ""}): there is no model to evaluate; evaluate it once it has finished an epoch`);
  let checkpoint;
  try {
    checkpoint = resolveCheckpoint(db, daemon.home, run.id, input.checkpoint);
  } catch (e) {
    if (e instanceof CheckpointRefError) throw new EvaluationRequestError(`cannot evaluate checkpoint "${input.checkpoint}": ${e.message}`);
    throw e;
  }
  const name = input.dataset ?? run.datasetName;
  const dataset = getDataset(db, name);
  if (!dataset) {
    const known = listDatasets(db).map((d) => d.name);
    throw new EvaluationNotFound(`no dataset "${name}"; ${known.length ? `datasets: ${known.join(", ")}` : "none imported yet"}`);
  }
  if (dataset.status !== "ready") throw new EvaluationRequestError(`dataset "${name}" is ${dataset.status}, not ready; wait for its import to finish (\`trainyard dataset show ${name}\`)`);
  const config = evaluationConfig(run, name);
  const task = config.training.task;
  const issues = taskFitIssues(db, { ...config, dataset: { ...config.dataset, labels: { ...config.dataset.labels, set: modelLabels(run) } } }, dataset);
  // a detector's dataset with boxes has only class issues, which the list of missing classes says better
  if (issues.length && !(task === "detection" && datasetBoxes(dataset)?.total))
    throw new EvaluationRequestError(`dataset "${name}" cannot evaluate run ${run.id}'s ${task} model: ${issues.map((i) => i.message).join("; ")}`);
  const missing = missingClasses(run, dataset);
  if (missing.length) {
    const what = task === "detection" ? "box classes" : "diagnoses";
    throw new EvaluationRequestError(
      `dataset "${name}" lacks ${missing.length} of the ${what} run ${run.id}'s model predicts: ${missing.join(", ")} (the model's classes: ${run.classes.join(", ")}); evaluate on a dataset that has them all`,
    );
  }
  const recorded = listCheckpoints(db, run.id).find((c) => c.name === checkpoint.name);
  const row = insertEvaluation(db, {
    id: newEvaluationId(),
    runId: run.id,
    checkpoint: checkpoint.name,
    dataset: name,
    split: input.split,
    status: "queued",
    epoch: recorded?.epoch ?? null,
    owner,
  });
  daemon.scheduler.poke();
  return row;
}

/** The model's classes the dataset does not have (detection: classes without a box there). Risk has none. */
export function missingClasses(run: RunRow, dataset: NonNullable<ReturnType<typeof getDataset>>): string[] {
  const config = run.config as unknown as ExperimentConfig;
  const labels = modelLabels(run);
  if (config.training.task === "risk") return [];
  if (config.training.task === "detection") {
    const boxes = datasetBoxes(dataset);
    if (!boxes) return labels;
    const matched = matchLabels(labels, boxes.classes.filter((c) => boxes.perClass[c] > 0));
    return matched.unknown.map((u) => u.label);
  }
  return matchLabels(labels, Object.keys(dataset.diagnoses)).unknown.map((u) => u.label);
}

export function toEvaluationSummary(row: EvaluationRow): EvaluationSummary {
  return {
    id: row.id,
    runId: row.runId,
    checkpoint: row.checkpoint,
    epoch: row.epoch ?? null,
    dataset: row.dataset,
    split: row.split as EvaluationSplit,
    status: row.status as EvaluationState,
    metrics: row.metrics ?? null,
    samples: row.samples ?? null,
    error: row.error ?? null,
    createdAt: row.createdAt,
    startedAt: row.startedAt ?? null,
    endedAt: row.endedAt ?? null,
  };
}
