"use client";

import Link from "next/link";
import { formatCreated, formatDuration, formatMetric, progressFraction, runDurationMs, isActive } from "../lib/run-progress.ts";
import type { RunSummary } from "../lib/trpc.ts";
import { useNow } from "../hooks/use-now.ts";
import { ProgressBar } from "./progress-bar.tsx";
import { StatusBadge } from "./status-badge.tsx";

/** The metric the table shows as "best": what the demo and the default config monitor. */
export const BEST_METRIC = "val/auc_macro";

export function RunsTable({ runs }: { runs: RunSummary[] }) {
  const now = useNow(1000, runs.some((r) => isActive(r.status)));
  return (
    <div className="table-wrap">
      <table className="runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Status</th>
            <th scope="col" className="col-progress">Progress</th>
            <th scope="col">Phase</th>
            <th scope="col" className="num th-metric">{BEST_METRIC}</th>
            <th scope="col">Dataset</th>
            <th scope="col">Created</th>
            <th scope="col" className="num">Duration</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunRow({ run, now }: { run: RunSummary; now: number }) {
  const fraction = progressFraction(run);
  const best = run.best && run.best.name === BEST_METRIC ? run.best : null;
  return (
    <tr data-testid="run-row" data-run-id={run.id}>
      <td>
        <Link href={`/runs/${encodeURIComponent(run.id)}`} className="run-link">
          {run.name}
        </Link>
        <div className="muted mono small">{run.id}</div>
      </td>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td className="col-progress">
        <ProgressBar value={fraction} status={run.status} label={`Progress of ${run.name}`} />
        <div className="muted small mono">
          {run.epochs > 0 ? `epoch ${run.epoch}/${run.epochs}` : "epoch —"}
          {run.steps > 0 && ` · step ${run.step}/${run.steps}`}
        </div>
      </td>
      <td>{run.phase ?? <span className="muted">—</span>}</td>
      <td className="num mono">
        {best ? (
          <span title={best.epoch != null ? `epoch ${best.epoch}` : undefined}>{formatMetric(best.value)}</span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>{run.dataset}</td>
      <td className="nowrap">{formatCreated(run.createdAt, now)}</td>
      <td className="num mono nowrap">{formatDuration(runDurationMs(run, now))}</td>
    </tr>
  );
}
