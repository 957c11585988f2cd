"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState } from "react";
import { runColor } from "../lib/chart-lines.ts";
import { useTRPC } from "../lib/trpc.ts";
import { LineChart, type ChartLine } from "./line-chart.tsx";

const fmt01 = (v: number) => v.toFixed(2);

/** ROC and PR curves per class at a chosen evaluation (split + epoch). */
export function CurvesPanel({ id, epoch, status }: { id: string; epoch: number; status: string }) {
  const trpc = useTRPC();
  const selectId = useId();
  const evals = useQuery(trpc.charts.curveEvaluations.queryOptions({ id }));
  const { refetch } = evals;
  useEffect(() => void refetch(), [epoch, status, refetch]); // each evaluation (epoch end, test at the end) adds curves
  const [chosen, setChosen] = useState<string | null>(null);
  const list = evals.data ?? [];
  const current = list.find((e) => `${e.split}:${e.epoch}` === chosen) ?? list.filter((e) => e.split === "val").at(-1) ?? list.at(-1);
  const curves = useQuery(
    trpc.charts.curves.queryOptions({ id, split: current?.split ?? "val", epoch: current?.epoch ?? 0 }, { enabled: current !== undefined }),
  );
  const lines = useMemo(() => {
    const of = (kind: "roc" | "pr"): ChartLine[] =>
      (curves.data ?? [])
        .filter((c) => c.kind === kind)
        .map((c, i) => {
          const x = c.points.map((p) => p[0]);
          const y = c.points.map((p) => p[1]);
          return { id: c.class, label: c.class, color: runColor(i), x, y, lo: y, hi: y, smooth: null };
        });
    return { roc: of("roc"), pr: of("pr") };
  }, [curves.data]);

  if (evals.isPending) return <p className="muted small">Loading curves…</p>;
  if (evals.isError) return <p className="text-error small">{evals.error.message}</p>;
  if (!list.length) return <p className="muted small" data-testid="no-curves">No ROC / PR curves yet: they are printed at each evaluation.</p>;
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
        <LineChart title="ROC" testId="chart-roc" lines={lines.roc} xMode="step" logY={false} ignoreOutliers={false} xFormat={fmt01} xLabel="false positive rate" format={fmt01} />
        <LineChart title="Precision–recall" testId="chart-pr" lines={lines.pr} xMode="step" logY={false} ignoreOutliers={false} xFormat={fmt01} xLabel="recall" format={fmt01} />
      </div>
    </div>
  );
}

/** Test-split results (test/* keys) when the run evaluated on the test split. */
export function TestResults({ id, status }: { id: string; status: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.charts.summaries.queryOptions({ runs: [id] }));
  const { refetch } = q;
  useEffect(() => void refetch(), [status, refetch]); // test results arrive as the run ends
  const metrics = Object.entries(q.data?.[0]?.metrics ?? {}).filter(([k]) => k.startsWith("test/"));
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
