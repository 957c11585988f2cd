// Store schema (drizzle). The daemon is the only writer. Migrations are generated from this file into
// drizzle/ with `npm run db:generate`, reviewed and checked in, and applied at daemon start.
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

export const datasets = sqliteTable("datasets", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  /** importing | ready | failed */
  status: text("status").notNull().default("importing"),
  /** Folder under TRAINYARD_HOME/datasets holding the columnar sample table. */
  dir: text("dir").notNull(),
  imagesDir: text("images_dir").notNull(),
  manifestPath: text("manifest_path").notNull(),
  numSamples: integer("num_samples").notNull().default(0),
  numGroups: integer("num_groups").notNull().default(0),
  /** JSON: {diagnosis: count} */
  diagnoses: text("diagnoses", { mode: "json" }).$type<Record<string, number>>().notNull().default({}),
  /** JSON: feature schema (one entry per metadata column). */
  features: text("features", { mode: "json" }).$type<unknown[]>().notNull().default([]),
  /** JSON: validation report stored with the import. */
  report: text("report", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  error: text("error"),
  createdAt: integer("created_at").notNull().default(now),
});

export const imageCaches = sqliteTable(
  "image_caches",
  {
    datasetId: integer("dataset_id").notNull().references(() => datasets.id, { onDelete: "cascade" }),
    size: integer("size").notNull(),
    path: text("path").notNull(),
    numImages: integer("num_images").notNull(),
    /** building | ready | failed */
    status: text("status").notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.size] })],
);

export const labelSets = sqliteTable("label_sets", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  labels: text("labels", { mode: "json" }).$type<string[]>().notNull(),
  source: text("source"),
  createdAt: integer("created_at").notNull().default(now),
});

export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** queued | running | completed | failed | cancelled | interrupted */
    status: text("status").notNull().default("queued"),
    datasetName: text("dataset_name").notNull(),
    /** Resolved experiment config (JSON). */
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** The YAML the user submitted, kept verbatim. */
    configYaml: text("config_yaml").notNull(),
    classes: text("classes", { mode: "json" }).$type<string[]>().notNull().default([]),
    owner: text("owner").notNull().default("local"),
    priority: integer("priority").notNull().default(50),
    gpus: integer("gpus").notNull().default(1),
    attempt: integer("attempt").notNull().default(0),
    phase: text("phase"),
    epoch: integer("epoch").notNull().default(0),
    epochs: integer("epochs").notNull().default(0),
    step: integer("step").notNull().default(0),
    steps: integer("steps").notNull().default(0),
    bestName: text("best_name"),
    bestValue: real("best_value"),
    bestEpoch: integer("best_epoch"),
    error: text("error"),
    stderrTail: text("stderr_tail"),
    exitCode: integer("exit_code"),
    signal: text("signal"),
    pid: integer("pid"),
    /** Slot ids ("gpu:1", "cpu:0") held by the current or last attempt. */
    slots: text("slots", { mode: "json" }).$type<string[]>().notNull().default([]),
    /** Queue order within a priority (FIFO); a manual resume goes to the back, a crash restart keeps its place. */
    queuedAt: integer("queued_at"),
    /** Automatic restarts used after daemon or trainer crashes, and the bound on them (Determined's max_restarts). */
    restarts: integer("restarts").notNull().default(0),
    maxRestarts: integer("max_restarts").notNull().default(3),
    /** Checkpoint file (relative to the run directory) the next attempt resumes from. */
    resumeFrom: text("resume_from"),
    /** Bytes of events.jsonl already written to this store (crash replay starts here). */
    eventsOffset: integer("events_offset").notNull().default(0),
    /** Where the trainer runs: "local" (a child of the daemon) or "slurm" (daemon/src/executors/). */
    executor: text("executor").notNull().default("local"),
    /** Nodes the run asked for (resources.nodes; more than 1 only on a cluster executor). */
    nodes: integer("nodes").notNull().default(1),
    /** The cluster's id of the current or last attempt (Slurm job id); null for local runs. */
    jobId: text("job_id"),
    /** The cluster's state of that job as last seen (PENDING, RUNNING, ...), and why it waits (squeue %r). */
    jobState: text("job_state"),
    pendingReason: text("pending_reason"),
    /** The nodes the job runs on (squeue %N). */
    nodeList: text("node_list"),
    createdAt: integer("created_at").notNull().default(now),
    startedAt: integer("started_at"),
    endedAt: integer("ended_at"),
  },
  (t) => [index("runs_status_idx").on(t.status, t.priority, t.createdAt)],
);

