// One trainer process: prepare its run directory, spawn it with its devices, stream its events into
// ingest, keep its stderr, and settle the run's final state with a reason when it dies.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readSync, fstatSync, createWriteStream, existsSync, mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { getRun, updateRun } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { runDir } from "../home.ts";
import { TRAINER_PATH } from "../python.ts";
import { RunIngest } from "./ingest.ts";
import { prepareRun } from "./run-spec.ts";
import { diskSpaceProblem } from "./disk-space.ts";
import { trainerCommand } from "./trainer-command.ts";
import type { Slot } from "../gpus/inventory.ts";

/** The resumable checkpoint the trainer writes at every epoch end and on SIGTERM, relative to the run dir. */
export const LAST_CHECKPOINT = "checkpoints/last/checkpoint.pt";

export const TRAINER_LOG = "trainer.log";
const STDERR_TAIL_BYTES = 8192;
/** After the trainer exits, how long to wait for its pipes to drain (a grandchild may hold them open). */
const PIPE_DRAIN_MS = 1000;

export type { Slot };

/**
 * Why the daemon stops a trainer: a user's cancel, the daemon itself shutting down (resume later), or a sweep's
 * early stopper pruning the trial at a rung (state `pruned`).
 */
export type StopReason = "cancel" | "shutdown" | "prune";

export class RunSupervisor {
  private child: ChildProcess | null = null;
  private stopReason: StopReason | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  readonly dir: string;

