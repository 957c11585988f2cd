// The queue runner: keeps the slot table (GPUs, or CPU slots on machines without one), asks the queue
// policy which runs start, launches their supervisors, and frees their slots the moment a trainer exits.
// Runs of an executor that places them itself (Slurm) take no slot: they go to it as soon as they are queued.
import { join } from "node:path";
import { queuedRuns, updateRun } from "@trainyard/db";
import type { RunContext } from "./run-context.ts";
import type { LaunchRequest, RunHandle } from "../executors/executor.ts";
import { runDir } from "../home.ts";
import { applyAllowList, queryGpusSync, slotsFor, type GpuInfo, type Slot } from "../gpus/inventory.ts";
import { decideQueue, type QueueState } from "./queue-policy.ts";

type SlotPool = "gpu" | "cpu";
import { RunSupervisor, type StopReason } from "./supervisor.ts";
import type { EvaluationJob, queuedEvaluationJobs } from "../evaluations/evaluation-job.ts";

/** What the scheduler needs beyond RunContext: the queued evaluations, and a job that runs one (evaluations/). */
export interface SchedulerContext extends RunContext {
  queuedEvaluationJobs(): ReturnType<typeof queuedEvaluationJobs>;
  evaluationJob(id: string, slots: Slot[]): EvaluationJob;
}

export interface SchedulerOptions {
  cpuSlots: number;
  /** Allow-list of GPU indices or UUIDs (TRAINYARD_GPUS / --gpus); all when unset. */
  gpus?: string;
  /** How long a blocked run lets smaller ones backfill before free slots are held for it. */
  reserveAfterMs?: number;
}

export class Scheduler {
  readonly all: Slot[];
  readonly gpus: GpuInfo[];
  private busy = new Map<string, RunSupervisor | EvaluationJob>(); // slot id -> supervisor
  private active = new Map<string, { sup: RunSupervisor | EvaluationJob; done: Promise<void> }>();
  private waiting = new Map<string, QueueState>();
  private reserveAfterMs: number;
  private stopping = false;
  private started = false;

  constructor(
    private daemon: SchedulerContext,
    opts: SchedulerOptions,
  ) {
    const found = queryGpusSync();
    if (!found?.length && opts.gpus)
      throw new Error(`TRAINYARD_GPUS / --gpus is "${opts.gpus}" but nvidia-smi lists no GPU here; unset it to use CPU slots`);
    this.gpus = found ? applyAllowList(found, opts.gpus) : [];
    this.all = slotsFor(this.gpus, opts.cpuSlots);
    this.reserveAfterMs = opts.reserveAfterMs ?? Number(process.env.TRAINYARD_RESERVE_AFTER_MS ?? 10 * 60_000);
  }

  get hasGpus(): boolean {
    return this.gpus.length > 0;
  }

  /** The GPU slots (empty without GPUs). */
  get gpuSlots(): Slot[] {
    return this.all.filter((s) => s.gpu !== null);
  }

  /**
   * Which slots a run asking for `gpus` takes here, and how many: GPUs when it asks for any and the machine
   * has them; else one CPU slot (a run is one process there, whatever it asked for).
   */
  slotsNeeded(gpus: number): { pool: SlotPool; need: number } {
    return this.hasGpus && gpus > 0 ? { pool: "gpu", need: gpus } : { pool: "cpu", need: 1 };
  }

  slots() {
    return this.all.map((s) => ({ id: s.id, gpu: s.gpu, run: this.busy.get(s.id)?.runId ?? null }));
  }

  /** Where a queued run stands, or null when it is not waiting. */
  queueState(runId: string): QueueState | null {
    return this.waiting.get(runId) ?? null;
  }

