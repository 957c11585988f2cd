"use client";

import { useMemo } from "react";
import { useNow } from "../../hooks/use-now.ts";
import { formatMetric } from "../../lib/run-progress.ts";
import { bestSoFar, extendTo } from "../../lib/sweep-trials.ts";
import type { SweepSummary } from "../../lib/trpc.ts";
import { LineChart } from "../line-chart.tsx";

/** The best completed trial's metric over the sweep's time, as a step line (the run charts' canvas chart). */
export function BestSoFarChart({ sweep }: { sweep: SweepSummary }) {
  const running = sweep.status === "running" || sweep.status === "paused";
  const now = useNow(10_000, running);
  const lines = useMemo(() => {
    const base = bestSoFar(sweep.trials, sweep.metric.goal, sweep.createdAt);
    const line = extendTo(base, ((running ? now : (sweep.endedAt ?? now)) - sweep.createdAt) / 3_600_000);
    return [{ id: "best", label: `best ${sweep.metric.name}`, color: "#2563eb", x: line.x, y: line.y, lo: line.y, hi: line.y, smooth: null }];
  }, [sweep, now, running]);
  if (!lines[0].x.length) return <p className="muted small" data-testid="no-best-so-far">No completed trial yet.</p>;
  return <LineChart title={`Best ${sweep.metric.name} so far`} testId="chart-best-so-far" lines={lines} xMode="relative" logY={false} ignoreOutliers={false} format={formatMetric} height={200} yLabel={sweep.metric.name} />;
}
