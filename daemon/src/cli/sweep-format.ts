// Terminal rendering of sweeps for `trainyard sweeps` and `trainyard sweep show`: a line per sweep, and a
// sweep's settings, its trial table (number, state, rung, epochs, metric, one column per parameter) and best trial.
import type { Scalar } from "@trainyard/config";
import type { SweepSummary, TrialSummary } from "../sweeps/sweep-summary.ts";

/** A parameter value short enough for a table cell: floats to 3 significant digits, the rest as written. */
export function formatParam(v: Scalar): string {
  if (typeof v !== "number" || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(3)));
}

const fmtMetric = (v: number | null) => (v === null ? "-" : v.toFixed(4));

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ").trimEnd()).join("\n");
}

/** How the trial counts read: "5 of 12: 2 completed, 1 pruned, 2 running". */
function countsLine(s: SweepSummary): string {
  const parts = Object.entries(s.counts).filter(([k]) => k !== "total").map(([k, n]) => `${n} ${k}`);
  return `${s.counts.total} of ${s.maxTrials}${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

export function formatSweepLine(s: SweepSummary): string {
  const best = s.best ? `${s.metric.name}=${fmtMetric(s.best.value)} (trial ${s.best.number})` : "";
  return [s.id, s.name.padEnd(16), s.owner.padEnd(8), s.status.padEnd(9), `${s.method}/${s.earlyStopping.type}`.padEnd(15), `trials ${countsLine(s)}`.padEnd(40), best].join("  ").trimEnd();
}

function stoppingLine(s: SweepSummary): string {
  const es = s.earlyStopping;
  if (es.type === "none") return `none: every trial trains ${es.maxEpochs} epoch${es.maxEpochs === 1 ? "" : "s"}`;
  if (es.type === "median")
    return `median: from epoch ${es.minEpochs}, a trial worse than the median of the earlier trials at the same epoch stops (after 5 trials); at most ${es.maxEpochs} epochs`;
  return `${es.type}: rungs at epoch${s.rungs.length === 1 ? "" : "s"} ${s.rungs.join(", ")} (min_epochs ${es.minEpochs}, max_epochs ${es.maxEpochs}, reduction_factor ${es.reductionFactor})`;
}

export function formatTrialTable(s: SweepSummary): string {
  const names = s.parameters.map((p) => p.name);
  const header = ["#", "state", "rung", "epochs", s.metric.name, ...names];
  const row = (t: TrialSummary) => [String(t.number), t.state, t.rung === null ? "-" : String(t.rung), String(t.epochs), fmtMetric(t.value), ...names.map((n) => (n in t.params ? formatParam(t.params[n]) : "-"))];
  return formatTable([header, ...s.trials.map(row)]);
}

export function formatSweepDetail(s: SweepSummary): string {
  const lines = [
    `sweep      ${s.id} (${s.name}), ${s.status}${s.error ? `: ${s.error}` : ""}`,
    `search     ${s.method} over ${s.parameters.length} parameter${s.parameters.length === 1 ? "" : "s"}${s.gridSize !== null ? ` (grid of ${s.gridSize})` : ""}, seed ${s.seed}; metric ${s.metric.name} (${s.metric.goal})`,
    `stopping   ${stoppingLine(s)}`,
    `trials     ${countsLine(s)}; parallel ${s.parallel}, priority ${s.priority}, owner ${s.owner}`,
    `cost       ${s.trialEpochs} trial-epochs so far, at most ${s.maxTrialEpochs} (${s.maxTrials} trials x ${s.earlyStopping.maxEpochs} epochs)`,
    ...s.notes.map((n) => `note       ${n}`),
  ];
  if (s.trials.length) lines.push("", formatTrialTable(s), "");
  if (s.best) {
    const params = Object.entries(s.best.params).map(([k, v]) => `${k}=${formatParam(v)}`).join(" ");
    lines.push(`best       trial ${s.best.number} (run ${s.best.runId ?? "deleted"}): ${s.metric.name} = ${fmtMetric(s.best.value)}; ${params}`);
  } else lines.push("best       - (no trial has completed yet)");
  return lines.join("\n");
}
