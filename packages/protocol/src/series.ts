// Metric series as the daemon serves them and the dashboard draws them: the bucketed columns of a chart
// read, its exact smoothing, the row-shaped points of a run page and the points the live stream pushes.
// The store builds these (packages/db), the daemon sends them, the browser reads them.

/** A bucketed series, columnar (arrays of equal length) so 300 series stay small on the wire. */
export interface BucketedSeries {
  step: number[];
  epoch: number[];
  time: number[];
  /** The bucket's last value (the value at `step`). */
  last: number[];
  min: number[];
  max: number[];
  /** Mean of the bucket's finite values and how many points it holds: what client-side smoothing uses. */
  mean: number[];
  count: number[];
  /**
   * TensorBoard's debiased EMA computed over every stored point from the first step of the series (not
   * over the buckets, not from the visible range), sampled at each bucket's last point. Null when
   * smoothing is 0.
   */
  smooth: number[] | null;
  /** Points stored in the range (full resolution). */
  total: number;
}

/** The exact smoothing of a bucketed series: the EMA at each bucket's last point (charts.smoothing). */
export interface SeriesSmoothing {
  /** Points in the range: the client pairs this with the buckets it has only when `total` agrees. */
  total: number;
  smooth: number[];
}

/** One bucket of a row-shaped series (runs.series): its last point and the bucket's min and max. */
export interface SeriesPoint {
  step: number;
  epoch: number;
  time: number;
  /** Last value in the bucket (the value at `step`). */
  value: number;
  min: number;
  max: number;
}

/** One metric value as the live stream pushes it, the moment the daemon ingests it. */
export interface LivePoint {
  key: string;
  step: number;
  epoch: number;
  time: number;
  value: number;
}
