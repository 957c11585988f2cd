"use client";

import { useQueries } from "@tanstack/react-query";
import { memo } from "react";
import type { LineStyle } from "../lib/chart-lines.ts";
import { curveChart, curveKind } from "../lib/curve-kinds.ts";
import { compareEvaluation } from "../lib/risk-curves.ts";
import { useTRPC } from "../lib/trpc.ts";
import { CurveChartView } from "./curves-panel.tsx";

const KINDS = ["auc_by_year", "calibration"] as const;

/**
 * The risk runs' AUC by year and calibration overlaid, a colour per run: each run's test evaluation, else
 * its latest validation (the legend says which).
 */
export const CompareRiskCurves = memo(function CompareRiskCurves({ runs }: { runs: readonly LineStyle[] }) {
  const trpc = useTRPC();
  const evals = useQueries({ queries: runs.map((r) => trpc.charts.curveEvaluations.queryOptions({ id: r.id })) });
  const chosen = runs.map((r, i) => ({ run: r, evaluation: compareEvaluation(evals[i]?.data ?? []) }));
  const curves = useQueries({
    queries: chosen.map(({ run, evaluation }) =>
      trpc.charts.curves.queryOptions({ id: run.id, split: evaluation?.split ?? "val", epoch: evaluation?.epoch ?? 0 }, { enabled: evaluation !== undefined }),
    ),
  });
  // memo() keeps this from re-rendering on the compare view's slider ticks: it draws anew only when an answer lands
  const charts = KINDS.map((kind) =>
    curveChart(
      curveKind(kind),
      chosen.flatMap(({ run, evaluation }, i) => {
        const c = curves[i]?.data?.find((x) => x.kind === kind);
        return c && evaluation ? [{ id: run.id, label: `${run.label} (${evaluation.split} · epoch ${evaluation.epoch})`, color: run.color, points: c.points }] : [];
      }),
    ),
  );
  if (evals.some((q) => q.isPending) || curves.some((q, i) => chosen[i].evaluation && q.isPending)) return <p className="muted small">Loading curves…</p>;
  const failed = [...evals, ...curves].find((q) => q.isError);
  if (failed?.error) return <p className="text-error small">{failed.error.message}</p>;
  return (
    <div className="chart-grid" data-testid="compare-risk-curves">
      {charts.map((c) => <CurveChartView key={c.kind.kind} chart={c} />)}
    </div>
  );
});
