// One evaluation on one scheduler slot: prepare its folder (runs/<run>/evaluations/<id>/: the dataset's arrays
// through runs/run-spec.ts, spec.json with `evaluation`), start `python -m trainyard_trainer evaluate` through the local executor, read its
// events and store the metrics and curves on the evaluation's row. The run's own record (its metrics, events,
// checkpoints) is never written.
//
// Stops: a cancel ends it as cancelled; a daemon shutdown puts it back in the queue (an evaluation keeps no
// partial state, so it simply runs again), as does a daemon crash (requeueRunningEvaluations at start).
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic, type MetadataEncoder } from "@trainyard/data";
import { getEvaluation, getRun, queuedEvaluations, updateEvaluation, type EvaluationRow, type NewEvaluation } from "@trainyard/db";
import type { EvaluationCurve } from "@trainyard/protocol/evaluations";
import type { Daemon } from "../daemon.ts";
import type { Slot } from "../gpus/inventory.ts";
import { runDir } from "../home.ts";
import { resolveCheckpoint } from "../runs/checkpoint-refs.ts";
import { parseEventLine } from "../runs/event-parse.ts";
import { SPEC_FILE, writeRunData } from "../runs/run-spec.ts";
import { minFreeBytes } from "../runs/disk-space.ts";
import { explainExit, readTail, type StopReason } from "../runs/supervisor.ts";
import { TRAINER_LOG } from "../executors/local.ts";
import type { RunHandle } from "../executors/executor.ts";
import { evaluationConfig } from "./evaluation-requests.ts";

/** The trainer's stderr (executors/local.ts) and the daemon's notes, in the evaluation's folder. */
export const EVALUATION_LOG = TRAINER_LOG;
export const EVALUATION_EVENTS = "events.jsonl";

/** Evaluations in the scheduler's queue: one slot each (a GPU when the run's model trained on GPUs and there are some). */
export function queuedEvaluationJobs(daemon: Daemon): { id: string; gpus: number; queuedAt: number; createdAt: number; resumeFrom: null; evaluation: true }[] {
  return queuedEvaluations(daemon.store.db).map((e) => {
    const run = getRun(daemon.store.db, e.runId);
    return { id: e.id, gpus: Math.min(1, run?.gpus ?? 0), queuedAt: e.createdAt, createdAt: e.createdAt, resumeFrom: null, evaluation: true as const };
  });
}

export function evaluationDir(daemon: Daemon, e: Pick<EvaluationRow, "id" | "runId">): string {
  return join(runDir(daemon.home, e.runId), "evaluations", e.id);
}

export class EvaluationJob {
  private handle: RunHandle | null = null;
  private stopReason: StopReason | null = null;

  constructor(
    private daemon: Daemon,
    /** The evaluation's id (the scheduler's slot table shows it where it shows run ids). */
    readonly runId: string,
    readonly slots: Slot[],
  ) {}

  /** Runs the evaluation to its end; never throws (a failure is stored on the evaluation). */
  async run(): Promise<void> {
    try {
      await this.evaluate();
    } catch (e) {
      this.settle("failed", { error: `evaluation error: ${(e as Error).message}` });
    }
  }

  stop(reason: StopReason = "cancel"): void {
    this.stopReason ??= reason;
    this.handle?.signal(false); // SIGTERM, SIGKILL after the grace
  }

