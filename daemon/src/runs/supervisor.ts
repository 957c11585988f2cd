// One run's attempt: prepare its run directory, hand it to its executor (executors/), follow its events
// into ingest, and settle the run's final state with a reason when the trainer is gone. An attempt the
// previous daemon launched on a cluster is adopted instead (recovery found its job still alive).
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { getRun, updateRun } from "@trainyard/db";
import type { ExperimentConfig } from "@trainyard/config";
import { runDir } from "../home.ts";
import { RunIngest } from "./ingest.ts";
import { diskSpaceProblem } from "./disk-space.ts";
import { trainerCommand } from "./trainer-command.ts";
import type { Slot } from "../gpus/inventory.ts";
import type { Executor, ExecutorPatch, LaunchRequest, RunExit, RunHandle } from "../executors/executor.ts";
import { TRAINER_LOG } from "../executors/local.ts";
import type { RunContext } from "./run-context.ts";

/** The resumable checkpoint the trainer writes at every epoch end and on SIGTERM, relative to the run dir. */
export const LAST_CHECKPOINT = "checkpoints/last/checkpoint.pt";

export { TRAINER_LOG };
const STDERR_TAIL_BYTES = 8192;
/** How often a run whose trainer writes events.jsonl itself is read for new lines. */
const FOLLOW_MS = Number(process.env.TRAINYARD_FOLLOW_MS ?? 500);

export type { Slot };

/** Job states (Slurm's) in which a cluster run still waits to start: its run shows as queued. */
const CLUSTER_PENDING_STATES = new Set(["PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"]);

/**
 * Why the daemon stops a trainer: a user's cancel, the daemon itself shutting down (resume later), or a sweep's
 * early stopper pruning the trial at a rung (state `pruned`).
 */
export type StopReason = "cancel" | "shutdown" | "prune";

export class RunSupervisor {
  private handle: RunHandle | null = null;
  private stopReason: StopReason | null = null;
  readonly dir: string;
  private executor: Executor;

  constructor(
    private ctx: RunContext,
    readonly runId: string,
    readonly slots: Slot[],
    private resumeCheckpoint: string | null = null,
  ) {
    this.dir = runDir(ctx.home, runId);
    this.executor = ctx.executor(getRun(ctx.store.db, runId)!.executor);
  }

  /** Runs the trainer to the end; resolves once the run's final state is stored. */
  async run(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const ingest = new RunIngest(this.ctx, this.runId, this.dir, this.executor.eventsWriter === "trainer" ? "follow" : "append");
    const db = this.ctx.store.db;
    const run = getRun(db, this.runId)!;
    // a run the cluster places waits in the cluster's queue (status queued, its job's pending reason beside it)
    // until its job starts; a local one starts now
    const placedByCluster = !this.executor.usesLocalSlots;
    updateRun(db, this.runId, {
      status: placedByCluster ? "queued" : "running",
      startedAt: placedByCluster ? run.startedAt : (run.startedAt ?? Date.now()),
      endedAt: null,
      attempt: run.attempt + 1,
      slots: this.slots.map((s) => s.id),
      error: null,
      stderrTail: null,
      exitCode: null,
      signal: null,
      jobId: null,
      pendingReason: null,
      nodeList: null,
    });
    this.ctx.publishRun(this.runId);

    const disk = diskSpaceProblem(this.ctx.home.root);
    if (disk) return this.settle(ingest, "failed", disk);
    const override = process.env.TRAINYARD_TRAINER_CMD;
    const python = override ? null : await this.ctx.pythonInfo();
    if (python && !python.ok) return this.settle(ingest, "failed", python.message);
    let specPath: string;
    try {
      specPath = await this.ctx.prepareRun(this.runId, (m) => ingest.note(m), this.resumeCheckpoint);
    } catch (e) {
      return this.settle(ingest, "failed", `could not prepare the run: ${(e as Error).message}`);
    }
    if (this.stopReason) return this.settle(ingest, this.stopReason === "shutdown" ? "queued" : this.stopReason === "prune" ? "pruned" : "cancelled", "stopped before the trainer started");
    const req = this.request(ingest, run.config as unknown as ExperimentConfig, trainerCommand(python?.path ?? "python3", specPath), python);
    try {
      this.handle = await this.executor.launch(req);
    } catch (e) {
      return this.settle(ingest, "failed", (e as Error).message);
    }
    if (this.resumeCheckpoint) ingest.note(`resuming from ${this.resumeCheckpoint}`);
    return this.follow(ingest);
  }

