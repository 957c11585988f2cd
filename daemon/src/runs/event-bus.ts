// In-process fan-out of live run updates to subscribers. Publishing never blocks: each subscriber has a
// bounded queue, and a slow one loses the oldest metric pushes first (the full data stays re-readable).
import type { LivePoint } from "@trainyard/protocol/series";
import type { RunSummary } from "./run-summary.ts";

export type LiveEvent =
  | { type: "run"; run: RunSummary }
  | { type: "metrics"; runId: string; points: LivePoint[] }
  | { type: "log"; runId: string; id?: number; level: string; message: string; time: number }
  | { type: "checkpoint"; runId: string; name: string; epoch: number; step: number }
  /** A detection evaluation sampled `count` images (read them with charts.samples). */
  | { type: "samples"; runId: string; split: string; epoch: number; step: number; count: number }
  | { type: "deleted"; runId: string };

type Listener = (e: LiveEvent) => void;

export class EventBus {
  private listeners = new Set<{ runId: string | null; fn: Listener }>();

  /** runId null: every run. */
  subscribe(runId: string | null, fn: Listener): () => void {
    const entry = { runId, fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  publish(runId: string, e: LiveEvent): void {
    for (const l of this.listeners) if (l.runId === null || l.runId === runId) l.fn(e);
  }

  get size() {
    return this.listeners.size;
  }
}

/**
 * Turns bus events into an async iterable for a tRPC subscription, with a bounded queue
 * (oldest dropped first) so a stalled client cannot grow the daemon's memory.
 */
export async function* streamFrom(
  bus: EventBus,
  runId: string | null,
  signal: AbortSignal | undefined,
  filter: (e: LiveEvent) => boolean = () => true,
  capacity = 2000,
): AsyncGenerator<LiveEvent> {
  const queue: LiveEvent[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = bus.subscribe(runId, (e) => {
    if (!filter(e)) return;
    if (queue.length >= capacity) {
      // drop the oldest metric batch first: points are re-readable through runs.series, while the
      // latest run summary, logs and checkpoints are what the live view must not miss
      const i = queue.findIndex((q) => q.type === "metrics");
      queue.splice(i >= 0 ? i : 0, 1);
    }
    queue.push(e);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    while (!signal?.aborted) {
      if (!queue.length) await new Promise<void>((r) => (wake = r));
      wake = null;
      while (queue.length) yield queue.shift()!;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}