export const metrics = sqliteTable(
  "metrics",
  {
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    step: integer("step").notNull(),
    epoch: integer("epoch").notNull(),
    phase: text("phase"),
    /** Wall time, seconds since the epoch (as the trainer printed it). */
    time: real("time").notNull(),
    /** NULL is NaN: SQLite stores a NaN as NULL (infinities are kept as they are). */
    value: real("value"),
  },
  (t) => [index("metrics_run_key_step_idx").on(t.runId, t.key, t.step)],
);

/**
 * Sealed metric history, columnar: each row holds up to BLOCK_POINTS consecutive points (arrival order) of
 * one run's key as little-endian float64 arrays, so a chart reads a 100k-point series as ~100 blobs
 * instead of 100k rows. `metrics` keeps only the unsealed tail of each series (packages/db/src/metric-blocks.ts).
 */
export const metricBlocks = sqliteTable(
  "metric_blocks",
  {
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** Block order within the series (arrival order). */
    seq: integer("seq").notNull(),
    n: integer("n").notNull(),
    minStep: integer("min_step").notNull(),
    maxStep: integer("max_step").notNull(),
    /** Extremes of the block's finite values (null when it has none): summaries without reading blobs. */
    minValue: real("min_value"),
    maxValue: real("max_value"),
    /** Steps as start + i * stride when they are evenly spaced (then step_data is null). */
    stepStart: integer("step_start"),
    stepStride: integer("step_stride"),
    /** JSON [[index, epoch], ...]: the epoch from each index on. */
    epochRuns: text("epoch_runs").notNull(),
    /** JSON [[index, phase or null], ...]. */
    phaseRuns: text("phase_runs").notNull(),
    valueData: blob("value_data", { mode: "buffer" }).notNull(),
    timeData: blob("time_data", { mode: "buffer" }).notNull(),
    stepData: blob("step_data", { mode: "buffer" }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key, t.seq] })],
);

/**
 * Aggregates of 32-point groups (packages/db/src/block-groups.ts) for pages of GROUP_PAGE_BLOCKS
 * consecutive metric blocks of a series: a chart bucket that covers whole groups is built from these
 * instead of the blocks' points, about 2 KB per 1,024 points instead of 16 KB, in one row per page
 * (rows, not bytes, are what a cold read of 300 series pays for). Its own table, so reading it never walks
 * a block's overflow pages.
 */
export const metricGroups = sqliteTable(
  "metric_groups",
  {
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    /** Holds the blocks with seq in [page * GROUP_PAGE_BLOCKS, (page + 1) * GROUP_PAGE_BLOCKS). */
    page: integer("page").notNull(),
    /** How many of those blocks it holds (from the first one on). */
    blocks: integer("blocks").notNull(),
    /** JSON [n, ...]: points of each block held, in seq order. */
    blockPoints: text("block_points").notNull(),
    minStep: integer("min_step").notNull(),
    maxStep: integer("max_step").notNull(),
    /** 1 when every block's steps never decrease (only then can groups stand in for points). */
    sorted: integer("sorted").notNull(),
    groupData: blob("group_data", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key, t.page] })],
);

export const checkpoints = sqliteTable(
  "checkpoints",
  {
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    epoch: integer("epoch").notNull(),
    step: integer("step").notNull(),
    /** Path relative to the run directory. */
    path: text("path").notNull(),
    monitorName: text("monitor_name"),
    monitorValue: real("monitor_value"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.runId, t.name] })],
);

