// The daemon's state owner: the store, the live bus, submission, the scheduler and its run supervisors.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig, type ExperimentConfig } from "@trainyard/config";
import { deleteRun, getDataset, getRun, insertRun, listDatasets, openStore, requeueRunningEvaluations, updateRun, versionsOfRun, type NewRun, type RunRow, type Store } from "@trainyard/db";
import { CheckpointRefError, parseCheckpointRef, resolveCheckpoint, type CheckpointRef } from "./runs/checkpoint-refs.ts";
import { resolveTaskClasses } from "./runs/label-resolution.ts";
import { taskFitIssues } from "./runs/task-fit.ts";
import { EventBus } from "./runs/event-bus.ts";
import { setQueueLookup, toSummary } from "./runs/run-summary.ts";
import { Scheduler } from "./runs/scheduler.ts";
import { recoverRuns } from "./runs/recovery.ts";
import { sealFinishedRuns } from "./runs/seal-finished.ts";
import { groupOldBlocks } from "./runs/group-old-blocks.ts";
import { ChartReadPool } from "./charts/chart-read-pool.ts";
import { LAST_CHECKPOINT } from "./runs/supervisor.ts";
import { GpuMonitor } from "./gpus/monitor.ts";
import { findPython, type PythonInfo } from "./python.ts";
import { insideDir, resolveHome, runDir, type Home } from "./home.ts";
import { newRunId } from "./runs/run-id.ts";
import { SweepManager } from "./sweeps/sweep-manager.ts";
import { RESUMABLE_STATES } from "@trainyard/protocol/run-states";
import { prepareRun } from "./runs/run-spec.ts";
import type { RunContext } from "./runs/run-context.ts";
import type { Executor, ExecutorName } from "./executors/executor.ts";
import { createExecutors, EXECUTOR_NAMES } from "./executors/registry.ts";
import type { SlurmOptions } from "./executors/slurm.ts";
import { EvaluationJob, queuedEvaluationJobs } from "./evaluations/evaluation-job.ts";
import type { Slot } from "./gpus/inventory.ts";

/** The owner of runs submitted without a token (a daemon bound to loopback needs none). */
export const LOCAL_USER = "local";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface DaemonOptions {
  home?: string;
  /** CPU slots: runs in parallel without a GPU; on a GPU machine, for runs with resources.gpus 0 (TRAINYARD_CPU_SLOTS, default 1). */
  cpuSlots?: number;
  /** GPU allow-list: indices or UUIDs, comma-separated (TRAINYARD_GPUS). */
  gpus?: string;
  python?: string;
  /** Automatic restarts of a run after daemon crashes (TRAINYARD_MAX_RESTARTS, default 3). */
  maxRestarts?: number;
  /** Where runs without resources.executor train (--executor; default local). */
  executor?: ExecutorName;
  /** The Slurm executor's partition, account and extra sbatch arguments (--slurm-*). */
  slurm?: SlurmOptions;
}

/** A request the daemon refuses because of the run's state (the API maps it to 409). */
export class RunStateError extends Error {}

export class Daemon implements RunContext {
  readonly home: Home;
  readonly store: Store;
  readonly bus = new EventBus();
  readonly scheduler: Scheduler;
  readonly gpuMonitor: GpuMonitor;
  /** Hyperparameter sweeps: one controller (and Optuna process) per running or paused sweep. */
  readonly sweeps: SweepManager;
  /** Chart bucket reads on worker threads (charts.series). */
  readonly chartReads: ChartReadPool;
  private python: Promise<PythonInfo> | null = null;
  private executors: Map<string, Executor>;
  readonly defaultExecutor: ExecutorName;
  /** Background sealing of finished runs' metric tails, then group aggregates for old blocks (runs/seal-finished.ts, runs/group-old-blocks.ts). */
  private sealing: Promise<number> = Promise.resolve(0);
  private stopping = false;

  constructor(readonly opts: DaemonOptions = {}) {
    this.home = resolveHome(opts.home);
    this.defaultExecutor = opts.executor ?? "local";
    if (!EXECUTOR_NAMES.includes(this.defaultExecutor)) throw new Error(`--executor ${this.defaultExecutor}: expected one of ${EXECUTOR_NAMES.join(", ")}`);
    this.executors = createExecutors({ cpuSlotCount: () => this.scheduler.slots().length, slurm: opts.slurm ?? {} });
    this.store = openStore(this.home.db);
    this.chartReads = new ChartReadPool(this.store.sqlite, this.home.db);
    this.scheduler = new Scheduler(this, {
      cpuSlots: opts.cpuSlots ?? Number(process.env.TRAINYARD_CPU_SLOTS ?? 1),
      gpus: opts.gpus ?? process.env.TRAINYARD_GPUS,
    });
    setQueueLookup((id) => this.scheduler.queueState(id));
    this.gpuMonitor = new GpuMonitor(this);
    this.sweeps = new SweepManager(this);
  }

