// Ingest of trainer events: events.jsonl first (the durable record), SQLite second (one transaction per
// batch, with the file offset it reaches, so replay after a crash neither loses nor repeats a line),
// then a push to live subscribers.
//
// Two modes, after who writes events.jsonl (executors/executor.ts `eventsWriter`):
// - "append" (local): the daemon reads the trainer's stdout and appends each line to the file itself; its
//   own notes ("[daemon] trainer started ...") are appended the same way, so the file is the whole log.
// - "follow" (Slurm): rank 0 of the trainer writes the file on the shared home; the daemon reads whole lines
//   past runs.events_offset (a cut last line waits for its newline). The daemon never writes that file, so
//   nothing interleaves with the trainer's lines: its notes go to run_events only (storeNote), not to the
//   file, and a replay of the file never repeats them.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { join, relative } from "node:path";
import { getRun, IngestWriter, sealRun, updateRun, upsertCheckpoint, writeSamples, type EventRecord, type MetricPoint, type NewRun } from "@trainyard/db";
import type { IngestContext } from "./run-context.ts";
import { parseEventLine, type TrainerEvent } from "./event-parse.ts";
import type { LivePoint } from "@trainyard/protocol/series";
import { toSummary } from "./run-summary.ts";
import { insideDir } from "../home.ts";

export const EVENTS_FILE = "events.jsonl";

/** What the supervisor learns from the stream besides storage: the final `done` event. */
export interface IngestState {
  done: Extract<TrainerEvent, { type: "done" }> | null;
}

export type IngestMode = "append" | "follow";

export class RunIngest {
  private pending: string[] = [];
  private fd: number;
  private offset: number;
  private timer: NodeJS.Timeout | null = null;
  private writer: IngestWriter;
  private closed = false;
  readonly state: IngestState = { done: null };

  constructor(
    private daemon: IngestContext,
    readonly runId: string,
    readonly runDir: string,
    readonly mode: IngestMode = "append",
    private flushMs = 50,
    private maxBatch = 2000,
  ) {
    // follow: created empty if the job has not started yet, read from where the store stopped
    this.fd = openSync(join(runDir, EVENTS_FILE), mode === "follow" ? "a+" : "a");
    this.offset = mode === "follow" ? (getRun(daemon.store.db, runId)?.eventsOffset ?? 0) : fstatSync(this.fd).size;
    this.writer = new IngestWriter(daemon.store.sqlite);
  }

  /** A note of the daemon's own in the run's log (appended to the file in append mode only). */
  note(message: string, level = "info"): void {
    const line = JSON.stringify({ type: "log", level, message: `[daemon] ${message}`, time: Date.now() / 1000 });
    if (this.mode === "append") return this.push(line);
    if (this.closed) return;
    applyLines(this.daemon, this.runId, this.runDir, [line], null, this.writer);
  }

  /** Follow mode: store every whole line the trainer has added since the last call; returns how many. */
  follow(): number {
    if (this.closed || this.mode !== "follow") return 0;
    const size = fstatSync(this.fd).size;
    if (size <= this.offset) return 0;
    const buf = Buffer.alloc(size - this.offset);
    readSync(this.fd, buf, 0, buf.length, this.offset);
    const lastNewline = buf.lastIndexOf(0x0a);
    if (lastNewline < 0) return 0;
    const lines = buf.subarray(0, lastNewline).toString("utf8").split("\n");
    for (let i = 0, at = this.offset; i < lines.length; i += this.maxBatch) {
      const part = lines.slice(i, i + this.maxBatch);
      at += Buffer.byteLength(part.join("\n") + "\n");
      applyLines(this.daemon, this.runId, this.runDir, part, at, this.writer, this.state);
    }
    this.offset += lastNewline + 1;
    return lines.length;
  }

