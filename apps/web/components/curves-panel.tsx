"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState } from "react";
import { runColor } from "../lib/chart-lines.ts";
import { curveChart, curveKinds, type CurveChart } from "../lib/curve-kinds.ts";
import { confusionMatrix, lineCurves } from "../lib/confusion.ts";
import { curveClassLabel, type CurvePoints } from "../lib/risk-curves.ts";
import { formatValue } from "../lib/tick-format.ts";
import { useTRPC } from "../lib/trpc.ts";
import { LineChart } from "./line-chart.tsx";
import { ConfusionHeatmap } from "./confusion-heatmap.tsx";

const fmtCurve = (v: number) => formatValue(v, 3);

/** One curve chart, axes named and ranged by its kind. */
export function CurveChartView({ chart, testId }: { chart: CurveChart; testId?: string }) {
  const k = chart.kind;
  return (
    <LineChart title={k.title} testId={testId ?? `chart-${k.kind}`} lines={chart.lines} xMode="step" logY={false} ignoreOutliers={false}
      xFormat={fmtCurve} xLabel={k.xLabel} yLabel={k.yLabel} format={fmtCurve} xDomain={chart.xDomain} yDomain={chart.yDomain} integerX={k.integerX} />
  );
}

/**
 * The curves per class at a chosen evaluation (split + epoch): a chart per kind the run printed (ROC, PR,
 * PR at IoU 0.5; AUC by year and calibration for risk).
 */
export function CurvesPanel({ id, epoch, status, classes = [], emptyText = "No ROC / PR curves yet: they are printed at each evaluation." }: { id: string; epoch: number; status: string; classes?: readonly string[]; emptyText?: string }) {
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
  const charts = useMemo(() => curveCharts(curves.data ?? []), [curves.data]);
  const matrix = useMemo(() => confusionMatrix(curves.data ?? [], classes), [curves.data, classes]);

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
        {charts.map((c) => <CurveChartView key={c.kind.kind} chart={c} />)}
      </div>
      {matrix && <ConfusionHeatmap matrix={matrix} />}
    </div>
  );
}

/** A chart per line-curve kind (the confusion matrix is a heatmap), one line per class. */
export function curveCharts(all: readonly { kind: string; class: string; points: CurvePoints }[]): CurveChart[] {
  const lines = lineCurves(all);
  return curveKinds(lines).map((k) =>
    curveChart(k, lines.filter((c) => c.kind === k.kind).map((c, i) => ({ id: c.class, label: curveClassLabel(c.class), color: runColor(i), points: c.points }))),
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
            <td className="mono num">{formatValue(m.last)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