  /** Find (once) the Python interpreter with torch that runs trainers. */
  pythonInfo(): Promise<PythonInfo> {
    this.python ??= findPython(this.opts.python);
    return this.python;
  }

  executor(name: string): Executor {
    const e = this.executors.get(name);
    if (!e) throw new Error(`unknown executor "${name}" (this daemon has ${[...this.executors.keys()].join(", ")})`);
    return e;
  }

  /** The executor a config's run would use: its resources.executor, else the daemon's --executor. */
  executorOf(config: ExperimentConfig): ExecutorName {
    return config.resources.executor ?? this.defaultExecutor;
  }

  queuedEvaluationJobs() {
    return queuedEvaluationJobs(this);
  }

  evaluationJob(id: string, slots: Slot[]): EvaluationJob {
    return new EvaluationJob(this, id, slots);
  }

  prepareRun(runId: string, log: (message: string) => void, resumeCheckpoint: string | null): Promise<string> {
    return prepareRun(this, runId, log, resumeCheckpoint);
  }

  /** Parse, validate and resolve a config against the registered datasets and label sets. */
  resolveSubmission(yaml: string, overrides: readonly string[] = []): { config: ExperimentConfig; classes: string[] } {
    const config = loadConfig(yaml, overrides);
    const dataset = getDataset(this.store.db, config.dataset.name);
    if (!dataset || dataset.status !== "ready") {
      const known = listDatasets(this.store.db).filter((d) => d.status === "ready").map((d) => d.name);
      throw new ConfigError([
        {
          path: "dataset.name",
          message: `unknown dataset "${config.dataset.name}"; ${known.length ? `known datasets: ${known.join(", ")}` : "no dataset is imported yet (run `trainyard demo` or `trainyard dataset import`)"}`,
        },
      ]);
    }
    // stored resolved: the run's config says where it ran, and the trainer reads it (its rendezvous under srun)
    config.resources.executor = this.executorOf(config);
    const executor = this.executor(config.resources.executor);
    const placement = executor.configIssues(config);
    if (placement.length) throw new ConfigError(placement);
    const gpuSlots = this.scheduler.gpuSlots;
    if (!executor.usesLocalSlots) {
      // the cluster places the run: this machine's GPUs do not bound it
    } else if (this.scheduler.hasGpus && config.resources.gpus > gpuSlots.length)
      throw new ConfigError([{ path: "resources.gpus", message: `${config.resources.gpus} GPUs requested, but this daemon may use ${gpuSlots.length} (${gpuSlots.map((s) => s.id).join(", ")})` }]);
    else if (this.scheduler.hasGpus && config.resources.gpus === 0 && gpuSlots.length === this.scheduler.all.length)
      throw new ConfigError([{ path: "resources.gpus", message: "0 GPUs requested, but this daemon has no CPU slot to run it on: ask for a GPU, or start the daemon with --cpu-slots 1 (TRAINYARD_CPU_SLOTS)" }]);
    if (config.model.init_from) this.initFromCheckpoint(config.model.init_from);
    // the task must fit the dataset (detection needs boxes, classification diagnoses) before its classes mean anything
    const misfit = taskFitIssues(this.store.db, config, dataset);
    if (misfit.length) throw new ConfigError(misfit);
    return { config, classes: resolveTaskClasses(this.store.db, config, dataset) };
  }

  /** The checkpoint `model.init_from` names, or a ConfigError on that field saying what exists. */
  initFromCheckpoint(ref: string): CheckpointRef {
    try {
      const { runId, name } = parseCheckpointRef(ref);
      return resolveCheckpoint(this.store.db, this.home, runId, name);
    } catch (e) {
      if (e instanceof CheckpointRefError) throw new ConfigError([{ path: "model.init_from", message: e.message }]);
      throw e;
    }
  }

  submit(yaml: string, overrides: readonly string[] = [], owner = LOCAL_USER): RunRow {
    const { config, classes } = this.resolveSubmission(yaml, overrides);
    const run = insertRun(this.store.db, this.newRunValues(yaml, config, classes, owner));
    this.publishRun(run.id);
    this.scheduler.poke();
    return run;
  }

  /** The row of a new queued run of a resolved config (submit, and sweep trials inside their own transaction). */
  newRunValues(yaml: string, config: ExperimentConfig, classes: string[], owner: string): NewRun {
    return {
      id: newRunId(),
      name: config.name,
      status: "queued",
      datasetName: config.dataset.name,
      config: config as unknown as Record<string, unknown>,
      configYaml: yaml,
      classes,
      owner,
      priority: config.resources.priority,
      gpus: config.resources.gpus,
      epochs: config.training.phases.reduce((n, p) => n + p.epochs, 0),
      queuedAt: Date.now(),
      maxRestarts: this.opts.maxRestarts ?? Number(process.env.TRAINYARD_MAX_RESTARTS ?? 3),
      executor: this.executorOf(config),
      nodes: config.resources.nodes,
    };
  }

