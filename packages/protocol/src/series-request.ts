// What the charts ask the daemon for: buckets per series by how many runs share a chart, and the compare
// page's first charts.series request from its URL, which the daemon starts reading as it serves the page,
// before the browser has loaded the page's code (daemon/src/api/page-reads.ts). Both sides compute it from
// this one module, so the daemon's early read is exactly the page's request. Pure.

/** Run ids of the compare view: `?runs=a,b,c` (order kept, duplicates and blanks dropped). */
export function readRunSelection(params: URLSearchParams): string[] {
  return [...new Set((params.get("runs") ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
}

/** Buckets per series: about one per horizontal pixel of a chart. */
export const CHART_MAX_POINTS = 1000;

/**
 * Buckets per series when many runs share a chart: 50 overlaid lines of 1,000 points cannot be told apart
 * anyway, and the payload and the draw grow with runs × points. At least 300, at most CHART_MAX_POINTS.
 */
export function pointsPerSeries(runs: number): number {
  return Math.max(300, Math.min(CHART_MAX_POINTS, Math.floor(20_000 / Math.max(1, runs))));
}

/**
 * Metrics the compare view charts unless the URL adds more (`?metrics=a,b`): classification's,
 * detection's and risk's headline keys. A key no selected run has is read as an empty series and gets no chart.
 */
export const COMPARE_METRICS = [
  "train/loss", "val/loss", "val/auc_macro", "val/map",
  "val/map50_95", "val/map50", "val/precision", "val/recall",
  "val/c_index", "val/c_index_uno", "val/auc_year_mean",
  "train/lr", "train/img_per_s",
];

/** The compare view's metric keys: the defaults, then the extra ones, without repeats. */
export function compareKeys(extra: readonly string[]): string[] {
  return [...COMPARE_METRICS, ...extra].filter((k, i, all) => all.indexOf(k) === i);
}

/** The extra metrics a compare URL asks for. */
export function readExtraMetrics(params: URLSearchParams): string[] {
  return (params.get("metrics") ?? "").split(",").filter(Boolean);
}

/** charts.series input for a set of runs and keys, over the whole run or a zoomed step range. */
export function seriesInput(runs: readonly string[], keys: readonly string[], range: [number, number] | null = null) {
  return {
    runs: [...runs],
    keys: [...keys],
    maxPoints: pointsPerSeries(runs.length),
    ...(range ? { fromStep: Math.floor(range[0]), toStep: Math.ceil(range[1]) } : {}),
  };
}

/** The compare page's first charts.series input, from its URL (what CompareView asks for on load). */
export function compareSeriesInput(params: URLSearchParams) {
  return seriesInput(readRunSelection(params), compareKeys(readExtraMetrics(params)));
}

/** The charts.series reads a page URL will ask for as soon as it loads, as far as its URL tells. */
export function pageSeriesReads(pathname: string, params: URLSearchParams): ReturnType<typeof seriesInput>[] {
  if (pathname !== "/compare") return [];
  const input = compareSeriesInput(params);
  return input.runs.length ? [input] : [];
}

/** Where the daemon serves every stored point of runs × keys as a CSV download. */
export function metricsCsvUrl(runs: readonly string[], keys: readonly string[], filename: string): string {
  const q = new URLSearchParams();
  for (const r of runs) q.append("run", r);
  for (const k of keys) q.append("key", k);
  q.set("filename", filename);
  return `/api/export/metrics.csv?${q}`;
}
