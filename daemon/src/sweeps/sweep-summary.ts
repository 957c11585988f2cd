// The shape of a sweep that the API and `trainyard sweep show --json` return: its settings, each trial with its
// params, run state, epochs, rung and metric, and the best trial.
import type { ResolvedSweep, Scalar } from "@trainyard/config";
import type { RunRow, SweepRow, SweepTrialRow } from "@trainyard/db";

export interface TrialSummary {
  number: number;
  runId: string | null;
  params: Record<string, Scalar>;
  /** The run's state (queued, running, completed, pruned, failed, cancelled, ...). */
  state: string;
  /** Epochs whose metric the early stopper saw. */
  epochs: number;
  /** ASHA / Hyperband rung reached: the highest rung (0 = min_epochs) whose epoch the trial trained to; null before it, and for median / none. */
  rung: number | null;
  /** The trial's metric (best epoch for a completed trial, last for a pruned one); null until known. */
  value: number | null;
  /** How Optuna was told it ended: complete | pruned | fail; null while it runs. */
  outcome: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export interface SweepSummary {
  id: string;
  name: string;
  status: string;
  owner: string;
  method: ResolvedSweep["method"];
  metric: ResolvedSweep["metric"];
  earlyStopping: ResolvedSweep["earlyStopping"];
  /** Epochs of each rung (asha, hyperband), e.g. [1, 3, 9]. */
  rungs: number[];
  maxTrials: number;
  parallel: number;
  priority: number;
  seed: number;
  parameters: ResolvedSweep["space"];
  gridSize: number | null;
  notes: string[];
  error: string | null;
  counts: Record<string, number>;
  /** Trial-epochs trained so far (epochs validated), and the most the sweep can cost (max_trials x max_epochs). */
  trialEpochs: number;
  maxTrialEpochs: number;
  best: TrialSummary | null;
  trials: TrialSummary[];
  createdAt: number;
  endedAt: number | null;
}

export function rungsOf(es: ResolvedSweep["earlyStopping"]): number[] {
  if (es.type !== "asha" && es.type !== "hyperband") return [];
  const out: number[] = [];
  for (let r = es.minEpochs; r <= es.maxEpochs; r *= es.reductionFactor) out.push(r);
  return out;
}

export function toSweepSummary(row: SweepRow, trials: SweepTrialRow[], runs: Map<string, RunRow>): SweepSummary {
  const s = row.config as unknown as ResolvedSweep;
  const rungs = rungsOf(s.earlyStopping);
  const list: TrialSummary[] = trials.map((t) => {
    const run = t.runId ? runs.get(t.runId) : undefined;
    const reached = rungs.filter((r) => r <= t.epochs).length;
    return {
      number: t.number,
      runId: t.runId,
      params: t.params,
      state: run?.status ?? (t.outcome ? "deleted" : "queued"),
      epochs: t.epochs,
      rung: rungs.length ? (reached ? reached - 1 : null) : null,
      value: t.value,
      outcome: t.outcome,
      createdAt: t.createdAt,
      startedAt: run?.startedAt ?? null,
      endedAt: t.endedAt ?? run?.endedAt ?? null,
    };
  });
  const counts: Record<string, number> = { total: list.length };
  for (const t of list) counts[t.state] = (counts[t.state] ?? 0) + 1;
  const ranked = list.filter((t) => t.outcome === "complete" && t.value !== null);
  const best = ranked.length ? ranked.reduce((a, b) => ((s.metric.goal === "max" ? b.value! > a.value! : b.value! < a.value!) ? b : a)) : null;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    owner: row.owner,
    method: s.method,
    metric: s.metric,
    earlyStopping: s.earlyStopping,
    rungs,
    maxTrials: row.maxTrials,
    parallel: row.parallel,
    priority: s.priority,
    seed: s.seed,
    parameters: s.space,
    gridSize: s.gridSize,
    notes: s.notes,
    error: row.error,
    counts,
    trialEpochs: list.reduce((n, t) => n + t.epochs, 0),
    maxTrialEpochs: row.maxTrials * s.earlyStopping.maxEpochs,
    best,
    trials: list,
    createdAt: row.createdAt,
    endedAt: row.endedAt,
  };
}