  push(line: string): void {
    if (this.closed || this.mode !== "append") return; // a straggler of a finished trainer's process group
    this.pending.push(line);
    if (this.pending.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const lines = this.pending;
    this.pending = [];
    const chunk = Buffer.from(lines.map((l) => l + "\n").join(""));
    writeSync(this.fd, chunk);
    this.offset += chunk.length;
    applyLines(this.daemon, this.runId, this.runDir, lines, this.offset, this.writer, this.state);
  }

  /**
   * Store what is left. Follow mode, once the trainer is gone: a cut last line is dropped so a next attempt
   * appends whole lines; `trainerGone` false (the daemon detaches from a job that keeps running) keeps it.
   */
  close(trainerGone = true): void {
    if (this.closed) return;
    this.flush();
    if (this.mode === "follow") {
      this.follow();
      if (trainerGone && fstatSync(this.fd).size > this.offset) ftruncateSync(this.fd, this.offset);
    }
    this.closed = true;
    closeSync(this.fd);
    sealRun(this.daemon.store.sqlite, this.runId); // a finished run reads as blocks only
  }
}

/** Store parsed lines and the offset they reach (null: lines from outside the file) in one transaction, then publish them. */
export function applyLines(daemon: IngestContext, runId: string, runDir: string, lines: string[], endOffset: number | null, writer: IngestWriter, state?: IngestState): void {
  const metrics: MetricPoint[] = [];
  const events: EventRecord[] = [];
  const live: LivePoint[] = [];
  const patch: Partial<NewRun> = {};
  const checkpoints: Extract<TrainerEvent, { type: "checkpoint" }>[] = [];
  const logs: Extract<TrainerEvent, { type: "log" }>[] = [];
  const samples: Extract<TrainerEvent, { type: "samples" }>[] = [];
  for (const line of lines) {
    const e = parseEventLine(line);
    if (!e) continue;
    switch (e.type) {
      case "metrics":
        // progress follows the newest metric too (the last ones come after the last status line)
        patch.step = Math.max(patch.step ?? 0, e.step);
        patch.epoch = Math.max(patch.epoch ?? 0, e.epoch);
        for (const [key, value] of Object.entries(e.values)) {
          metrics.push({ runId, key, step: e.step, epoch: e.epoch, phase: e.phase, time: e.time, value });
          live.push({ key, step: e.step, epoch: e.epoch, time: e.time, value });
        }
        break;
      case "status":
        if (e.phase !== undefined) patch.phase = e.phase;
        if (e.epoch !== undefined) patch.epoch = e.epoch;
        if (e.epochs !== undefined) patch.epochs = e.epochs;
        if (e.step !== undefined) patch.step = e.step;
        if (e.steps !== undefined) patch.steps = e.steps;
        break;
      case "checkpoint":
        checkpoints.push(e);
        events.push({ runId, type: e.type, level: null, message: `checkpoint ${e.name} (epoch ${e.epoch})`, payload: JSON.stringify(e), time: e.time });
        break;
      case "log":
        logs.push(e);
        events.push({ runId, type: "log", level: e.level, message: e.message, payload: "{}", time: e.time });
        break;
      case "curve":
        events.push({ runId, type: "curve", level: null, message: null, payload: JSON.stringify(e.payload), time: e.time });
        break;
      case "samples":
        // the items go to run_samples only (they can be large); a bad box is dropped and said so in the log
        samples.push(e);
        if (e.problems.length) {
          const log = { type: "log" as const, level: "warning", message: `samples of ${e.split} epoch ${e.epoch}: ${e.problems.length} part(s) dropped: ${e.problems.slice(0, 5).join("; ")}${e.problems.length > 5 ? "; ..." : ""}`, time: e.time };
          logs.push(log);
          events.push({ runId, type: "log", level: log.level, message: log.message, payload: "{}", time: e.time });
        }
        break;
      case "done":
        if (state) state.done = e;
        if (e.best && typeof e.best.value === "number") {
          patch.bestName = e.best.name;
          patch.bestValue = e.best.value;
          patch.bestEpoch = e.best.epoch ?? null;
        }
        events.push({ runId, type: "done", level: e.state === "failed" ? "error" : "info", message: e.error ?? `done: ${e.state}`, payload: JSON.stringify(e), time: e.time });
        break;
    }
  }
  const db = daemon.store.db;
  daemon.store.sqlite.transaction(() => {
    writer.write({ metrics, events, offsets: new Map(endOffset === null ? [] : [[runId, endOffset]]) });
    for (const x of samples) writeSamples(daemon.store.sqlite, { runId, split: x.split, epoch: x.epoch, step: x.step, time: x.time, items: x.items });
    for (const c of checkpoints) {
      const dir = c.dir ? relative(runDir, c.dir) : join("checkpoints", c.name);
      if (!insideDir(runDir, dir)) continue; // a checkpoint outside the run folder is never served
      upsertCheckpoint(db, { runId, name: c.name, epoch: c.epoch, step: c.step, path: dir, monitorName: c.monitor?.name ?? null, monitorValue: c.monitor?.value ?? null });
      if (c.name === "best" && c.monitor) Object.assign(patch, { bestName: c.monitor.name, bestValue: c.monitor.value, bestEpoch: c.epoch });
    }
    if (Object.keys(patch).length) updateRun(db, runId, patch);
  })();

  if (live.length) daemon.bus.publish(runId, { type: "metrics", runId, points: live });
  for (const l of logs) daemon.bus.publish(runId, { type: "log", runId, level: l.level, message: l.message, time: l.time });
  for (const c of checkpoints) daemon.bus.publish(runId, { type: "checkpoint", runId, name: c.name, epoch: c.epoch, step: c.step });
  // a notice, not the items: the gallery reads the evaluation it shows (charts.samples)
  for (const x of samples) daemon.bus.publish(runId, { type: "samples", runId, split: x.split, epoch: x.epoch, step: x.step, count: x.items.length });
  if (Object.keys(patch).length) {
    const run = getRun(db, runId);
    if (run) daemon.bus.publish(runId, { type: "run", run: toSummary(run) });
  }
}

/** After a daemon crash: store every whole line of events.jsonl past the stored offset. */
export function replayEvents(daemon: IngestContext, runId: string, runDir: string, fromOffset: number): { lines: number; state: IngestState } {
  const state: IngestState = { done: null };
  let fd: number;
  try {
    fd = openSync(join(runDir, EVENTS_FILE), "r+");
  } catch {
    return { lines: 0, state };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= fromOffset) return { lines: 0, state };
    const buf = Buffer.alloc(size - fromOffset);
    readSync(fd, buf, 0, buf.length, fromOffset);
    const lastNewline = buf.lastIndexOf(0x0a);
    // A line cut off by the crash was never stored; drop it so the next attempt appends whole lines.
    if (lastNewline < buf.length - 1) ftruncateSync(fd, fromOffset + lastNewline + 1);
    if (lastNewline < 0) return { lines: 0, state };
    const lines = buf.subarray(0, lastNewline).toString("utf8").split("\n");
    const writer = new IngestWriter(daemon.store.sqlite);
    for (let i = 0; i < lines.length; i += 5000) {
      const part = lines.slice(i, i + 5000);
      const end = i + 5000 >= lines.length ? fromOffset + lastNewline + 1 : fromOffset + Buffer.byteLength(lines.slice(0, i + 5000).join("\n") + "\n");
      applyLines(daemon, runId, runDir, part, end, writer, state);
    }
    return { lines: lines.length, state };
  } finally {
    closeSync(fd);
  }
}
