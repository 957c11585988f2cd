"use client";

import Link from "next/link";
import { useState } from "react";
import { formatMetric } from "../../lib/run-progress.ts";
import { shortKey } from "../../lib/sweep-axes.ts";
import { firstDirection, sortTrials, type TrialSortKey } from "../../lib/sweep-trials.ts";
import type { SweepSummary } from "../../lib/trpc.ts";
import { StatusBadge } from "../status-badge.tsx";

/** One row per trial: number (its run), each parameter, state, epochs, rung, metric; a click on a header sorts by it. */
export function TrialTable({ sweep }: { sweep: SweepSummary }) {
  const [sort, setSort] = useState<TrialSortKey>("number");
  const [dir, setDir] = useState<"asc" | "desc">("asc");
  const rows = sortTrials(sweep.trials, sort, dir);
  const params = sweep.parameters.map((p) => p.name);
  const rungs = sweep.rungs.length > 0;

  function toggle(key: TrialSortKey) {
    if (key === sort) setDir(dir === "asc" ? "desc" : "asc");
    else {
      setSort(key);
      setDir(firstDirection(key, sweep.metric.goal));
    }
  }

  const header = (key: TrialSortKey, label: string, opts: { title?: string; numeric?: boolean; metric?: boolean } = {}) => (
    <th scope="col" key={key} className={[opts.numeric ? "num" : "", opts.metric ? "th-metric" : ""].join(" ").trim() || undefined} title={opts.title}
      aria-sort={key === sort ? (dir === "asc" ? "ascending" : "descending") : undefined} data-col={key}>
      <button type="button" className="sort-button" onClick={() => toggle(key)} data-testid="sort-trials" data-col={key}>
        {label}{key === sort ? (dir === "asc" ? " ▲" : " ▼") : ""}
      </button>
    </th>
  );

  if (!sweep.trials.length) return <p className="muted small" data-testid="no-trials">No trials yet: the first is asked for as soon as the sweep's search process is up.</p>;
  return (
    <div className="table-scroll">
      <table className="runs-table trial-table" data-testid="trial-table" data-sort={sort} data-dir={dir}>
        <thead>
          <tr>
            {header("number", "#", { numeric: true })}
            {params.map((k) => header(`param:${k}`, shortKey(k), { title: k, metric: true }))}
            {header("state", "State")}
            {header("epochs", "Epochs", { numeric: true })}
            {rungs && header("rung", "Rung", { numeric: true, title: `rungs at epochs ${sweep.rungs.join(", ")}` })}
            {header("value", sweep.metric.name, { numeric: true, metric: true, title: `${sweep.metric.name} (${sweep.metric.goal}): a completed trial's best epoch, a pruned one's last` })}
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.number} data-testid="trial-row" data-trial={t.number} data-state={t.state} className={sweep.best?.number === t.number ? "best-trial" : undefined}>
              <td className="num mono">{t.runId ? <Link href={`/runs/${encodeURIComponent(t.runId)}`} title={t.runId}>{t.number}</Link> : t.number}</td>
              {params.map((k) => <td key={k} className="mono small" data-col={`param:${k}`}>{formatParam(t.params[k])}</td>)}
              <td><StatusBadge status={t.state} testId="trial-state" /></td>
              <td className="num mono">{t.epochs}</td>
              {rungs && <td className="num mono" data-col="rung" title={t.rung != null ? `trained to epoch ${sweep.rungs[t.rung]}` : undefined}>{t.rung ?? "—"}</td>}
              <td className="num mono" data-col="value" data-value={t.value ?? ""}>{formatMetric(t.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function formatParam(v: unknown): string {
  if (v === undefined || v === null) return "—";
  if (typeof v === "number") return formatMetric(v);
  return String(v);
}
