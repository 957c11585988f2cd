// The controls every chart shares (smoothing, x axis, log y, outliers) and the compare view's selection,
// read from and written to the URL so a view can be shared. Pure; no React.
import { X_AXIS_MODES, type XAxisMode } from "./axis-modes.ts";

export interface ChartSettings {
  /** TensorBoard smoothing weight, 0 (off) to 0.99. */
  smoothing: number;
  xAxis: XAxisMode;
  logY: boolean;
  ignoreOutliers: boolean;
}

export const DEFAULT_CHART_SETTINGS: ChartSettings = { smoothing: 0.6, xAxis: "step", logY: false, ignoreOutliers: false };

export function readChartSettings(params: URLSearchParams): ChartSettings {
  const s = Number(params.get("smooth"));
  const x = params.get("x");
  return {
    smoothing: params.has("smooth") && Number.isFinite(s) ? Math.min(0.99, Math.max(0, s)) : DEFAULT_CHART_SETTINGS.smoothing,
    xAxis: (X_AXIS_MODES as readonly string[]).includes(x ?? "") ? (x as XAxisMode) : DEFAULT_CHART_SETTINGS.xAxis,
    logY: params.get("log") === "1",
    ignoreOutliers: params.get("outliers") === "ignore",
  };
}

/** Only what differs from the defaults is written, so shared links stay short. */
export function writeChartSettings(params: URLSearchParams, s: ChartSettings): URLSearchParams {
  const out = new URLSearchParams(params);
  for (const k of ["smooth", "x", "log", "outliers"]) out.delete(k);
  if (s.smoothing !== DEFAULT_CHART_SETTINGS.smoothing) out.set("smooth", String(s.smoothing));
  if (s.xAxis !== "step") out.set("x", s.xAxis);
  if (s.logY) out.set("log", "1");
  if (s.ignoreOutliers) out.set("outliers", "ignore");
  return out;
}

// the compare view's run ids are part of the page-URL contract the daemon reads ahead by
export { readRunSelection } from "@trainyard/protocol/series-request";

export function compareHref(runIds: readonly string[], settings?: ChartSettings): string {
  let params = new URLSearchParams();
  params.set("runs", runIds.join(","));
  if (settings) params = writeChartSettings(params, settings);
  return `/compare?${params.toString().replace(/%2C/g, ",")}`;
}
