// Chart reads for the dashboard on worker threads, each with its own read-only SQLite connection: a cold
// compare view (50 runs × 6 metrics: buckets, then the exact smoothing over every stored point) uses the
// machine's cores, and the daemon's main thread stays free for ingest, live streams and other users
// meanwhile. Without workers (size 0, or one failed to start) reads run in-process.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import { runChartJob, type ChartReadJob, type ChartReadResult } from "./chart-read-jobs.ts";

/** Series per message to a worker: small enough that an aborted read stops soon, large enough to batch. */
const CHUNK = 16;
/**
 * Chunks a worker holds at once: with two, its next chunk is already there when it finishes one, even
 * while this thread is busy (rendering a page, answering other calls) and cannot hand out the next.
 */
const PIPELINE = 2;

export type ChartReadReply = { id: number; results: ChartReadResult[] } | { id: number; error: string };

/**
 * Worker threads by default: one core fewer than the machine has (ingest, the trainer's data loading and
 * a local browser keep theirs), at least 1, at most 4 (reads are memory-bound past that).
 */
export function defaultChartThreads(env: Record<string, string | undefined> = process.env, cores = availableParallelism()): number {
  const n = Number(env.TRAINYARD_CHART_THREADS);
  return Number.isInteger(n) && n >= 0 ? n : Math.max(1, Math.min(4, cores - 1));
}

interface Pending {
  resolve: (s: ChartReadResult[]) => void;
  reject: (e: Error) => void;
}

/** A chunk of a request waiting for a worker. */
interface Queued {
  jobs: ChartReadJob[];
  priority: number;
  /** The request it belongs to: an aborted request drops its queued chunks. */
  request: object;
  resolve: (s: ChartReadResult[]) => void;
}

class ReadWorker {
  private pending = new Map<number, Pending>();
  private nextId = 0;
  /** Chunks out with it: at most PIPELINE, so priorities take effect yet it never waits on this thread. */
  outstanding = 0;
  broken: Error | null = null;
  /** Warm-up reads it made before it said it was ready (chart-read-warmup.ts). */
  warmed = 0;
  /** Settles when the worker has loaded its code and opened the store (or failed to). */
  readonly ready: Promise<void>;

  constructor(private worker: Worker) {
    let started: () => void;
    this.ready = new Promise<void>((resolve) => (started = resolve));
    worker.on("message", (msg: ChartReadReply | { ready: true; warmed: number }) => {
      if ("ready" in msg) {
        this.warmed = msg.warmed;
        return started();
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (!this.pending.size) worker.unref();
      if ("error" in msg) p.reject(new Error(msg.error));
      else p.resolve(msg.results);
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

  read(jobs: ChartReadJob[]): Promise<ChartReadResult[]> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<ChartReadResult[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // an awaited read keeps the process alive; an idle pool does not
      this.worker.postMessage({ id, jobs });
    });
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
   * Reads every job and answers in job order, in wire form (chart-read-jobs.ts). The jobs go to the workers
   * in chunks of CHUNK series through one queue: an idle worker takes the oldest chunk of the highest
   * `priority`, so the buckets a page paints first are not stuck behind a slower smoothing read. A request
   * the browser gave up on (the slider moved on, the page closed) drops its queued chunks when `signal`
   * aborts. A chunk whose worker fails is read on this thread.
   */
  async read(jobs: ChartReadJob[], opts: { signal?: AbortSignal; priority?: number } = {}): Promise<ChartReadResult[]> {
    const { signal, priority = 0 } = opts;
    signal?.throwIfAborted();
    if (!this.workers.some((w) => !w.broken)) return this.readHere(jobs);
    const request = {};
    const parts: Promise<ChartReadResult[]>[] = [];
    for (let i = 0; i < jobs.length; i += CHUNK) {
      const chunk = jobs.slice(i, i + CHUNK);
      parts.push(new Promise((resolve) => this.queue.push({ jobs: chunk, priority, request, resolve })));
    }
    this.pump();
    const all = Promise.all(parts).then((p) => p.flat());
    if (!signal) return all;
    return new Promise<ChartReadResult[]>((resolve, reject) => {
      const onAbort = () => {
        this.queue = this.queue.filter((q) => q.request !== request);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      all.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  private queue: Queued[] = [];

  /** Gives each idle worker the next chunk; with no worker left, this thread reads what is queued. */
  private pump(): void {
    const live = this.workers.filter((w) => !w.broken);
    if (!live.length) {
      for (const q of this.queue.splice(0)) q.resolve(this.readHere(q.jobs));
      return;
    }
    for (const w of live) {
      if (w.outstanding >= PIPELINE || !this.queue.length) continue;
      let best = 0;
      for (let i = 1; i < this.queue.length; i++) if (this.queue[i].priority > this.queue[best].priority) best = i;
      const [next] = this.queue.splice(best, 1);
      w.outstanding++;
      w.read(next.jobs)
        .then(
          (results) => {
            this.served.workers += next.jobs.length;
            next.resolve(results);
          },
          () => next.resolve(this.readHere(next.jobs)),
        )
        .finally(() => {
          w.outstanding--;
          this.pump();
        });
    }
    if (this.queue.length && live.some((w) => w.outstanding < PIPELINE)) this.pump();
  }

  private readHere(jobs: ChartReadJob[]): ChartReadResult[] {
    this.served.local += jobs.length;
    return jobs.map((j) => runChartJob(this.sqlite, j));
  }

  /**
   * Whether every worker has started (or failed): a worker loads its code in the background, a second or
   * two of CPU just after the daemon starts. /healthz reports it.
   */
  get started(): boolean {
    return this.startedCount === this.workers.length;
  }

  /** Warm-up reads the workers made before they said they were ready. */
  get warmed(): number {
    return this.workers.reduce((n, w) => n + w.warmed, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