  cancel(id: string): void {
    const run = getRun(this.store.db, id);
    if (!run) return;
    if (run.status === "queued" && !this.scheduler.isActive(id)) {
      updateRun(this.store.db, id, { status: "cancelled", endedAt: Date.now(), error: "cancelled while queued" });
      this.publishRun(id);
      this.scheduler.poke();
    } else if (run.status === "running" || run.status === "queued") {
      // running, or waiting in a cluster's queue with its job submitted: the job is cancelled (scancel)
      this.scheduler.stop(id, "cancel");
    }
  }

  /**
   * A cancelled, interrupted or failed run goes back to the queue as a new attempt, from its last checkpoint or
   * the one named: the trainer restores that checkpoint's position (phase, epoch, step), optimizer and RNGs and
   * trains on from there, as if the later epochs had not happened.
   */
  resume(id: string, checkpoint?: string): RunRow {
    const run = getRun(this.store.db, id);
    if (!run) throw new RunStateError(`no run "${id}"`);
    if (!(RESUMABLE_STATES as readonly string[]).includes(run.status))
      throw new RunStateError(`run ${id} is ${run.status}; only ${RESUMABLE_STATES.slice(0, -1).join(", ")} or ${RESUMABLE_STATES.at(-1)} runs can be resumed`);
    let resumeFrom = LAST_CHECKPOINT;
    if (checkpoint && checkpoint !== "last") {
      try {
        resumeFrom = resolveCheckpoint(this.store.db, this.home, id, checkpoint).relative;
      } catch (e) {
        if (e instanceof CheckpointRefError) throw new RunStateError(`cannot resume from "${checkpoint}": ${e.message}`);
        throw e;
      }
    } else if (!existsSync(join(runDir(this.home, id), LAST_CHECKPOINT)))
      throw new RunStateError(`run ${id} has no "last" checkpoint to resume from (it stopped before its first one); submit its config again with \`trainyard run\``);
    updateRun(this.store.db, id, { status: "queued", queuedAt: Date.now(), resumeFrom, error: null, endedAt: null });
    this.publishRun(id);
    this.scheduler.poke();
    return getRun(this.store.db, id)!;
  }

  /** Removes a finished or queued run: its rows (metrics, events, checkpoints by cascade) and its folder. */
  delete(id: string): void {
    const run = getRun(this.store.db, id);
    if (!run) throw new RunStateError(`no run "${id}"`);
    if (run.status === "running" || this.scheduler.isActive(id))
      throw new RunStateError(`run ${id} is running; cancel it first (\`trainyard cancel ${id}\`)`);
    const registered = versionsOfRun(this.store.db, id);
    if (registered.length)
      throw new RunStateError(`run ${id} cannot be deleted: it is the lineage of registered model version${registered.length > 1 ? "s" : ""} ${registered.map((v) => `${v.model}@${v.version}`).join(", ")}`);
    deleteRun(this.store.db, id);
    const dir = insideDir(this.home.runs, id);
    if (dir && dir !== this.home.runs) rmSync(dir, { recursive: true, force: true });
    this.bus.publish(id, { type: "deleted", runId: id });
    this.scheduler.poke();
  }

  publishRun(id: string): void {
    const run = getRun(this.store.db, id);
    if (run) this.bus.publish(id, { type: "run", run: toSummary(run) });
  }

  async health() {
    const py = await this.pythonInfo();
    return {
      ok: true,
      home: this.home.root,
      python: py,
      slots: this.scheduler.slots(),
      gpus: this.gpuMonitor.latest.length ? this.gpuMonitor.latest : this.scheduler.gpus,
      subscribers: this.bus.size,
    };
  }

  exampleConfigs(): { file: string; name: string; yaml: string }[] {
    const dir = join(REPO_ROOT, "configs");
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => ({ file: `configs/${f}`, name: basename(f).replace(/\.ya?ml$/, ""), yaml: readFileSync(join(dir, f), "utf8") }));
  }

  async start(): Promise<void> {
    await this.executor(this.defaultExecutor).check?.(this.home.root);
    await recoverRuns(this);
    requeueRunningEvaluations(this.store.db); // a crash mid-evaluation: it runs again (it keeps no partial state)
    this.scheduler.start();
    this.sweeps.start();
    this.gpuMonitor.start();
    const open = () => !this.stopping && this.store.sqlite.open;
    this.sealing = sealFinishedRuns(this.store.sqlite, open)
      .then((sealed) => groupOldBlocks(this.store.sqlite, open).then(() => sealed))
      .catch((e) => {
        console.error(`bringing metric blocks up to date failed: ${e instanceof Error ? e.message : e}`);
        return 0;
      });
  }

  async stop(): Promise<void> {
    this.gpuMonitor.stop();
    this.stopping = true;
    await this.sealing;
    await this.chartReads.close();
    this.sweeps.stop(); // before the trainers stop: their runs go back to the queue, not to their sweeps
    await this.scheduler.shutdown();
    this.store.close();
  }
}