  /** After a daemon restart: follow an attempt whose trainer is still alive (recovery reattached it). */
  async adopt(attach: (req: LaunchRequest) => Promise<RunHandle | null>): Promise<boolean> {
    const ingest = new RunIngest(this.ctx, this.runId, this.dir, "follow");
    const run = getRun(this.ctx.store.db, this.runId)!;
    const handle = await attach(this.request(ingest, run.config as unknown as ExperimentConfig, [], null));
    if (!handle) {
      ingest.close(false);
      return false;
    }
    this.handle = handle;
    void this.follow(ingest);
    return true;
  }

  private request(ingest: RunIngest, config: ExperimentConfig, command: string[], python: Awaited<ReturnType<RunContext["pythonInfo"]>> | null): LaunchRequest {
    return {
      runId: this.runId,
      dir: this.dir,
      specPath: join(this.dir, "spec.json"),
      slots: this.slots,
      python: python?.ok ? python : null,
      command,
      config,
      note: (m, level) => ingest.note(m, level),
      line: (l) => ingest.push(l),
      update: (patch: ExecutorPatch) => {
        updateRun(this.ctx.store.db, this.runId, { ...patch, ...this.statusOfJob(patch) });
        this.ctx.publishRun(this.runId);
      },
    };
  }

  /**
   * A cluster job's state moves its run between queued (pending in the cluster's queue) and running. Only
   * while this attempt is live: a stop already asked for, or a final state, is never undone here.
   */
  private statusOfJob(patch: ExecutorPatch): { status?: string; startedAt?: number } {
    if (patch.jobState == null || this.executor.usesLocalSlots) return {};
    const run = getRun(this.ctx.store.db, this.runId);
    if (!run || (run.status !== "queued" && run.status !== "running")) return {};
    const pending = CLUSTER_PENDING_STATES.has(patch.jobState);
    if (pending && run.status === "running") return { status: "queued" };
    if (!pending && run.status === "queued") return { status: "running", startedAt: run.startedAt ?? Date.now() };
    return {};
  }