  constructor(
    private daemon: Daemon,
    readonly runId: string,
    readonly slots: Slot[],
    private resumeCheckpoint: string | null = null,
    private graceMs = Number(process.env.TRAINYARD_KILL_GRACE_MS ?? 20_000),
  ) {
    this.dir = runDir(daemon.home, runId);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs the trainer to the end; resolves once the run's final state is stored. */
  async run(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const ingest = new RunIngest(this.daemon, this.runId, this.dir);
    const log = (message: string, level = "info") =>
      ingest.push(JSON.stringify({ type: "log", level, message: `[daemon] ${message}`, time: Date.now() / 1000 }));
    const db = this.daemon.store.db;
    const run = getRun(db, this.runId)!;
    updateRun(db, this.runId, {
      status: "running",
      startedAt: run.startedAt ?? Date.now(),
      endedAt: null,
      attempt: run.attempt + 1,
      slots: this.slots.map((s) => s.id),
      error: null,
      stderrTail: null,
      exitCode: null,
      signal: null,
    });
    this.daemon.publishRun(this.runId);

    const disk = diskSpaceProblem(this.daemon.home.root);
    if (disk) return this.settle(ingest, "failed", disk);
    const override = process.env.TRAINYARD_TRAINER_CMD;
    const python = override ? null : await this.daemon.pythonInfo();
    if (python && !python.ok) return this.settle(ingest, "failed", python.message);
    let specPath: string;
    try {
      specPath = await prepareRun(this.daemon, this.runId, log, this.resumeCheckpoint);
    } catch (e) {
      return this.settle(ingest, "failed", `could not prepare the run: ${(e as Error).message}`);
    }
    if (this.stopReason) return this.settle(ingest, this.stopReason === "shutdown" ? "queued" : this.stopReason === "prune" ? "pruned" : "cancelled", "stopped before the trainer started");

    const gpus = this.slots.filter((s) => s.gpu !== null).map((s) => s.gpu!);
    const [command, ...args] = trainerCommand(python?.path ?? "python3", specPath);
    const stderrLog = createWriteStream(join(this.dir, TRAINER_LOG), { flags: "a" });
    // Its own process group, so a stop reaches torchrun's workers and DataLoader processes too.
    const child = spawn(command, args, {
      cwd: this.dir,
      detached: true,
      env: {
        ...process.env,
        PYTHONPATH: TRAINER_PATH,
        PYTHONUNBUFFERED: "1",
        TRAINYARD_RUN_ID: this.runId,
        // nvidia-smi numbers GPUs by PCI bus; CUDA's default order may differ
        CUDA_DEVICE_ORDER: "PCI_BUS_ID",
        CUDA_VISIBLE_DEVICES: gpus.join(","),
        // CPU runs share the cores evenly between the daemon's CPU slots
        ...(gpus.length ? {} : { TRAINYARD_CPU_THREADS: String(cpuThreadsPerSlot(this.daemon.scheduler.slots().length)) }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    updateRun(db, this.runId, { pid: child.pid ?? null });
    log(`trainer started (pid ${child.pid}, ${python ? `${python.path}, torch ${python.torch}` : command}, ${gpus.length ? `GPUs ${gpus.join(",")}` : "CPU"}${this.resumeCheckpoint ? `, resuming from ${this.resumeCheckpoint}` : ""})`);
    child.stderr!.pipe(stderrLog);
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on("line", (line) => ingest.push(line));
    if (this.stopReason) this.signalTrainer();
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on("error", (err) => {
        stderrLog.write(`spawn failed: ${err.message}\n`);
        resolve([127, null]);
      });
      child.on("exit", (c, s) => {
        // 'close' waits for every holder of the pipes; do not let a stray grandchild hold the slot
        const drained = setTimeout(() => resolve([c, s]), PIPE_DRAIN_MS);
        child.on("close", () => {
          clearTimeout(drained);
          resolve([c, s]);
        });
      });
    });
    if (this.killTimer) clearTimeout(this.killTimer);
    killGroup(child.pid, "SIGKILL"); // leftovers of the group (torchrun workers) never outlive the run
    await new Promise<void>((r) => stderrLog.end(r));
    ingest.flush();
    const done = ingest.state.done;
    const tail = readTail(join(this.dir, TRAINER_LOG), STDERR_TAIL_BYTES);
    updateRun(db, this.runId, { exitCode: code, signal, pid: null, stderrTail: tail || null });
    if (this.stopReason === "shutdown") return this.settle(ingest, "queued", "the daemon stopped; this run resumes when it starts again");
    if (this.stopReason === "prune") return this.settle(ingest, "pruned", "pruned by its sweep's early stopper (the last checkpoint is kept)");
    if (this.stopReason === "cancel") return this.settle(ingest, "cancelled", done?.state === "interrupted" ? "cancelled; resumable from the last checkpoint (`trainyard resume`)" : "cancelled");
    if (done && code === 0) return this.settle(ingest, done.state === "completed" ? "completed" : done.state === "interrupted" ? "interrupted" : "failed", done.error ?? null);
    return this.settle(ingest, "failed", done?.error ?? explainExit(code, signal, tail));
  }

  /** SIGTERM (the trainer checkpoints and stops), then SIGKILL after the grace period. */
  stop(reason: StopReason = "cancel"): void {
    this.stopReason ??= reason;
    this.signalTrainer();
  }

  private signalTrainer(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || this.killTimer) return;
    killGroup(child.pid, "SIGTERM");
    this.killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), this.graceMs);
  }

  private settle(ingest: RunIngest, status: string, error: string | null): void {
    if (error && status === "failed") ingest.push(JSON.stringify({ type: "log", level: "error", message: `[daemon] ${error}`, time: Date.now() / 1000 }));
    ingest.close();
    const db = this.daemon.store.db;
    if (status === "queued") {
      // back in the queue at its old place, resuming from the checkpoint the trainer just wrote
      const resume = existsSync(join(this.dir, LAST_CHECKPOINT)) ? LAST_CHECKPOINT : null;
      updateRun(db, this.runId, { status, error, pid: null, resumeFrom: resume });
    } else {
      updateRun(db, this.runId, { status, error, endedAt: Date.now(), pid: null, resumeFrom: null });
    }
    this.daemon.publishRun(this.runId);
  }
}

/** Signal a trainer's whole process group; quiet when it is already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone (never fall back to the bare pid: it may be reused by now)
  }
}

/** A reason a person can act on, from how the process ended and what it last wrote. */
export function cpuThreadsPerSlot(slots: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, slots)));
}

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
