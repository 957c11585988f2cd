// One trainer process: prepare its run directory, spawn it with its devices, stream its events into
// ingest, keep its stderr, and settle the run's final state with a reason when it dies.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readSync, fstatSync, createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { getRun, updateRun } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { runDir } from "../home.ts";
import { TRAINER_PATH } from "../python.ts";
import { RunIngest } from "./ingest.ts";
import { prepareRun } from "./run-spec.ts";

export const TRAINER_LOG = "trainer.log";
const STDERR_TAIL_BYTES = 8192;

export interface Slot {
  /** "cpu:0" or a GPU index */
  id: string;
  gpu: number | null;
}

export class RunSupervisor {
  private child: ChildProcess | null = null;
  private cancelRequested = false;
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
    updateRun(db, this.runId, { status: "running", startedAt: run.startedAt ?? Date.now(), attempt: run.attempt + 1, error: null, stderrTail: null, exitCode: null, signal: null });
    this.daemon.publishRun(this.runId);

    const python = await this.daemon.pythonInfo();
    if (!python.ok) return this.settle(ingest, "failed", python.message);
    let specPath: string;
    try {
      specPath = await prepareRun(this.daemon, this.runId, log, this.resumeCheckpoint);
    } catch (e) {
      return this.settle(ingest, "failed", `could not prepare the run: ${(e as Error).message}`);
    }
    if (this.cancelRequested) return this.settle(ingest, "cancelled", "cancelled before the trainer started");

    const gpus = this.slots.filter((s) => s.gpu !== null).map((s) => s.gpu);
    const stderrLog = createWriteStream(join(this.dir, TRAINER_LOG), { flags: "a" });
    const child = spawn(python.path, ["-m", "trainyard_trainer", "train", "--spec", specPath], {
      cwd: this.dir,
      env: { ...process.env, PYTHONPATH: TRAINER_PATH, PYTHONUNBUFFERED: "1", CUDA_VISIBLE_DEVICES: gpus.join(",") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    updateRun(db, this.runId, { pid: child.pid ?? null });
    log(`trainer started (pid ${child.pid}, ${python.path}, torch ${python.torch}, ${gpus.length ? `GPUs ${gpus.join(",")}` : "CPU"})`);
    child.stderr!.pipe(stderrLog);
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on("line", (line) => ingest.push(line));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on("error", (err) => {
        stderrLog.write(`spawn failed: ${err.message}\n`);
        resolve([127, null]);
      });
      child.on("close", (c, s) => resolve([c, s]));
    });
    if (this.killTimer) clearTimeout(this.killTimer);
    await new Promise<void>((r) => stderrLog.end(r));
    ingest.flush();
    const done = ingest.state.done;
    const tail = readTail(join(this.dir, TRAINER_LOG), STDERR_TAIL_BYTES);
    updateRun(db, this.runId, { exitCode: code, signal, pid: null, stderrTail: tail || null });
    if (this.cancelRequested) return this.settle(ingest, "cancelled", done?.state === "interrupted" ? "cancelled; resumable from the last checkpoint" : "cancelled");
    if (done && code === 0) return this.settle(ingest, done.state === "completed" ? "completed" : done.state === "interrupted" ? "interrupted" : "failed", done.error ?? null);
    return this.settle(ingest, "failed", done?.error ?? explainExit(code, signal, tail));
  }

  /** SIGTERM (the trainer checkpoints and stops), then SIGKILL after the grace period. */
  cancel(): void {
    this.cancelRequested = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    this.killTimer = setTimeout(() => child.kill("SIGKILL"), this.graceMs);
  }

  private settle(ingest: RunIngest, status: string, error: string | null): void {
    if (error && status === "failed") ingest.push(JSON.stringify({ type: "log", level: "error", message: `[daemon] ${error}`, time: Date.now() / 1000 }));
    ingest.close();
    updateRun(this.daemon.store.db, this.runId, { status, error, endedAt: Date.now(), pid: null });
    this.daemon.publishRun(this.runId);
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

function readTail(path: string, bytes: number): string {
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
