"use client";

import { useMemo, useState } from "react";
import { formatMetric } from "../../lib/run-progress.ts";
import { metricAxis, metricColor, paramAxis, shortKey, type SweepAxis } from "../../lib/sweep-axes.ts";
import type { SweepSummary } from "../../lib/trpc.ts";

const H = 300;
const PAD = { top: 34, bottom: 18, side: 64 };
const SPACING = 150;

/**
 * Parameters to metric: a vertical axis per searched parameter (log10 for log_uniform, its choices for a values
 * list) and the metric's last; one polyline per trial coloured by its metric (yellow the best, violet the
 * worst). A trial without a metric yet is a grey dashed line that stops at the last parameter. Hovering a line
 * brings it forward and names the trial. SVG: a sweep has tens to hundreds of trials, not thousands of points.
 */
export function ParallelCoordinates({ sweep }: { sweep: SweepSummary }) {
  const [hover, setHover] = useState<number | null>(null);
  const { axes, metric } = useMemo(() => sweepAxes(sweep), [sweep]);
  const all: SweepAxis[] = metric ? [...axes, metric] : axes;
  const width = PAD.side * 2 + SPACING * Math.max(1, all.length - 1);
  const x = (i: number) => PAD.side + (all.length === 1 ? SPACING / 2 : i * SPACING);
  const y = (at: number) => PAD.top + (1 - at) * (H - PAD.top - PAD.bottom);

  const lines = sweep.trials.map((t) => {
    const pts: string[] = [];
    axes.forEach((a, i) => {
      const at = a.place(t.params[a.key]);
      if (at !== null) pts.push(`${x(i).toFixed(1)},${y(at).toFixed(1)}`);
    });
    const m = metric && t.value !== null ? metric.place(t.value) : null;
    if (m !== null) pts.push(`${x(axes.length).toFixed(1)},${y(m).toFixed(1)}`);
    return { t, points: pts.join(" "), color: m !== null ? metricColor(m, sweep.metric.goal) : null };
  });
  // the hovered line last, so it is drawn over the others
  const ordered = hover === null ? lines : [...lines.filter((l) => l.t.number !== hover), ...lines.filter((l) => l.t.number === hover)];
  const hovered = lines.find((l) => l.t.number === hover)?.t;

  return (
    <figure className="sweep-plot pc-plot" data-testid="parallel-coords" data-lines={lines.length} data-axes={all.length}>
      <div className="pc-scroll">
        <svg viewBox={`0 0 ${width} ${H}`} width={width} height={H} role="img" aria-label={`Parallel coordinates: ${axes.map((a) => a.key).join(", ")} to ${sweep.metric.name}`}
          onMouseLeave={() => setHover(null)}>
          {ordered.map(({ t, points, color }) => (
            <polyline key={t.number} points={points} fill="none" className={`pc-line${color ? "" : " pc-line-open"}${hover === t.number ? " pc-line-hover" : ""}${hover !== null && hover !== t.number ? " pc-line-dim" : ""}`}
              stroke={color ?? undefined} data-testid="pc-line" data-trial={t.number} data-value={t.value ?? ""}
              onMouseEnter={() => setHover(t.number)}>
              <title>{trialTitle(sweep, t)}</title>
            </polyline>
          ))}
          {all.map((a, i) => (
            <g key={a.key} data-testid="pc-axis" data-key={a.key} data-kind={a.kind} transform={`translate(${x(i)},0)`}>
              <line className="pc-axis-line" x1={0} x2={0} y1={y(0)} y2={y(1)} />
              {a.ticks.map((tk) => (
                <g key={`${tk.label}-${tk.at}`} transform={`translate(0,${y(tk.at)})`}>
                  <line className="pc-tick" x1={-4} x2={0} />
                  <text className="pc-tick-label" x={-7} dy="0.32em" textAnchor="end">{tk.label}</text>
                </g>
              ))}
              <text className="pc-axis-title" y={PAD.top - 16} textAnchor="middle">
                {i === axes.length ? a.key : shortKey(a.key)}
                <title>{i === axes.length ? `${a.key} (${sweep.metric.goal})` : `${a.key} (${a.kind === "log" ? "log scale" : a.kind})`}</title>
              </text>
            </g>
          ))}
        </svg>
      </div>
      <figcaption className="small muted" data-testid="pc-caption">
        {hovered ? trialTitle(sweep, hovered) : `${lines.length} trial${lines.length === 1 ? "" : "s"}; colour by ${sweep.metric.name}, yellow the best. Hover a line for its trial.`}
      </figcaption>
    </figure>
  );
}

/** The parameter axes and the metric's (null before a trial has a value), for both sweep plots. */
export function sweepAxes(sweep: SweepSummary): { axes: SweepAxis[]; metric: SweepAxis | null } {
  return {
    axes: sweep.parameters.map((p) => paramAxis(p, sweep.trials.map((t) => t.params[p.name]).filter((v) => v !== undefined))),
    metric: metricAxis(sweep.metric.name, sweep.trials.map((t) => t.value)),
  };
}

export function trialTitle(sweep: SweepSummary, t: SweepSummary["trials"][number]): string {
  const params = sweep.parameters.map((p) => `${p.name}=${typeof t.params[p.name] === "number" ? formatMetric(t.params[p.name] as number) : String(t.params[p.name] ?? "—")}`).join(", ");
  return `trial ${t.number} (${t.state}): ${params} → ${sweep.metric.name} ${formatMetric(t.value)}`;
}
