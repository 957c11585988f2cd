"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState } from "react";
import { runColor } from "../lib/chart-lines.ts";
import { curveKinds } from "../lib/curve-kinds.ts";
import { useTRPC } from "../lib/trpc.ts";
import { LineChart, type ChartLine } from "./line-chart.tsx";

const fmt01 = (v: number) => v.toFixed(2);

/** The curves per class at a chosen evaluation (split + epoch): a chart per kind the run printed (ROC, PR, PR at IoU 0.5). */
export function CurvesPanel({ id, epoch, status, emptyText = "No ROC / PR curves yet: they are printed at each evaluation." }: { id: string; epoch: number; status: string; emptyText?: string }) {
  const trpc = useTRPC();
  const selectId = useId();
  const evals = useQuery(trpc.charts.curveEvaluations.queryOptions({ id }));
  const { refetch } = evals;
  useEffect(() => void refetch(), [epoch, status, refetch]); // each evaluation (epoch end, test at the end) adds curves
  const [chosen, setChosen] = useState<string | null>(null);
  const list = evals.data ?? [];
  const current = list.find((e) => `${e.split}:${e.epoch}` === chosen) ?? list.filter((e) => e.split === "val").at(-1) ?? list.at(-1);
  const curves = useQuery(
    trpc.charts.curves.queryOptions({ id, split: current?.split ?? "val", epoch: current?.epoch ?? 0 }, { enabled: current !== undefined, placeholderData: keepPreviousData }),
  );
  const charts = useMemo(() => {
    const all = curves.data ?? [];
    return curveKinds(all).map((k) => ({
      ...k,
      lines: all
        .filter((c) => c.kind === k.kind)
        .map((c, i): ChartLine => {
          const x = c.points.map((p) => p[0]);
          const y = c.points.map((p) => p[1]);
          return { id: c.class, label: c.class, color: runColor(i), x, y, lo: y, hi: y, smooth: null };
        }),
    }));
  }, [curves.data]);

  if (evals.isPending) return <p className="muted small">Loading curves…</p>;
  if (evals.isError) return <p className="text-error small">{evals.error.message}</p>;
  if (!list.length) return <p className="muted small" data-testid="no-curves">{emptyText}</p>;
  return (
    <div data-testid="curves-panel">
      <label htmlFor={selectId} className="small">Evaluation </label>
      <select id={selectId} value={current ? `${current.split}:${current.epoch}` : ""} onChange={(e) => setChosen(e.target.value)} data-testid="curve-evaluation">
        {list.map((e) => (
          <option key={`${e.split}:${e.epoch}`} value={`${e.split}:${e.epoch}`}>
            {e.split} · epoch {e.epoch}
          </option>
        ))}
      </select>
      <div className="chart-grid">
        {charts.map((c) => (
          <LineChart key={c.kind} title={c.title} testId={`chart-${c.kind}`} lines={c.lines} xMode="step" logY={false} ignoreOutliers={false} xFormat={fmt01} xLabel={c.xLabel} format={fmt01} />
        ))}
      </div>
    </div>
  );
}

/** Test-split results (test/* keys) when the run evaluated on the test split. */
export function TestResults({ id, status, headlineOnly = false }: { id: string; status: string; headlineOnly?: boolean }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.charts.summaries.queryOptions({ runs: [id] }));
  const { refetch } = q;
  useEffect(() => void refetch(), [status, refetch]); // test results arrive as the run ends
  // headlineOnly: per-class keys (test/<metric>/<class>) are in the per-class table instead
  const metrics = Object.entries(q.data?.[0]?.metrics ?? {}).filter(([k]) => k.startsWith("test/") && (!headlineOnly || k.split("/").length === 2));
  if (!metrics.length) return <p className="muted small">No test-set results (the test split is evaluated when training ends).</p>;
  return (
    <table className="data-table compact" data-testid="test-results">
      <tbody>
        {metrics.map(([k, m]) => (
          <tr key={k}>
            <th scope="row" className="mono">{k}</th>
            <td className="mono num">{m.last.toFixed(4)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
