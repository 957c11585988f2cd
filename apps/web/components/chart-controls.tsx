"use client";

import { useId } from "react";
import { X_AXIS_MODES, xAxisLabel, type XAxisMode } from "../lib/axis-modes.ts";
import type { ChartSettings } from "../lib/chart-settings.ts";

/** The controls every chart on a page shares, as in TensorBoard's settings pane. */
export function ChartControls({ value, onChange }: { value: ChartSettings; onChange: (next: ChartSettings) => void }) {
  const id = useId();
  return (
    <div className="chart-controls" role="group" aria-label="Chart settings" data-testid="chart-controls">
      <label htmlFor={`${id}-smooth`} className="small">
        Smoothing
      </label>
      <input
        id={`${id}-smooth`}
        type="range"
        min={0}
        max={0.99}
        step={0.01}
        value={value.smoothing}
        onChange={(e) => onChange({ ...value, smoothing: Number(e.target.value) })}
        data-testid="smoothing"
      />
      <output htmlFor={`${id}-smooth`} className="mono small" data-testid="smoothing-value">
        {value.smoothing.toFixed(2)}
      </output>
      <label htmlFor={`${id}-x`} className="small">
        X axis
      </label>
      <select id={`${id}-x`} value={value.xAxis} onChange={(e) => onChange({ ...value, xAxis: e.target.value as XAxisMode })} data-testid="x-axis">
        {X_AXIS_MODES.map((m) => (
          <option key={m} value={m}>
            {xAxisLabel(m)}
          </option>
        ))}
      </select>
      <label className="small check">
        <input type="checkbox" checked={value.logY} onChange={(e) => onChange({ ...value, logY: e.target.checked })} data-testid="log-y" /> Log y
      </label>
      <label className="small check">
        <input type="checkbox" checked={value.ignoreOutliers} onChange={(e) => onChange({ ...value, ignoreOutliers: e.target.checked })} data-testid="ignore-outliers" />{" "}
        Ignore outliers
      </label>
    </div>
  );
}
