"use client";

import { useMemo } from "react";
import { metricColor, shortKey, type SweepAxis } from "../../lib/sweep-axes.ts";
import type { SweepSummary } from "../../lib/trpc.ts";
import { sweepAxes, trialTitle } from "./parallel-coordinates.tsx";

const W = 240;
const H = 170;
const PAD = { left: 46, right: 10, top: 8, bottom: 34 };

/** The metric against each parameter: a small scatter per parameter, on the same axes as the parallel coordinates. */
export function ParamScatters({ sweep }: { sweep: SweepSummary }) {
  const { axes, metric } = useMemo(() => sweepAxes(sweep), [sweep]);
  if (!metric) return <p className="muted small" data-testid="no-scatter">No trial has a {sweep.metric.name} yet.</p>;
  return (
    <div className="scatter-grid">
      {axes.map((a) => <Scatter key={a.key} sweep={sweep} axis={a} metric={metric} />)}
    </div>
  );
}

function Scatter({ sweep, axis, metric }: { sweep: SweepSummary; axis: SweepAxis; metric: SweepAxis }) {
  const px = (at: number) => PAD.left + at * (W - PAD.left - PAD.right);
  const py = (at: number) => PAD.top + (1 - at) * (H - PAD.top - PAD.bottom);
  const points = sweep.trials.flatMap((t) => {
    const ax = axis.place(t.params[axis.key]);
    const ay = t.value !== null ? metric.place(t.value) : null;
    if (ax === null || ay === null) return [];
    // trials on one choice spread a little sideways (by trial number, so the spread is the same every render)
    const jitter = axis.kind === "categorical" ? (((t.number * 0.618034) % 1) - 0.5) * 0.06 : 0;
    return [{ t, x: px(Math.min(1, Math.max(0, ax + jitter))), y: py(ay), color: metricColor(ay, sweep.metric.goal) }];
  });
  return (
    <figure className="sweep-plot scatter" data-testid="param-scatter" data-key={axis.key} data-points={points.length}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${sweep.metric.name} against ${axis.key}`}>
        <rect className="scatter-frame" x={PAD.left} y={PAD.top} width={W - PAD.left - PAD.right} height={H - PAD.top - PAD.bottom} />
        {metric.ticks.map((tk) => (
          <g key={`y${tk.at}`}>
            <line className="scatter-grid-line" x1={PAD.left} x2={W - PAD.right} y1={py(tk.at)} y2={py(tk.at)} />
            <text className="pc-tick-label" x={PAD.left - 5} y={py(tk.at)} dy="0.32em" textAnchor="end">{tk.label}</text>
          </g>
        ))}
        {axis.ticks.map((tk) => (
          <text key={`x${tk.at}`} className="pc-tick-label" x={px(tk.at)} y={H - PAD.bottom + 12} textAnchor="middle">{tk.label}</text>
        ))}
        <text className="pc-axis-title" x={(PAD.left + W - PAD.right) / 2} y={H - 4} textAnchor="middle">
          {shortKey(axis.key)}{axis.kind === "log" ? " (log)" : ""}
          <title>{axis.key}</title>
        </text>
        {points.map((p) => (
          <circle key={p.t.number} cx={p.x} cy={p.y} r={4} fill={p.color} className="scatter-dot" data-testid="scatter-dot" data-trial={p.t.number}>
            <title>{trialTitle(sweep, p.t)}</title>
          </circle>
        ))}
      </svg>
    </figure>
  );
}