/** Non-metric events (status, log, curve, checkpoint, done) in arrival order. */
export const runEvents = sqliteTable(
  "run_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    level: text("level"),
    message: text("message"),
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    time: real("time").notNull(),
  },
  (t) => [index("run_events_run_type_idx").on(t.runId, t.type, t.id)],
);

/**
 * Sampled evaluations of detection runs: the predicted and true boxes of a few fixed validation images
 * at one evaluation (the trainer's `samples` event), for the run page's prediction gallery. One row per
 * run, split and epoch: a resumed attempt that evaluates an epoch again replaces it.
 */
export const runSamples = sqliteTable(
  "run_samples",
  {
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    split: text("split").notNull(),
    epoch: integer("epoch").notNull(),
    step: integer("step").notNull(),
    /** Number of images in `items` (listing evaluations without parsing them). */
    count: integer("count").notNull(),
    /** JSON [{row, boxes: [[x0, y0, x1, y1, score, class], ...], truth: [[x0, y0, x1, y1, class], ...]}, ...], source-image pixels. */
    items: text("items").notNull(),
    /** Wall time of the event, seconds (as the trainer printed it). */
    time: real("time").notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.split, t.epoch] })],
);

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    admin: integer("admin", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("users_name_idx").on(t.name), uniqueIndex("users_token_hash_idx").on(t.tokenHash)],
);

/**
 * Hyperparameter sweeps (daemon/src/sweeps). The search itself lives in the sweep's Optuna journal
 * (TRAINYARD_HOME/sweeps/<id>/study.journal); this table holds what the daemon needs to drive it.
 */
export const sweeps = sqliteTable("sweeps", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** running | paused | completed | cancelled | failed */
  status: text("status").notNull().default("running"),
  owner: text("owner").notNull().default("local"),
  /** The resolved sweep (packages/config ResolvedSweep: base, space, method, metric, early stopping). */
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  /** The YAML the user submitted, kept verbatim. */
  configYaml: text("config_yaml").notNull(),
  maxTrials: integer("max_trials").notNull(),
  parallel: integer("parallel").notNull(),
  error: text("error"),
  createdAt: integer("created_at").notNull().default(now),
  endedAt: integer("ended_at"),
});

/**
 * One row per trial, written in the same transaction as its run (so a trial is never lost or launched twice):
 * the Optuna trial number, the params it was given, what was reported and told.
 */