  private async evaluate(): Promise<void> {
    const db = this.daemon.store.db;
    const ev = getEvaluation(db, this.runId);
    if (!ev || ev.status !== "queued") return;
    const run = getRun(db, ev.runId);
    if (!run) return this.settle("failed", { error: `run ${ev.runId} no longer exists` });
    updateEvaluation(db, ev.id, { status: "running", startedAt: Date.now(), endedAt: null, error: null });
    const dir = evaluationDir(this.daemon, ev);
    mkdirSync(dir, { recursive: true });
    const logFile = join(dir, EVALUATION_LOG);
    const log = (message: string) => appendFileSync(logFile, `[daemon] ${message}\n`);

    const python = await this.daemon.pythonInfo();
    if (!python.ok) return this.settle("failed", { error: python.message });
    // the checkpoint as it is now (a running run's best may have moved since the request)
    const checkpoint = resolveCheckpoint(db, this.daemon.home, run.id, ev.checkpoint);
    const config = evaluationConfig(run, ev.dataset);
    let prepared;
    try {
      prepared = await writeRunData(this.daemon, { config, classes: run.classes, dir, log, encoder: this.runEncoder(run.id) });
    } catch (e) {
      return this.settle("failed", { error: `could not prepare dataset "${ev.dataset}": ${(e as Error).message}` });
    }
    if (this.stopReason) return this.settle(this.stopReason === "shutdown" ? "queued" : "cancelled", {});
    const spec = {
      version: 1,
      run_id: run.id,
      run_dir: dir,
      config,
      ...prepared,
      // the model's names (a dataset may spell a diagnosis differently; its arrays follow the model's order)
      classes: run.classes,
      resume: null,
      init_from: null,
      limits: { min_free_bytes: minFreeBytes() },
      evaluation: { id: ev.id, checkpoint: checkpoint.file, split: ev.split },
    };
    const specPath = join(dir, SPEC_FILE);
    writeFileAtomic(specPath, JSON.stringify(spec, null, 2));

    // the trainer starts as a run's does (executors/local.ts: its own process group, the slot's GPU, the CPU share)
    const events = join(dir, EVALUATION_EVENTS);
    writeFileSync(events, "");
    const metrics: Record<string, number | null> = {};
    const curves: EvaluationCurve[] = [];
    let done: { state: string; error?: string; samples?: number } | null = null;
    const onLine = (line: string) => {
      appendFileSync(events, line + "\n");
      const e = parseEventLine(line);
      if (!e) return;
      if (e.type === "metrics") Object.assign(metrics, e.values);
      else if (e.type === "curve") {
        const p = e.payload as { kind?: unknown; class?: unknown; points?: unknown };
        if (typeof p.kind === "string" && typeof p.class === "string" && Array.isArray(p.points)) curves.push({ kind: p.kind, class: p.class, points: p.points });
      } else if (e.type === "done") {
        const raw = JSON.parse(line) as { samples?: unknown };
        done = { state: e.state, error: e.error, samples: typeof raw.samples === "number" ? raw.samples : undefined };
      }
    };
    log(`evaluating ${run.id}:${checkpoint.name} on ${ev.dataset} (${ev.split})`);
    const handle = await this.daemon.executor("local").launch({
      runId: ev.id,
      dir,
      specPath,
      slots: this.slots,
      python,
      command: [python.path, "-m", "trainyard_trainer", "evaluate", "--spec", specPath],
      config,
      note: (message) => log(message),
      line: onLine,
      update: () => {},
    });
    this.handle = handle;
    if (this.stopReason) handle.signal(false);
    const { code, signal } = await handle.exit;
    const finished = done as { state: string; error?: string; samples?: number } | null;
    if (this.stopReason === "shutdown") return this.settle("queued", {});
    if (this.stopReason) return this.settle("cancelled", { error: "cancelled" });
    if (finished?.state === "completed" && code === 0)
      return this.settle("completed", { metrics, curves, samples: finished.samples ?? null });
    return this.settle("failed", { error: finished?.error ?? explainExit(code, signal, readTail(logFile, 8192)) });
  }

  /** The metadata encoder the run's model was trained with (its spec.json), so another dataset is encoded as it expects. */
  private runEncoder(runId: string): MetadataEncoder | null {
    const path = join(runDir(this.daemon.home, runId), SPEC_FILE);
    if (!existsSync(path)) return null;
    try {
      return (JSON.parse(readFileSync(path, "utf8")) as { data?: { metadata_encoder?: MetadataEncoder | null } }).data?.metadata_encoder ?? null;
    } catch {
      return null;
    }
  }

  private settle(status: "queued" | "completed" | "failed" | "cancelled", patch: Partial<NewEvaluation>): void {
    const db = this.daemon.store.db;
    if (!getEvaluation(db, this.runId)) return; // its run was deleted meanwhile
    if (status === "queued") updateEvaluation(db, this.runId, { status, startedAt: null, error: null });
    else updateEvaluation(db, this.runId, { status, endedAt: Date.now(), ...patch });
  }
}
