"use client";

import { useEffect, useMemo } from "react";
import type { XAxisMode } from "../lib/axis-modes.ts";
import { toChartLine, type Buckets, type LineStyle } from "../lib/chart-lines.ts";
import type { ChartSettings } from "../lib/chart-settings.ts";
import { LineChart, type ChartMarker } from "./line-chart.tsx";

export interface PanelSpec {
  title: string;
  keys: readonly string[];
  format?: (v: number) => string;
  height?: number;
}

interface Props {
  panels: readonly PanelSpec[];
  /** runId → key → buckets */
  data: Record<string, Record<string, Buckets>> | undefined;
  /** Lines per run; with one run, a line per key is labelled by key instead. */
  runs: readonly LineStyle[];
  settings: ChartSettings;
  serverWeight: number;
  markers?: readonly ChartMarker[];
  zoom: [number, number] | null;
  onZoom?: (range: [number, number] | null) => void;
  onExportCsv?: (keys: readonly string[], title: string) => void;
  keyColors?: (key: string, i: number) => string;
}

/**
 * A grid of charts sharing one set of controls. After every render that changed what is drawn, a
 * `charts-drawn` performance mark is set (child effects, where the canvases draw, run before this one),
 * which the e2e speed spec reads.
 */
export function ChartPanels({ panels, data, runs, settings, serverWeight, markers, zoom, onZoom, onExportCsv, keyColors }: Props) {
  const single = runs.length === 1;
  const built = useMemo(
    () =>
      panels.map((panel) => {
        const lines = [];
        let inexact = false;
        for (const [ri, run] of runs.entries()) {
          for (const [ki, key] of panel.keys.entries()) {
            const b = data?.[run.id]?.[key];
            // a run without this metric (another task's, or not logged yet) gets no line in this chart
            if (!b || b.step.length === 0) continue;
            const color = single ? (keyColors?.(key, ki) ?? run.color) : run.color;
            const label = single ? key : panel.keys.length > 1 ? `${run.label} · ${key}` : run.label;
            const line = toChartLine({ id: `${run.id}|${key}`, label, color }, b, settings.xAxis, settings.smoothing, serverWeight);
            if (!line.exact) inexact = true;
            lines.push(line);
            void ri;
          }
        }
        return { panel, lines, inexact };
      }),
    [panels, data, runs, single, settings.xAxis, settings.smoothing, serverWeight, keyColors],
  );

  useEffect(() => {
    const lines = built.reduce((n, b) => n + b.lines.length, 0);
    performance.mark("charts-drawn", { detail: { smoothing: settings.smoothing, lines, exact: built.every((b) => !b.inexact) } });
    document.body.dataset.chartsDrawn = `${settings.smoothing}|${settings.xAxis}|${settings.logY}|${settings.ignoreOutliers}`;
  }, [built, settings]);

  const zoomable = settings.xAxis === "step" && onZoom;
  return (
    <div className="chart-grid" data-testid="chart-grid">
      {built.map(({ panel, lines, inexact }) => (
        <LineChart
          key={panel.title}
          title={panel.title}
          testId={`chart-${panel.keys[0]}`}
          lines={lines}
          xMode={settings.xAxis as XAxisMode}
          logY={settings.logY}
          ignoreOutliers={settings.ignoreOutliers}
          markers={markers}
          format={panel.format}
          height={panel.height}
          onZoom={zoomable ? onZoom : undefined}
          zoomed={zoom !== null}
          onExportCsv={onExportCsv ? () => onExportCsv(panel.keys, panel.title) : undefined}
          note={inexact ? "≈ smoothing (exact loading)" : undefined}
        />
      ))}
    </div>
  );
}

export const formatLr = (v: number) => (v === 0 ? "0" : v.toExponential(1).replace(".0e", "e"));
