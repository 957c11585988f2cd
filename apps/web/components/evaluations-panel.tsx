"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { EVALUATION_SPLITS, type EvaluationSplit } from "@trainyard/protocol/evaluations";
import { confusionMatrix } from "../lib/confusion.ts";
import { anyEvaluationActive, headlineMetrics } from "../lib/evaluations.ts";
import type { CurvePoints } from "../lib/risk-curves.ts";
import { formatMetric } from "../lib/run-progress.ts";
import { useTRPC, type RunCheckpoint } from "../lib/trpc.ts";
import { ClassDecisionTable } from "./class-decision-table.tsx";
import { ConfusionHeatmap } from "./confusion-heatmap.tsx";
import { CurveChartView, curveCharts } from "./curves-panel.tsx";
import { StatusBadge } from "./status-badge.tsx";

/**
 * The run's evaluations (`trainyard evaluate`, or the Evaluate button): a checkpoint scored on a dataset's split
 * as a queued job. The list polls while one is queued or running; a row opens its metrics and curves.
 */
export function EvaluationsPanel({ runId, dataset, checkpoints, classes }: { runId: string; dataset: string; checkpoints: readonly RunCheckpoint[]; classes: readonly string[] }) {
  const trpc = useTRPC();
  const list = useQuery({
    ...trpc.evaluations.list.queryOptions({ runId }),
    refetchInterval: (q) => (anyEvaluationActive(q.state.data ?? []) ? 1000 : false),
  });
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState<string | null>(null);
  const rows = list.data ?? [];
  return (
    <div data-testid="evaluations">
      <div className="field-row">
        <button type="button" className="button" onClick={() => setOpen((o) => !o)} disabled={!checkpoints.length} aria-expanded={open} data-testid="evaluate-button"
          title={checkpoints.length ? "Score a checkpoint on a dataset's split" : "The run has no checkpoint yet"}>
          Evaluate…
        </button>
        {!checkpoints.length && <span className="muted small">No checkpoint to evaluate yet.</span>}
      </div>
      {open && <EvaluateForm runId={runId} dataset={dataset} checkpoints={checkpoints} onQueued={(id) => { setOpen(false); setShown(id); }} />}
      {list.isError && <p className="text-error small">{list.error.message}</p>}
      {!rows.length ? (
        <p className="muted small" data-testid="no-evaluations">No evaluations yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table compact" data-testid="evaluation-list">
            <thead>
              <tr>
                <th scope="col">Checkpoint</th>
                <th scope="col">Dataset</th>
                <th scope="col">Split</th>
                <th scope="col">Status</th>
                <th scope="col">Metrics</th>
                <th scope="col"><span className="sr-only">Details</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={e.id} data-testid="evaluation-row" data-status={e.status} data-id={e.id}>
                  <td className="mono">{e.checkpoint}{e.epoch != null && <span className="muted small"> · epoch {e.epoch}</span>}</td>
                  <td className="mono">{e.dataset}</td>
                  <td>{e.split}</td>
                  <td><StatusBadge status={e.status} testId="evaluation-status" /></td>
                  <td className="mono small">
                    {e.status === "failed" ? <span className="text-error">{e.error}</span> : headlineMetrics(e.metrics, e.split).map(([k, v]) => `${k.slice(e.split.length + 1)} ${formatMetric(v)}`).join(" · ")}
                  </td>
                  <td>
                    {e.status === "completed" && (
                      <button type="button" className="link-small" onClick={() => setShown(shown === e.id ? null : e.id)} aria-expanded={shown === e.id}>
                        {shown === e.id ? "Hide" : "Details"}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {shown && rows.some((e) => e.id === shown && e.status === "completed") && <EvaluationDetail id={shown} classes={classes} />}
    </div>
  );
}

function EvaluateForm({ runId, dataset, checkpoints, onQueued }: { runId: string; dataset: string; checkpoints: readonly RunCheckpoint[]; onQueued: (id: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const datasets = useQuery(trpc.datasets.list.queryOptions());
  const ids = { checkpoint: useId(), dataset: useId(), split: useId() };
  const [checkpoint, setCheckpoint] = useState(checkpoints.some((c) => c.name === "best") ? "best" : checkpoints[0]?.name ?? "");
  const [target, setTarget] = useState(dataset);
  const [split, setSplit] = useState<EvaluationSplit>("test");
  const create = useMutation(
    trpc.evaluations.create.mutationOptions({
      onSuccess: (e) => {
        void queryClient.invalidateQueries({ queryKey: trpc.evaluations.list.queryKey({ runId }) });
        onQueued(e.id);
      },
    }),
  );
  const names = (datasets.data ?? []).filter((d) => d.status === "ready").map((d) => d.name);
  return (
    <form className="panel" data-testid="evaluate-form" onSubmit={(e) => { e.preventDefault(); create.mutate({ run: runId, checkpoint, dataset: target, split }); }}>
      <div className="field-row">
        <label htmlFor={ids.checkpoint}>Checkpoint</label>
        <select id={ids.checkpoint} value={checkpoint} onChange={(e) => setCheckpoint(e.target.value)} data-testid="evaluate-checkpoint">
          {checkpoints.map((c) => <option key={c.name} value={c.name}>{c.name} (epoch {c.epoch})</option>)}
        </select>
        <label htmlFor={ids.dataset}>Dataset</label>
        <select id={ids.dataset} value={target} onChange={(e) => setTarget(e.target.value)} data-testid="evaluate-dataset">
          {(names.includes(dataset) ? names : [dataset, ...names]).map((n) => <option key={n} value={n}>{n}{n === dataset ? " (the run's)" : ""}</option>)}
        </select>
        <label htmlFor={ids.split}>Split</label>
        <select id={ids.split} value={split} onChange={(e) => setSplit(e.target.value as EvaluationSplit)} data-testid="evaluate-split">
          {EVALUATION_SPLITS.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <button type="submit" className="button button-primary" disabled={create.isPending || !checkpoint} data-testid="evaluate-submit">Queue evaluation</button>
      </div>
      {create.isError && <p className="text-error small" role="alert" data-testid="evaluate-error">{create.error.message}</p>}
    </form>
  );
}

function EvaluationDetail({ id, classes }: { id: string; classes: readonly string[] }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.evaluations.get.queryOptions({ id }));
  const curves = useMemo(() => (q.data?.curves ?? []).map((c) => ({ ...c, points: c.points as CurvePoints })), [q.data]);
  const charts = useMemo(() => curveCharts(curves), [curves]);
  const matrix = useMemo(() => confusionMatrix(curves, classes), [curves, classes]);
  if (q.isPending) return <p className="muted small">Loading the evaluation…</p>;
  if (q.isError) return <p className="text-error small">{q.error.message}</p>;
  const e = q.data;
  const metrics = e.metrics ?? {};
  return (
    <div className="panel" data-testid="evaluation-detail">
      <h3 className="small">{e.checkpoint} on {e.dataset} ({e.split}, {e.samples ?? "?"} samples)</h3>
      <table className="data-table compact" data-testid="evaluation-metrics">
        <tbody>
          {headlineMetrics(metrics, e.split, 50).map(([k, v]) => (
            <tr key={k}><th scope="row" className="mono">{k}</th><td className="mono num">{formatMetric(v)}</td></tr>
          ))}
        </tbody>
      </table>
      <ClassDecisionTable values={metrics} prefix={e.split} classes={classes} caption="Per class, at the decision threshold" />
      <div className="chart-grid">
        {charts.map((c) => <CurveChartView key={c.kind.kind} chart={c} testId={`evaluation-chart-${c.kind.kind}`} />)}
      </div>
      {matrix && <ConfusionHeatmap matrix={matrix} />}
    </div>
  );
}
