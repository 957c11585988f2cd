"use client";

import { useMemo } from "react";
import { RUN_CHARTS } from "../lib/chart-panels.ts";
import { phaseBoundaries, phasesOfConfig } from "../lib/phase-boundaries.ts";
import type { SeriesMap } from "../lib/series.ts";
import { MetricChart } from "./metric-chart.tsx";

interface Props {
  series: SeriesMap;
  config: unknown;
}

export function ChartGrid({ series, config }: Props) {
  const phases = useMemo(() => phasesOfConfig(config), [config]);
  const boundaries = useMemo(() => phaseBoundaries(phases, Object.values(series)), [phases, series]);
  return (
    <div className="chart-grid" data-testid="chart-grid" data-phase-boundaries={boundaries.map((b) => b.step).join(",")}>
      {RUN_CHARTS.map((panel) => (
        <MetricChart key={panel.title} panel={panel} series={series} boundaries={boundaries} />
      ))}
    </div>
  );
}