export const sweepTrials = sqliteTable(
  "sweep_trials",
  {
    sweepId: text("sweep_id").notNull().references(() => sweeps.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    runId: text("run_id").references(() => runs.id, { onDelete: "set null" }),
    params: text("params", { mode: "json" }).$type<Record<string, number | string | boolean>>().notNull(),
    /** Last epoch whose metric the Optuna process was told (the rung reached follows from it). */
    epochs: integer("epochs").notNull().default(0),
    /** The trial's metric: its best reported value for completed trials, the last one for pruned ones. */
    value: real("value"),
    /** complete | pruned | fail once Optuna has been told; null while the trial runs. */
    outcome: text("outcome"),
    createdAt: integer("created_at").notNull().default(now),
    endedAt: integer("ended_at"),
  },
  (t) => [primaryKey({ columns: [t.sweepId, t.number] }), index("sweep_trials_run_idx").on(t.runId)],
);

/** An evaluation: one checkpoint of a run scored on a split of a dataset (`trainyard evaluate`), run as a queued job. */
export const evaluations = sqliteTable(
  "evaluations",
  {
    id: text("id").primaryKey(),
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
    /** The checkpoint's name in the run (best, last, epoch-N, top-K). */
    checkpoint: text("checkpoint").notNull(),
    dataset: text("dataset").notNull(),
    /** test | val | all */
    split: text("split").notNull(),
    /** queued | running | completed | failed | cancelled */
    status: text("status").notNull().default("queued"),
    /** The checkpoint's epoch, as the store recorded it when the evaluation was created. */
    epoch: integer("epoch"),
    /** Samples scored. */
    samples: integer("samples"),
    /** The metrics the task printed, keyed `<split>/<name>` (test/auc_macro ...), as in the run's own test. */
    metrics: text("metrics", { mode: "json" }).$type<Record<string, number | null>>(),
    /** The curves the task printed: [{kind, class, points}] (roc, pr, confusion, pr50, auc_by_year, calibration). */
    curves: text("curves", { mode: "json" }).$type<{ kind: string; class: string; points: unknown[] }[]>(),
    error: text("error"),
    owner: text("owner").notNull().default("local"),
    createdAt: integer("created_at").notNull().default(now),
    startedAt: integer("started_at"),
    endedAt: integer("ended_at"),
  },
  (t) => [index("evaluations_run_idx").on(t.runId, t.createdAt), index("evaluations_status_idx").on(t.status, t.createdAt)],
);

/**
 * Model registry (daemon/src/models): a named model, its numbered versions (each a frozen checkpoint of a run
 * with its lineage), aliases naming one version each (`production`, `staging`, any other), and every alias move.
 */
export const models = sqliteTable("models", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull().unique(),
  description: text("description"),
  /** Who registered its first version: with admins, the only one who may add versions or move aliases. */
  owner: text("owner").notNull().default("local"),
  createdAt: integer("created_at").notNull().default(now),
});

export const modelVersions = sqliteTable(
  "model_versions",
  {
    modelId: integer("model_id").notNull().references(() => models.id, { onDelete: "cascade" }),
    /** 1, 2, ... per model. */
    version: integer("version").notNull(),
    /** The run it came from: a run with registered versions cannot be deleted (the daemon says which; the key refuses too). */
    runId: text("run_id").notNull().references(() => runs.id, { onDelete: "restrict" }),
    checkpointName: text("checkpoint_name").notNull(),
    /** The checkpoint file relative to the run's folder, as it was registered. */
    checkpointPath: text("checkpoint_path").notNull(),
    /** sha256 of that file at registration; the version's own frozen copy under TRAINYARD_HOME/models has the same. */
    checkpointSha256: text("checkpoint_sha256").notNull(),
    /** The run's resolved experiment config (JSON). */
    config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    datasetName: text("dataset_name").notNull(),
    /** sha256 of the dataset's sample table at registration; null when the dataset is gone or was re-imported after the run started. */
    datasetFingerprint: text("dataset_fingerprint"),
    classes: text("classes", { mode: "json" }).$type<string[]>().notNull(),
    task: text("task").notNull(),
    /** JSON {monitor: {name, value} | null, test: {key: value}} at registration. */
    metrics: text("metrics", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    description: text("description"),
    /** JSON {key: value}; a bare tag is {tag: ""}. */
    tags: text("tags", { mode: "json" }).$type<Record<string, string>>().notNull().default({}),
    owner: text("owner").notNull().default("local"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.version] }), index("model_versions_run_idx").on(t.runId)],
);

export const modelAliases = sqliteTable(
  "model_aliases",
  {
    modelId: integer("model_id").notNull().references(() => models.id, { onDelete: "cascade" }),
    alias: text("alias").notNull(),
    version: integer("version").notNull(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.alias] })],
);

/** Every alias move, in order: from null is the alias's first assignment. */
export const aliasMoves = sqliteTable(
  "alias_moves",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    modelId: integer("model_id").notNull().references(() => models.id, { onDelete: "cascade" }),
    alias: text("alias").notNull(),
    fromVersion: integer("from_version"),
    toVersion: integer("to_version").notNull(),
    movedBy: text("moved_by").notNull(),
    movedAt: integer("moved_at").notNull().default(now),
  },
  (t) => [index("alias_moves_model_idx").on(t.modelId, t.id)],
);
