// The queue: runs start when enough slots are free (GPUs, or CPU slots on machines without one), in
// priority order, FIFO within a priority; a run that does not fit lets smaller ones behind it start.
import { execFileSync } from "node:child_process";
import { getRun, listRuns, queuedRuns, updateRun } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { runDir } from "../home.ts";
import { replayEvents } from "./ingest.ts";
import { RunSupervisor, type Slot } from "./supervisor.ts";

export function discoverSlots(cpuSlots: number): Slot[] {
  try {
    const out = execFileSync("nvidia-smi", ["--query-gpu=index", "--format=csv,noheader"], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] });
    const allow = process.env.TRAINYARD_GPUS?.split(",").map((s) => Number(s.trim()));
    const gpus = out.split("\n").map((l) => l.trim()).filter(Boolean).map(Number).filter((i) => !allow || allow.includes(i));
    if (gpus.length) return gpus.map((g) => ({ id: `gpu:${g}`, gpu: g }));
  } catch {
    // no NVIDIA driver: CPU slots
  }
  return Array.from({ length: Math.max(1, cpuSlots) }, (_, i) => ({ id: `cpu:${i}`, gpu: null }));
}

export class Scheduler {
  private all: Slot[];
  private busy = new Map<string, RunSupervisor>(); // slot id -> supervisor
  private active = new Map<string, { sup: RunSupervisor; done: Promise<void> }>();
  private stopping = false;

  constructor(private daemon: Daemon, cpuSlots: number) {
    this.all = discoverSlots(cpuSlots);
  }

  slots() {
    return this.all.map((s) => ({ id: s.id, gpu: s.gpu, run: this.busy.get(s.id)?.runId ?? null }));
  }

  /** Start every queued run that fits now. */
  poke(): void {
    if (this.stopping) return;
    for (const run of queuedRuns(this.daemon.store.db)) {
      const free = this.all.filter((s) => !this.busy.has(s.id));
      const need = Math.min(Math.max(1, run.gpus), this.all.length);
      if (free.length < need) continue; // backfill: a smaller run further back may still fit
      this.launch(run.id, free.slice(0, need));
    }
  }

  private launch(runId: string, slots: Slot[], resume: string | null = null): void {
    const sup = new RunSupervisor(this.daemon, runId, slots, resume);
    for (const s of slots) this.busy.set(s.id, sup);
    const done = sup
      .run()
      .catch((e) => {
        updateRun(this.daemon.store.db, runId, { status: "failed", error: `supervisor error: ${(e as Error).message}`, endedAt: Date.now() });
        this.daemon.publishRun(runId);
      })
      .finally(() => {
        for (const s of slots) this.busy.delete(s.id);
        this.active.delete(runId);
        setImmediate(() => this.poke());
      });
    this.active.set(runId, { sup, done });
  }

  cancel(runId: string): void {
    this.active.get(runId)?.sup.cancel();
  }

  async waitFor(runId: string): Promise<void> {
    await this.active.get(runId)?.done;
  }

  /** At start: runs the previous daemon left "running" get their events replayed and a final state. */
  async recover(): Promise<void> {
    for (const run of listRuns(this.daemon.store.db, { status: ["running"] })) {
      const { state } = replayEvents(this.daemon, run.id, runDir(this.daemon.home, run.id), run.eventsOffset);
      if (run.pid) {
        try {
          process.kill(run.pid, "SIGTERM"); // an orphaned trainer of ours: stop it, its checkpoint stays
        } catch {
          // already gone
        }
      }
      const done = state.done;
      updateRun(this.daemon.store.db, run.id, {
        status: done?.state === "completed" ? "completed" : "failed",
        error: done?.state === "completed" ? null : "the daemon stopped while this run was training",
        endedAt: getRun(this.daemon.store.db, run.id)?.endedAt ?? Date.now(),
        pid: null,
      });
    }
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const { sup } of this.active.values()) sup.cancel();
    await Promise.all([...this.active.values()].map((a) => a.done));
  }
}
