// The daemon's end of one sweep's Optuna process: spawn it, send numbered requests as JSON lines, match each
// answer by id and check it against the protocol (packages/protocol/src/sweep-protocol.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createInterface } from "node:readline";
import { sweepErrorSchema, sweepResponseSchemas, type SweepCall, type SweepOp, type SweepResponse } from "@trainyard/protocol/sweep-protocol";
import { TRAINER_PATH } from "../python.ts";

export class SearchProcessError extends Error {}

export class SearchProcess {
  private child: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, { op: SweepOp; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited: string | null = null;

  constructor(python: string, logFile: string) {
    this.child = spawn(python, ["-m", "trainyard_trainer.sweep_search"], {
      env: { ...process.env, PYTHONPATH: TRAINER_PATH, PYTHONUNBUFFERED: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stderr!.pipe(createWriteStream(logFile, { flags: "a" }));
    createInterface({ input: this.child.stdout!, crlfDelay: Infinity }).on("line", (line) => this.answer(line));
    this.child.on("error", (e) => this.fail(`could not start the sweep's Optuna process: ${e.message}`));
    this.child.on("exit", (code, signal) => this.fail(`the sweep's Optuna process exited (${signal ?? `code ${code}`}); see ${logFile}`));
    this.child.stdin!.on("error", () => {}); // a write after exit; the exit handler says why
  }

  request<O extends SweepOp>(call: Extract<SweepCall, { op: O }>): Promise<SweepResponse<O>> {
    if (this.exited) return Promise.reject(new SearchProcessError(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { op: call.op, resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin!.write(JSON.stringify({ id, ...call }) + "\n");
    });
  }

  private answer(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not a protocol line (a library printing to stdout): the log has stderr
    }
    const id = (msg as { id?: unknown }).id;
    const waiting = typeof id === "number" ? this.pending.get(id) : undefined;
    if (!waiting) return;
    this.pending.delete(id as number);
    const err = sweepErrorSchema.safeParse(msg);
    if (err.success) return waiting.reject(new SearchProcessError(`Optuna process: ${err.data.error}`));
    const ok = sweepResponseSchemas[waiting.op].safeParse(msg);
    if (!ok.success) return waiting.reject(new SearchProcessError(`Optuna process answered ${waiting.op} with ${line.slice(0, 300)}: ${ok.error.issues[0]?.message}`));
    waiting.resolve(ok.data);
  }

  private fail(reason: string): void {
    this.exited ??= reason;
    for (const p of this.pending.values()) p.reject(new SearchProcessError(reason));
    this.pending.clear();
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Closing stdin ends the process's read loop; the journal is already on disk. */
  close(): void {
    this.exited ??= "closed";
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    t.unref();
    this.child.once("exit", () => clearTimeout(t));
  }
}
