// A sweep's trials as the sweep page shows them: the table's sort, the top trials to compare, best-so-far over
// time. Pure; no React. Trials are SweepSummary.trials (daemon/src/sweeps/sweep-summary.ts).
import type { Scalar } from "@trainyard/config";
import type { SweepTrial } from "./trpc.ts";

export type Goal = "max" | "min";

/** What the page's maths reads of a trial: the daemon's TrialSummary (daemon/src/sweeps/sweep-summary.ts) as the API returns it. */
export type TrialLike = Pick<SweepTrial, "number" | "runId" | "params" | "state" | "epochs" | "rung" | "value" | "outcome" | "endedAt">;

/** The trial table's sort keys: a fixed column, or `param:<key path>` for a parameter's column. */
export type TrialSortKey = "number" | "state" | "epochs" | "rung" | "value" | `param:${string}`;

function cell(t: TrialLike, key: TrialSortKey): Scalar | null {
  if (key.startsWith("param:")) return t.params[key.slice(6)] ?? null;
  return t[key as Exclude<TrialSortKey, `param:${string}`>];
}

/**
 * Trials ordered by one column. Numbers compare as numbers, anything else as text (a categorical parameter
 * of mixed values: "16" before "adamw"); a missing value (no metric yet, no rung) sorts last in both
 * directions, so flipping the order never buries the trials that have one. Ties keep trial number order.
 */
export function sortTrials<T extends TrialLike>(trials: readonly T[], key: TrialSortKey, dir: "asc" | "desc"): T[] {
  const sign = dir === "asc" ? 1 : -1;
  return [...trials].sort((a, b) => {
    const x = cell(a, key);
    const y = cell(b, key);
    if (x === null || y === null) return x === y ? a.number - b.number : x === null ? 1 : -1;
    const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
    return c !== 0 ? sign * c : a.number - b.number;
  });
}

/** The direction a first click on a column sorts: the metric best first, everything else ascending. */
export function firstDirection(key: TrialSortKey, goal: Goal): "asc" | "desc" {
  if (key === "value") return goal === "max" ? "desc" : "asc";
  return key === "epochs" || key === "rung" ? "desc" : "asc";
}

const better = (goal: Goal) => (a: number, b: number) => (goal === "max" ? b - a : a - b);

/**
 * The `n` best trials that have a run and a metric, best first: completed trials before pruned or failed ones
 * (a pruned trial's metric is its last epoch before it was stopped, a weaker claim than a finished trial's best).
 */
export function topTrials<T extends TrialLike>(trials: readonly T[], goal: Goal, n = 5): T[] {
  const cmp = better(goal);
  return trials
    .filter((t) => t.runId !== null && t.value !== null && Number.isFinite(t.value))
    .sort((a, b) => Number(b.outcome === "complete") - Number(a.outcome === "complete") || cmp(a.value!, b.value!) || a.number - b.number)
    .slice(0, n);
}

export interface BestSoFar {
  /** Hours since `start` (the chart's "relative" x axis). */
  x: number[];
  y: number[];
  /** The trial that set each step's best. */
  trials: number[];
}

/**
 * The best metric of the completed trials as they ended, as a step line: the best holds flat until a trial
 * beats it, then steps (two points at that time, the old best and the new one). Only completed trials count,
 * as for the sweep's best trial; a trial that does not improve adds no point.
 */
export function bestSoFar(trials: readonly TrialLike[], goal: Goal, start: number): BestSoFar {
  const done = trials
    .filter((t) => t.outcome === "complete" && t.value !== null && Number.isFinite(t.value) && t.endedAt !== null)
    .sort((a, b) => a.endedAt! - b.endedAt! || a.number - b.number);
  const out: BestSoFar = { x: [], y: [], trials: [] };
  let best: number | null = null;
  for (const t of done) {
    if (best !== null && better(goal)(t.value!, best) >= 0) continue;
    const h = (t.endedAt! - start) / 3_600_000;
    if (best !== null) {
      out.x.push(h);
      out.y.push(best);
      out.trials.push(out.trials[out.trials.length - 1]);
    }
    best = t.value!;
    out.x.push(h);
    out.y.push(best);
    out.trials.push(t.number);
  }
  return out;
}

/** Extends a best-so-far line flat to `now` (hours), so a sweep still running shows how long the best has held. */
export function extendTo(line: BestSoFar, hours: number): BestSoFar {
  const n = line.x.length;
  if (!n || hours <= line.x[n - 1]) return line;
  return { x: [...line.x, hours], y: [...line.y, line.y[n - 1]], trials: [...line.trials, line.trials[n - 1]] };
}

/** "12 / 20" trials done: those that ended (completed, pruned, failed, cancelled) of max_trials. */
export function trialsDone(counts: Record<string, number>): number {
  return Object.entries(counts).reduce((n, [state, c]) => (state === "total" || state === "queued" || state === "running" ? n : n + c), 0);
}
