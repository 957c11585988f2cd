// Config keys the daemon consumes and the trainer never reads: each value says where. Every other key of the
// schema must be read by the trainer. Two tests hold this list to the code, so it cannot go stale:
//   packages/trainer/tests/test_config_keys.py: each schema key is read by the trainer or listed here, and no key
//     listed here is read by the trainer;
//   daemon/src/runs/config-keys.test.ts: changing each key listed here changes what the daemon produces.
// The list reaches the Python test through config_defaults.json (`npm run gen:config-defaults`).
export const DAEMON_SIDE_KEYS = {
  name: "the run's name (daemon.ts submit)",
  tags: "the runs table's tag filter and search (packages/db chart-queries.ts pageRuns)",
  "dataset.name": "the dataset whose table, classes and image cache the run gets (daemon.ts resolveSubmission, runs/run-spec.ts)",
  "dataset.labels.set": "the run's classes (runs/label-resolution.ts)",
  "dataset.labels.other_class": "the \"other\" class in the classes and the targets (runs/label-resolution.ts, packages/data sample-selection.ts)",
  "dataset.labels.other_ratio": "how many \"other\" samples train keeps (packages/data sample-selection.ts)",
  "dataset.labels.unlabeled": "samples with none of the labels: dropped or kept all-zero (packages/data sample-selection.ts)",
  "dataset.split.by": "the split: by patient or the dataset's split column (packages/data sample-selection.ts)",
  "dataset.split.train": "the split's train share (packages/data split.ts)",
  "dataset.split.val": "the split's validation share (packages/data split.ts)",
  "dataset.split.test": "the split's test share (packages/data split.ts)",
  "dataset.split.seed": "the split's and the subsample's patient order (packages/data sample-selection.ts)",
  "dataset.split.stratified": "the split's strata (packages/data sample-selection.ts)",
  "dataset.subsample.fraction": "the share of patients the run keeps (packages/data sample-selection.ts)",
  "dataset.subsample.stratified": "whether the subsample keeps each class's share (packages/data sample-selection.ts)",
  "model.init_from": "the warm-start checkpoint, resolved into spec.init_from (daemon.ts resolveSubmission, runs/run-spec.ts)",
  "resources.priority": "the queue order (packages/db runs.ts QUEUE_ORDER_SQL, runs/scheduler.ts)",
  "resources.executor": "where the trainer runs: the run's executor column (daemon.ts executorOf, executors/registry.ts)",
  "resources.nodes": "the Slurm job's --nodes (executors/slurm-batch-script.ts); more than 1 refused by the local executor",
  "resources.time_limit": "the Slurm job's --time (executors/slurm-batch-script.ts)",
  "training.risk.missing_views": "which exams a risk run keeps (packages/data run-arrays-risk.ts)",
} as const;

export type DaemonSideKey = keyof typeof DAEMON_SIDE_KEYS;
