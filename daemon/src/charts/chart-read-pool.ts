// Bucket reads for the dashboard's charts on worker threads, each with its own read-only SQLite
// connection: a cold compare view (50 runs × 6 metrics, every stored point read for the exact smoothing)
// uses the machine's cores, and the daemon's main thread stays free for ingest, live streams and other
// users meanwhile. Without workers (size 0, or one failed to start) reads run in-process.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { readBuckets, type BucketedSeries, type BucketOptions } from "@trainyard/db";
import type Database from "better-sqlite3";
import { seriesForWire } from "./series-wire.ts";

export interface ChartReadJob {
  runId: string;
  key: string;
  opts: BucketOptions;
}

/** Series per message to a worker: small enough that an aborted read stops soon, large enough to batch. */
const CHUNK = 16;

export type ChartReadReply = { id: number; series: BucketedSeries[] } | { id: number; error: string };

/**
 * Worker threads by default: one core fewer than the machine has (ingest, the trainer's data loading and
 * a local browser keep theirs), at least 1, at most 4 (reads are memory-bound past that).
 */
export function defaultChartThreads(env: Record<string, string | undefined> = process.env, cores = availableParallelism()): number {
  const n = Number(env.TRAINYARD_CHART_THREADS);
  return Number.isInteger(n) && n >= 0 ? n : Math.max(1, Math.min(4, cores - 1));
}

interface Pending {
  resolve: (s: BucketedSeries[]) => void;
  reject: (e: Error) => void;
}

class ReadWorker {
  private pending = new Map<number, Pending>();
  private nextId = 0;
  /** Jobs sent and not answered: the pool gives new work to the least loaded worker. */
  load = 0;
  broken: Error | null = null;
  /** Settles when the worker has loaded its code and opened the store (or failed to). */
  readonly ready: Promise<void>;

  constructor(private worker: Worker) {
    let started: () => void;
    this.ready = new Promise<void>((resolve) => (started = resolve));
    worker.on("message", (msg: ChartReadReply | "ready") => {
      if (msg === "ready") return started();
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (!this.pending.size) worker.unref();
      if ("error" in msg) p.reject(new Error(msg.error));
      else p.resolve(msg.series);
    });
    const fail = (e: Error) => {
      started();
      this.broken = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`chart-read worker exited with code ${code}`)));
    worker.unref();
  }

  read(jobs: ChartReadJob[]): Promise<BucketedSeries[]> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    this.load += jobs.length;
    return new Promise<BucketedSeries[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // an awaited read keeps the process alive; an idle pool does not
      this.worker.postMessage({ id, jobs });
    }).finally(() => (this.load -= jobs.length));
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

export class ChartReadPool {
  private workers: ReadWorker[];
  /** Series read by the workers and by this thread (fallback), for tests and benchmarks. */
  readonly served = { workers: 0, local: 0 };
  private startedCount = 0;

  constructor(
    private sqlite: Database.Database,
    dbFile: string,
    size = defaultChartThreads(),
  ) {
    const entry = new URL("./chart-read-worker.mjs", import.meta.url);
    this.workers = Array.from({ length: size }, () => new ReadWorker(new Worker(entry, { workerData: { db: dbFile } })));
    for (const w of this.workers) void w.ready.then(() => this.startedCount++);
  }

  /**
   * Reads every job, answers in their wire form (seriesForWire), split into one contiguous share per
   * worker (series of similar cost sit together in a request, so equal counts are close to equal work).
   * Each share goes over in chunks of CHUNK series, so a request the browser gave up on (the slider moved
   * on, the page closed) stops costing CPU within a chunk: `signal` aborts it. A worker that fails leaves
   * its share to this thread.
   */
  async read(jobs: ChartReadJob[], signal?: AbortSignal): Promise<BucketedSeries[]> {
    const live = this.workers.filter((w) => !w.broken);
    if (!live.length) return this.readHere(jobs);
    live.sort((a, b) => a.load - b.load);
    const per = Math.ceil(jobs.length / live.length);
    const shares = live.map((w, i) => ({ w, jobs: jobs.slice(i * per, (i + 1) * per) })).filter((s) => s.jobs.length);
    const parts = await Promise.all(shares.map(({ w, jobs: share }) => this.readShare(w, share, signal)));
    return parts.flat();
  }

  private async readShare(w: ReadWorker, share: ChartReadJob[], signal?: AbortSignal): Promise<BucketedSeries[]> {
    const out: BucketedSeries[] = [];
    for (let i = 0; i < share.length; i += CHUNK) {
      signal?.throwIfAborted();
      const chunk = share.slice(i, i + CHUNK);
      try {
        out.push(...(await w.read(chunk)));
        this.served.workers += chunk.length;
      } catch {
        out.push(...this.readHere(chunk));
      }
    }
    return out;
  }

  private readHere(jobs: ChartReadJob[]): BucketedSeries[] {
    this.served.local += jobs.length;
    return jobs.map((j) => seriesForWire(readBuckets(this.sqlite, j.runId, j.key, j.opts)));
  }

  /**
   * Whether every worker has started (or failed): a worker loads its code in the background, a second or
   * two of CPU just after the daemon starts. /healthz reports it.
   */
  get started(): boolean {
    return this.startedCount === this.workers.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