  /** Start every queued run the policy lets start now; refresh every waiting run's position and reason. */
  poke(): void {
    if (this.stopping || !this.started) return;
    // evaluations (evaluations/evaluation-job.ts) queue first: one slot each, short, and someone waits for them;
    // runs of an executor that places them itself (Slurm) go to it at once, taking no slot
    const runs = queuedRuns(this.daemon.store.db).filter((r) => !this.active.has(r.id));
    const placed = runs.filter((r) => !this.daemon.executor(r.executor).usesLocalSlots);
    for (const r of placed) this.launch(r.id, [], r.resumeFrom ? join(runDir(this.daemon.home, r.id), r.resumeFrom) : null);
    const queue = [...this.daemon.queuedEvaluationJobs(), ...runs.filter((r) => !placed.includes(r))];
    // GPU runs and CPU runs queue separately: neither ever waits for the other's slots
    const launch: { id: string; slots: string[] }[] = [];
    const waiting = new Map<string, QueueState>();
    for (const pool of ["gpu", "cpu"] as const) {
      const slots = this.all.filter((s) => (s.gpu !== null) === (pool === "gpu"));
      const runs = queue.filter((r) => this.slotsNeeded(r.gpus).pool === pool);
      if (!runs.length) continue;
      const decision = decideQueue(
        runs.map((r) => ({ id: r.id, need: this.slotsNeeded(r.gpus).need, queuedAt: r.queuedAt ?? r.createdAt })),
        slots.filter((s) => !this.busy.has(s.id)).map((s) => s.id),
        slots.length,
        Date.now(),
        this.reserveAfterMs,
        pool === "gpu" ? "GPU" : this.hasGpus ? "CPU slot" : "slot",
      );
      launch.push(...decision.launch);
      for (const [id, state] of decision.waiting) waiting.set(id, state);
    }
    const before = this.waiting;
    this.waiting = waiting;
    for (const { id, slots } of launch) {
      const run = queue.find((r) => r.id === id)!;
      this.launch(id, slots.map((s) => this.all.find((x) => x.id === s)!), run.resumeFrom ? join(runDir(this.daemon.home, id), run.resumeFrom) : null, "evaluation" in run);
    }
    for (const [id, state] of this.waiting) {
      const old = before.get(id);
      if (!old || old.position !== state.position || old.reason !== state.reason) this.daemon.publishRun(id);
    }
  }

  private launch(runId: string, slots: Slot[], resume: string | null, evaluation = false): void {
    const sup = evaluation ? this.daemon.evaluationJob(runId, slots) : new RunSupervisor(this.daemon, runId, slots, resume);
    this.track(runId, sup, slots, sup.run());
  }

  /**
   * After a daemon restart (recovery): follow a run whose trainer outlived the old daemon, if `attach` finds
   * it alive. False when it is gone; then the run is recovery's to settle.
   */
  async adopt(runId: string, attach: (req: LaunchRequest) => Promise<RunHandle | null>): Promise<boolean> {
    const sup = new RunSupervisor(this.daemon, runId, []);
    if (!(await sup.adopt(attach))) return false;
    this.track(runId, sup, [], sup.finished);
    return true;
  }

  private track(runId: string, sup: RunSupervisor | EvaluationJob, slots: Slot[], attempt: Promise<void>): void {
    for (const s of slots) this.busy.set(s.id, sup);
    const done = attempt
      .catch((e) => {
        updateRun(this.daemon.store.db, runId, { status: "failed", error: `supervisor error: ${(e as Error).message}`, endedAt: Date.now(), pid: null });
        this.daemon.publishRun(runId);
      })
      .finally(() => {
        for (const s of slots) this.busy.delete(s.id);
        this.active.delete(runId);
        this.poke();
      });
    this.active.set(runId, { sup, done });
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  stop(runId: string, reason: StopReason = "cancel"): void {
    this.active.get(runId)?.sup.stop(reason);
  }

  async waitFor(runId: string): Promise<void> {
    await this.active.get(runId)?.done;
  }

  /** Called once recovery has settled the previous daemon's runs. */
  start(): void {
    this.started = true;
    // a blocked run starts reserving after reserveAfterMs even when nothing else changes
    setInterval(() => this.poke(), Math.min(30_000, Math.max(1000, this.reserveAfterMs / 4))).unref();
    this.poke();
  }

  /** Daemon shutdown: trainers checkpoint and stop; their runs go back to the queue to resume next start. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const { sup } of this.active.values()) sup.stop("shutdown");
    await Promise.all([...this.active.values()].map((a) => a.done));
  }
}
