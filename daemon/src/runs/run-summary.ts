// The shape of a run that the API returns: everything the runs table and run header need.
import type { RunRow } from "@trainyard/db";

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

export function toSummary(r: RunRow): RunSummary {
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
