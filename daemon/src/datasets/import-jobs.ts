// Dataset imports as background jobs: started by a mutation, followed over a subscription (or polled).
// Jobs live in memory: the dataset row is only written when an import succeeds, so a daemon restart
// mid-import loses the job and nothing else.
import { EventEmitter, on } from "node:events";
import { randomUUID } from "node:crypto";
import type { ImportReport } from "@trainyard/data";
import type { Daemon } from "../daemon.ts";
import { checkImportRequest, DatasetImportError, importDataset, type ImportPhase, type ImportRequest } from "./import-dataset.ts";

export interface ImportJob {
  id: string;
  dataset: string;
  status: "running" | "completed" | "failed";
  phase: ImportPhase | null;
  done: number;
  total: number;
  startedAt: number;
  endedAt: number | null;
  error: string | null;
  report: ImportReport | null;
}

const KEEP_FINISHED_MS = 60 * 60_000;

class ImportJobs {
  private jobs = new Map<string, ImportJob>();
  private events = new EventEmitter().setMaxListeners(1000);
  private lastEmit = new Map<string, number>();

  constructor(private daemon: Daemon) {}

  start(name: string, req: ImportRequest, replace: boolean): ImportJob {
    checkImportRequest(this.daemon, name, req, replace);
    const clash = [...this.jobs.values()].find((j) => j.dataset === name && j.status === "running");
    if (clash) throw new DatasetImportError(`dataset "${name}" is being imported already (job ${clash.id}); wait for it or pick another name`);
    const job: ImportJob = { id: randomUUID(), dataset: name, status: "running", phase: null, done: 0, total: 0, startedAt: Date.now(), endedAt: null, error: null, report: null };
    this.jobs.set(job.id, job);
    this.prune();
    void importDataset(this.daemon, name, req, {
      replace,
      onProgress: (phase, done, total) => {
        Object.assign(job, { phase, done, total });
        this.emit(job, done === total);
      },
    }).then(
      ({ report }) => {
        Object.assign(job, { status: "completed", report, endedAt: Date.now() });
        this.emit(job, true);
      },
      (e: Error) => {
        Object.assign(job, { status: "failed", error: e instanceof DatasetImportError ? e.message : `import failed: ${e.message}`, endedAt: Date.now() });
        this.emit(job, true);
      },
    );
    return { ...job };
  }

  get(id: string): ImportJob | undefined {
    const j = this.jobs.get(id);
    return j && { ...j };
  }

  list(): ImportJob[] {
    return [...this.jobs.values()].map((j) => ({ ...j, report: null }));
  }

  /** Snapshots of the job on every change (progress at most every 100 ms) until it ends. */
  async *watch(id: string, signal?: AbortSignal): AsyncGenerator<ImportJob> {
    const job = this.jobs.get(id);
    if (!job) return;
    const updates = on(this.events, id, { signal }); // listening before the first snapshot: no update is missed
    try {
      const first = { ...job };
      yield first;
      if (first.status !== "running") return;
      for await (const [snapshot] of updates) {
        yield snapshot as ImportJob;
        if ((snapshot as ImportJob).status !== "running") return;
      }
    } catch (e) {
      if ((e as Error).name !== "AbortError") throw e;
    } finally {
      await updates.return?.();
    }
  }

  private emit(job: ImportJob, force: boolean): void {
    const now = Date.now();
    if (!force && now - (this.lastEmit.get(job.id) ?? 0) < 100) return;
    this.lastEmit.set(job.id, now);
    this.events.emit(job.id, { ...job });
  }

  private prune(): void {
    const cutoff = Date.now() - KEEP_FINISHED_MS;
    for (const [id, j] of this.jobs) if (j.endedAt && j.endedAt < cutoff) {
      this.jobs.delete(id);
      this.lastEmit.delete(id);
    }
  }
}

const byDaemon = new WeakMap<Daemon, ImportJobs>();

export function importJobs(daemon: Daemon): ImportJobs {
  let jobs = byDaemon.get(daemon);
  if (!jobs) byDaemon.set(daemon, (jobs = new ImportJobs(daemon)));
  return jobs;
}
