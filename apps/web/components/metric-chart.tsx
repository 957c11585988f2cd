"use client";

import { memo, useMemo } from "react";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ChartPanel } from "../lib/chart-panels.ts";
import type { PhaseBoundary } from "../lib/phase-boundaries.ts";
import { formatMetric } from "../lib/run-progress.ts";
import { countPoints, joinSeries, type ChartRow, type SeriesMap } from "../lib/series.ts";

// Readable on light and dark backgrounds alike.
const SERIES_COLORS = ["#3b82f6", "#f59e0b", "#10b981", "#a855f7"];

interface Props {
  panel: ChartPanel;
  series: SeriesMap;
  boundaries: readonly PhaseBoundary[];
}

const formatStep = (s: number) => (s >= 10_000 ? `${Math.round(s / 1000)}k` : String(s));
// 2.5e-3 rather than 2e-3 twice: one decimal keeps neighbouring ticks apart
const formatLr = (v: number) => (v === 0 ? "0" : v.toExponential(1).replace(".0e", "e"));

function MetricChartImpl({ panel, series, boundaries }: Props) {
  const rows = useMemo<ChartRow[]>(() => joinSeries(series, panel.keys), [series, panel.keys]);
  const points = countPoints(series, panel.keys);
  const sparse = rows.length <= 40;
  const tickFormat = panel.format === "lr" ? formatLr : (v: number) => formatMetric(v);

  return (
    <section className="chart-card" data-testid={`chart-${panel.keys[0]}`} data-points={points} aria-label={`${panel.title} chart`}>
      <header className="chart-head">
        <h3>{panel.title}</h3>
        <ul className="chart-legend">
          {panel.keys.map((key, i) => {
            const last = series[key]?.at(-1);
            return (
              <li key={key}>
                <span className="swatch" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} aria-hidden="true" />
                <span className="mono">{key}</span>
                <span className="mono legend-value">{last ? (panel.format === "lr" ? last.value.toExponential(2) : formatMetric(last.value)) : "—"}</span>
              </li>
            );
          })}
        </ul>
      </header>
      {points === 0 ? (
        <div className="chart-empty muted small">No points yet</div>
      ) : (
        <div className="chart-body">
          <ResponsiveContainer width="100%" height={210}>
            <LineChart data={rows} margin={{ top: 14, right: 14, bottom: 0, left: 0 }}>
              <CartesianGrid vertical={false} strokeDasharray="3 3" />
              <XAxis dataKey="step" type="number" domain={["dataMin", "dataMax"]} allowDecimals={false} tickFormatter={formatStep} tickMargin={6} minTickGap={24} />
              <YAxis width={56} domain={["auto", "auto"]} tickFormatter={tickFormat} allowDataOverflow={false} />
              <Tooltip
                isAnimationActive={false}
                labelFormatter={(step) => `step ${String(step)}`}
                formatter={(value) => (typeof value === "number" ? (panel.format === "lr" ? value.toExponential(3) : formatMetric(value)) : String(value))}
                contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 6, fontSize: 12 }}
                labelStyle={{ color: "var(--muted)" }}
              />
              {boundaries.map((b) => (
                <ReferenceLine
                  key={b.index}
                  x={b.step}
                  stroke="currentColor"
                  className="phase-line"
                  strokeDasharray="4 3"
                  label={{ value: b.phase, position: "insideTopLeft", fill: "currentColor", fontSize: 11 }}
                />
              ))}
              {panel.keys.map((key, i) => (
                <Line
                  key={key}
                  name={key}
                  dataKey={(row: ChartRow) => row[key]}
                  type="linear"
                  stroke={SERIES_COLORS[i % SERIES_COLORS.length]}
                  strokeWidth={1.6}
                  dot={sparse ? { r: 2 } : false}
                  activeDot={{ r: 3 }}
                  connectNulls
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

/** One live chart; re-renders only when its own series object changes. */
export const MetricChart = memo(MetricChartImpl);
