// onnxruntime-node sessions, one per export file, kept for the next request (creating one costs far more than a
// prediction) and bounded: the least recently used is released past `max` (TRAINYARD_PREDICT_SESSIONS, 4).
// A file rewritten since (a new export of the same checkpoint) gets a new session.
// Intra-op threads do not spin while waiting for work: on a machine whose cores other processes share (the
// trainers), spinning threads compete with them and a ResNet-50 prediction took 2-3x longer (docs/models.md).
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { InferenceSession } from "onnxruntime-node";

type Ort = typeof import("onnxruntime-node");

const SESSION_OPTIONS = {
  executionProviders: ["cpu"],
  graphOptimizationLevel: "all",
  intraOpNumThreads: Number(process.env.TRAINYARD_PREDICT_THREADS ?? availableParallelism()),
  extra: { session: { intra_op: { allow_spinning: "0" } } },
} satisfies InferenceSession.SessionOptions;

interface Entry {
  mtimeMs: number;
  session: Promise<InferenceSession>;
}

export class OnnxSessions {
  private readonly entries = new Map<string, Entry>();
  private ort: Promise<Ort> | null = null;

  constructor(readonly max = Number(process.env.TRAINYARD_PREDICT_SESSIONS ?? 4)) {}

  runtime(): Promise<Ort> {
    this.ort ??= import("onnxruntime-node");
    return this.ort;
  }

  async get(path: string): Promise<InferenceSession> {
    const mtimeMs = statSync(path).mtimeMs;
    let entry = this.entries.get(path);
    if (entry && entry.mtimeMs !== mtimeMs) {
      this.release(path, entry);
      entry = undefined;
    }
    if (!entry) {
      const session = this.runtime().then((ort) => ort.InferenceSession.create(path, SESSION_OPTIONS));
      entry = { mtimeMs, session };
      session.catch(() => this.entries.get(path) === entry && this.entries.delete(path));
    } else this.entries.delete(path); // re-inserted below: Map order is recency
    this.entries.set(path, entry);
    while (this.entries.size > Math.max(1, this.max)) {
      const [oldest, old] = this.entries.entries().next().value as [string, Entry];
      this.release(oldest, old);
    }
    return entry.session;
  }

  get size(): number {
    return this.entries.size;
  }

  private release(path: string, entry: Entry): void {
    this.entries.delete(path);
    void entry.session.then((s) => s.release()).catch(() => {});
  }
}