  private done: Promise<void> | null = null;
  /** Settles when the adopted or launched attempt is settled. */
  get finished(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  private follow(ingest: RunIngest): Promise<void> {
    this.done = (async () => {
      if (this.stopReason) this.signalTrainer();
      const timer = ingest.mode === "follow" ? setInterval(() => ingest.follow(), FOLLOW_MS) : null;
      let exit: RunExit;
      try {
        exit = await this.handle!.exit;
      } finally {
        if (timer) clearInterval(timer);
      }
      if (exit.detached) {
        // the daemon stops, the cluster job goes on: the next daemon reattaches it (recovery)
        ingest.note("the daemon stopped; the job keeps running and the next daemon follows it again");
        ingest.close(false);
        return;
      }
      ingest.flush();
      ingest.follow();
      this.settleExit(ingest, exit);
    })();
    return this.done;
  }

  private settleExit(ingest: RunIngest, exit: RunExit): void {
    const db = this.ctx.store.db;
    const { code, signal } = exit;
    const done = ingest.state.done;
    const tail = readTail(join(this.dir, TRAINER_LOG), STDERR_TAIL_BYTES);
    updateRun(db, this.runId, { exitCode: code, signal, pid: null, stderrTail: tail || null, pendingReason: null });
    if (this.stopReason === "shutdown") return this.settle(ingest, "queued", "the daemon stopped; this run resumes when it starts again");
    if (this.stopReason === "prune") return this.settle(ingest, "pruned", "pruned by its sweep's early stopper (the last checkpoint is kept)");
    if (this.stopReason === "cancel") return this.settle(ingest, "cancelled", done?.state === "interrupted" ? "cancelled; resumable from the last checkpoint (`trainyard resume`)" : "cancelled");
    // the cluster ended the job (time limit, preemption, node failure): the trainer's own `done` may say
    // interrupted (it checkpointed on Slurm's SIGTERM), but only a completed or failed result is final
    if (exit.preempted && done?.state !== "completed" && done?.state !== "failed") {
      const run = getRun(db, this.runId)!;
      if (run.restarts < run.maxRestarts) {
        ingest.note(`${exit.preempted}; resubmitted (restart ${run.restarts + 1} of ${run.maxRestarts}) ${existsSync(join(this.dir, LAST_CHECKPOINT)) ? `to resume from ${LAST_CHECKPOINT}` : "from the start: no checkpoint yet"}`, "warning");
        updateRun(db, this.runId, { restarts: run.restarts + 1 });
        return this.settle(ingest, "queued", null);
      }
      return this.settle(ingest, "interrupted", `${exit.preempted}; all ${run.maxRestarts} automatic restarts are used, \`trainyard resume ${this.runId}\` continues it`);
    }
    if (done && code === 0) return this.settle(ingest, done.state === "completed" ? "completed" : done.state === "interrupted" ? "interrupted" : "failed", done.error ?? null);
    return this.settle(ingest, "failed", exit.error ?? done?.error ?? explainExit(code, signal, tail));
  }

  /** SIGTERM (the trainer checkpoints and stops), then SIGKILL after the grace period. */
  stop(reason: StopReason = "cancel"): void {
    this.stopReason ??= reason;
    this.signalTrainer();
  }

  private signalTrainer(): void {
    if (!this.handle) return;
    if (this.stopReason === "shutdown" && this.handle.detach) return this.handle.detach();
    this.handle.signal(false);
  }

  private settle(ingest: RunIngest, status: string, error: string | null): void {
    if (error && status === "failed") ingest.note(error, "error");
    ingest.close();
    const db = this.ctx.store.db;
    if (status === "queued") {
      // back in the queue at its old place, resuming from the checkpoint the trainer just wrote
      const resume = existsSync(join(this.dir, LAST_CHECKPOINT)) ? LAST_CHECKPOINT : null;
      // no job of this attempt is live any more (recovery tells a cluster run waiting in the cluster's queue by its job)
      updateRun(db, this.runId, { status, error, pid: null, resumeFrom: resume, jobId: null, jobState: null, pendingReason: null });
    } else {
      updateRun(db, this.runId, { status, error, endedAt: Date.now(), pid: null, resumeFrom: null });
    }
    this.ctx.publishRun(this.runId);
  }
}

/** A reason a person can act on, from how the process ended and what it last wrote. */
export function explainExit(code: number | null, signal: string | null, stderrTail: string): string {
  const lastLines = stderrTail.trim().split("\n");
  const exception = [...lastLines].reverse().find((l) => /^\w+(\.\w+)*(Error|Exception|Interrupt)\b/.test(l));
  if (/CUDA out of memory|OutOfMemoryError/.test(stderrTail)) return `CUDA out of memory: ${exception ?? "lower training.batch_size or image_size"}`;
  if (signal === "SIGKILL") return "the trainer was killed (SIGKILL) without finishing: out of memory (check `dmesg`) or killed by hand";
  if (signal) return `the trainer was stopped by ${signal} without finishing`;
  if (exception) return `the trainer crashed (exit code ${code}): ${exception}`;
  return `the trainer exited with code ${code} without reporting a result`;
}

export function readTail(path: string, bytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "";
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, bytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}
