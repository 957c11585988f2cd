// The shape of a run that the API returns: everything the runs table and run header need.
import type { RunRow } from "@trainyard/db";
import type { QueueState } from "./queue-policy.ts";

export interface RunSummary {
  id: string;
  name: string;
  status: string;
  dataset: string;
  labelSet: string;
  classes: string[];
  owner: string;
  priority: number;
  gpus: number;
  attempt: number;
  /** Automatic restarts used after crashes, and their bound. */
  restarts: number;
  maxRestarts: number;
  /** Slot ids ("gpu:1", "cpu:0") of the current or last attempt. */
  slots: string[];
  /** For a queued run: its place in the queue and what it waits for; null otherwise. */
  queue: QueueState | null;
  /** Where the trainer runs ("local", "slurm"), and the nodes it asked for. */
  executor: string;
  nodes: number;
  /** A cluster run's job: its id, its state as last seen, why it waits (Slurm's squeue %r), its nodes. */
  job: { id: string; state: string | null; pendingReason: string | null; nodeList: string | null } | null;
  /** True when the next attempt continues from a checkpoint. */
  resumable: boolean;
  phase: string | null;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  best: { name: string; value: number; epoch: number | null } | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

let queueLookup: (runId: string) => QueueState | null = () => null;

/** The daemon registers its scheduler here, so every summary (whichever router builds it) shows the queue. */
export function setQueueLookup(fn: (runId: string) => QueueState | null): void {
  queueLookup = fn;
}

/** A run waiting in a cluster's queue: what the cluster says (position 0: the cluster keeps the order). */
function clusterQueue(r: RunRow): QueueState | null {
  if (!r.jobId && !r.pendingReason) return null;
  const job = r.jobId ? `${r.executor} job ${r.jobId}${r.jobState ? ` ${r.jobState}` : ""}` : `${r.executor}`;
  return { position: 0, reason: r.pendingReason ? `${job}: ${r.pendingReason}` : `${job}, waiting to start` };
}

export function toSummary(r: RunRow, queue: QueueState | null = queueLookup(r.id)): RunSummary {
  const labels = (r.config as { dataset?: { labels?: { set?: unknown } } }).dataset?.labels?.set;
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    dataset: r.datasetName,
    labelSet: Array.isArray(labels) ? `${labels.length} inline` : String(labels ?? ""),
    classes: r.classes,
    owner: r.owner,
    priority: r.priority,
    gpus: r.gpus,
    attempt: r.attempt,
    restarts: r.restarts,
    maxRestarts: r.maxRestarts,
    slots: r.slots,
    queue: r.status === "queued" ? (queue ?? clusterQueue(r) ?? { position: 0, reason: "waiting for the scheduler" }) : null,
    executor: r.executor,
    nodes: r.nodes,
    job: r.jobId || r.pendingReason ? { id: r.jobId ?? "", state: r.jobState, pendingReason: r.pendingReason, nodeList: r.nodeList } : null,
    resumable: r.resumeFrom != null,
    phase: r.phase,
    epoch: r.epoch,
    epochs: r.epochs,
    step: r.step,
    steps: r.steps,
    best: r.bestName != null && r.bestValue != null ? { name: r.bestName, value: r.bestValue, epoch: r.bestEpoch } : null,
    error: r.error,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
  };
}
