"use client";

// A canvas line chart for many long series: min–max band, raw line, smoothed line, phase markers, log y,
// a tooltip listing every series at the hovered x, drag-to-zoom, PNG export. Canvas, not SVG: the compare
// view draws 50 runs × ~1,000 buckets per chart, which SVG paths render too slowly to track a slider.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useColorScheme } from "../hooks/use-color-scheme.ts";
import { formatX, xAxisLabel, type XAxisMode } from "../lib/axis-modes.ts";
import { formatTicks, formatValue } from "../lib/tick-format.ts";
import { integerTicks, joinedExtent, linearTicks, logTicks, scanRange, yExtent } from "../lib/y-extent.ts";

export interface ChartLine {
  id: string;
  label: string;
  color: string;
  x: ArrayLike<number>;
  /** Last value per bucket (the raw line). */
  y: ArrayLike<number>;
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
  /** Smoothed values (null: smoothing off, the raw line is the main line). */
  smooth: ArrayLike<number> | null;
  /** A reference, not data (a calibration plot's diagonal): dashed and faint, not in the tooltip or the point count. */
  reference?: boolean;
  /** Each point drawn as a dot as well (curves of a few points: one per year, one per quartile). */
  dots?: boolean;
}

export interface ChartMarker {
  x: number;
  label: string;
}

interface Props {
  title: string;
  testId: string;
  lines: readonly ChartLine[];
  xMode: XAxisMode;
  logY: boolean;
  ignoreOutliers: boolean;
  markers?: readonly ChartMarker[];
  height?: number;
  /** Tooltip values (the axis labels always come from formatTicks, which reads the ticks' step). */
  format?: (v: number) => string;
  /** Called with an x range after a drag (x in the current axis units); null resets. */
  onZoom?: (range: [number, number] | null) => void;
  zoomed?: boolean;
  onExportCsv?: () => void;
  /** Shown in the header, e.g. "≈ smoothing" while the exact one loads. */
  note?: string;
  /** Overrides for charts whose x is not a training axis (ROC / PR curves); xFormat is for the tooltip, ticks use formatTicks. */
  xFormat?: (x: number) => string;
  xLabel?: string;
  /** The y axis's name, written up the left edge (curves: "true positive rate", "AUC"). */
  yLabel?: string;
  /** Fixed axis ranges instead of the data's (probabilities: [0, 1]). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** x ticks at whole numbers only (years). */
  integerX?: boolean;
}

const defaultFormat = (v: number) => formatValue(v);

const PAD = { left: 56, right: 12, top: 10, bottom: 26 };
/** A named y axis needs room for its label left of the tick labels. */
const Y_LABEL_PAD = 14;

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** Index of the last x <= target (binary search over increasing x), clamped to the array. */
export function nearestIndex(x: ArrayLike<number>, target: number): number {
  let lo = 0;
  let hi = x.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (x[mid] <= target) lo = mid;
    else hi = mid - 1;
  }
  if (lo + 1 < x.length && Math.abs(x[lo + 1] - target) < Math.abs(x[lo] - target)) return lo + 1;
  return lo;
}

function LineChartImpl({ title, testId, lines, xMode, logY, ignoreOutliers, markers = NO_MARKERS, height = 200, format, onZoom, zoomed, onExportCsv, note, xFormat, xLabel, yLabel, xDomain, yDomain, integerX }: Props) {
  const fx = useMemo(() => xFormat ?? ((x: number) => formatX(x, xMode)), [xFormat, xMode]);
  const xName = xLabel ?? xAxisLabel(xMode);
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const smoothCanvas = useRef<HTMLCanvasElement>(null);
  const lastScales = useRef<{ x0: number; x1: number; y0: number; y1: number } | null>(null);
  const lastBase = useRef<readonly ChartLine[] | null>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<{ px: number; x: number } | null>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const fmt = format ?? defaultFormat;
  // the grid, text and surface colours are CSS variables read at draw time: redraw when the theme changes
  const scheme = useColorScheme();
  const padLeft = PAD.left + (yLabel ? Y_LABEL_PAD : 0);
  const data = useMemo(() => lines.filter((l) => !l.reference), [lines]);
  const points = data.reduce((n, l) => n + l.x.length, 0);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.floor(e.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The base layer (grid, markers, bands, raw lines) depends on the lines' x / raw / band arrays, not on
  // their smoothing: a slider change keeps this object and only the smoothed layer is redrawn.
  const baseLines = useMemo(() => {
    const prev = lastBase.current;
    const same =
      prev &&
      prev.length === lines.length &&
      prev.every((p, i) => p.x === lines[i].x && p.y === lines[i].y && p.lo === lines[i].lo && p.hi === lines[i].hi && p.color === lines[i].color && !p.smooth === !lines[i].smooth && p.reference === lines[i].reference && p.dots === lines[i].dots);
    return same ? prev : (lastBase.current = lines);
  }, [lines]);

  // The y range. Without outlier clipping it is the range of every band, every smoothed line and the raw
  // lines that are not smoothed, as one scan; but the bands and raw lines keep their arrays across slider
  // ticks (baseLines), so they are scanned once per bucket read and a tick scans only the smoothed lines.
  const baseRange = useMemo(
    () => (ignoreOutliers ? null : scanRange(baseLines.flatMap((l) => (l.smooth ? [l.lo, l.hi] : [l.lo, l.hi, l.y])), logY)),
    [baseLines, ignoreOutliers, logY],
  );
  const scales = useMemo(() => {
    let x0 = Infinity;
    let x1 = -Infinity;
    for (const l of lines) {
      if (!l.x.length) continue;
      x0 = Math.min(x0, l.x[0]);
      x1 = Math.max(x1, l.x[l.x.length - 1]);
    }
    if (!Number.isFinite(x0)) return null;
    if (xDomain) [x0, x1] = xDomain;
    if (x1 === x0) x1 = x0 + 1;
    // the band belongs in the range unless outliers are ignored (a spike is what the band is for)
    const y = yDomain
      ? yDomain
      : baseRange
      ? joinedExtent(baseRange, scanRange(lines.flatMap((l) => (l.smooth ? [l.smooth] : [])), logY), logY)
      : yExtent(lines.flatMap((l) => [l.smooth ?? l.y, l.y]), { ignoreOutliers, log: logY });
    if (!y) return null;
    // the same numbers keep the same object, so the base layer below is not redrawn for nothing; "the same"
    // within a millionth of the range, since the debiased EMA of a flat stretch (a constant learning rate)
    // lands an ulp above it at some weights, which would otherwise move the axis on every slider tick
    const prev = lastScales.current;
    const near = (a: number, b: number) => Math.abs(a - b) <= Math.abs(y[1] - y[0]) * 1e-6;
    if (prev && prev.x0 === x0 && prev.x1 === x1 && near(prev.y0, y[0]) && near(prev.y1, y[1])) return prev;
    return (lastScales.current = { x0, x1, y0: y[0], y1: y[1] });
  }, [lines, baseRange, ignoreOutliers, logY, xDomain, yDomain]);

  const geom = useMemo(() => {
    if (!scales || !width) return null;
    const w = width - padLeft - PAD.right;
    const h = height - PAD.top - PAD.bottom;
    const ly0 = logY ? Math.log10(scales.y0) : scales.y0;
    const ly1 = logY ? Math.log10(scales.y1) : scales.y1;
    const sx = (x: number) => padLeft + ((x - scales.x0) / (scales.x1 - scales.x0)) * w;
    const sy = (v: number) => {
      const t = logY ? Math.log10(Math.max(v, 1e-300)) : v;
      return PAD.top + (1 - (t - ly0) / (ly1 - ly0)) * h;
    };
    const invX = (px: number) => scales.x0 + ((px - padLeft) / w) * (scales.x1 - scales.x0);
    return { w, h, sx, sy, invX, left: padLeft };
  }, [scales, width, height, logY, padLeft]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !geom || !scales) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.floor(width * dpr);
    c.height = Math.floor(height * dpr);
    const ctx = c.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const text = cssVar(c, "--muted", "#666");
    const grid = cssVar(c, "--border", "#ddd");
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = cssVar(c, "--surface", "#fff");
    ctx.fillRect(0, 0, width, height); // so an exported PNG has the page's background
    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    // grid and y ticks
    const yt = logY ? logTicks(scales.y0, scales.y1) : linearTicks(scales.y0, scales.y1, 4);
    ctx.strokeStyle = grid;
    ctx.fillStyle = text;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const ytLabels = formatTicks(yt);
    yt.forEach((t, i) => {
      const py = geom.sy(t);
      ctx.beginPath();
      ctx.moveTo(geom.left, py);
      ctx.lineTo(geom.left + geom.w, py);
      ctx.stroke();
      ctx.fillText(ytLabels[i], geom.left - 6, py);
    });
    // x ticks
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const nx = Math.max(2, Math.floor(geom.w / 90));
    const xt =
      xMode === "wall" ? Array.from({ length: nx + 1 }, (_, i) => scales.x0 + ((scales.x1 - scales.x0) * i) / nx)
      : integerX ? integerTicks(scales.x0, scales.x1, nx)
      : linearTicks(scales.x0, scales.x1, nx);
    // steps, epochs and a curve's x are plain numbers, labelled by their step; wall and relative time keep their units
    const xtLabels = xFormat || xMode === "step" || xMode === "epoch" ? formatTicks(xt) : xt.map(fx);
    xt.forEach((t, i) => ctx.fillText(xtLabels[i], geom.sx(t), PAD.top + geom.h + 6));
    // phase markers
    ctx.save();
    ctx.setLineDash([4, 3]);
    ctx.textAlign = "left";
    for (const m of markers) {
      const px = geom.sx(m.x);
      if (px < geom.left || px > geom.left + geom.w) continue;
      ctx.beginPath();
      ctx.moveTo(px, PAD.top);
      ctx.lineTo(px, PAD.top + geom.h);
      ctx.stroke();
      ctx.fillText(m.label, px + 3, PAD.top + 2);
    }
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(geom.left, PAD.top, geom.w, geom.h);
    ctx.clip();
    const lines = baseLines;
    for (const l of lines) {
      const n = l.x.length;
      if (!n) continue;
      if (l.reference) {
        ctx.save();
        ctx.setLineDash([5, 4]);
        strokeLine(ctx, geom, l.x, l.y, l.color, 0.7, 1, logY);
        ctx.restore();
        continue;
      }
      // min–max band: every spike inside a bucket stays visible
      ctx.globalAlpha = 0.16;
      ctx.fillStyle = l.color;
      ctx.beginPath();
      let started = false;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(l.hi[i])) continue;
        const px = geom.sx(l.x[i]);
        const py = geom.sy(l.hi[i]);
        if (!started) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
        started = true;
      }
      for (let i = n - 1; i >= 0; i--) if (Number.isFinite(l.lo[i])) ctx.lineTo(geom.sx(l.x[i]), geom.sy(l.lo[i]));
      ctx.closePath();
      ctx.fill();
      if (l.smooth) {
        // with many runs overlaid the faint raw lines only add noise; the band still shows the extremes
        if (lines.length <= 10) strokeLine(ctx, geom, l.x, l.y, l.color, 0.3, 1, logY);
      } else strokeLine(ctx, geom, l.x, l.y, l.color, 1, 1.5, logY);
      if (l.dots) strokeDots(ctx, geom, l.x, l.y, l.color, logY);
    }
    ctx.restore();
    ctx.globalAlpha = 1;
    ctx.fillStyle = text;
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(xName, geom.left + geom.w, height - 1);
    if (yLabel) {
      // up the left edge, centred on the plot
      ctx.save();
      ctx.translate(2, PAD.top + geom.h / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.fillText(yLabel, 0, 0);
      ctx.restore();
    }
  }, [baseLines, geom, scales, markers, xMode, logY, width, height, fx, xFormat, xName, yLabel, integerX, scheme]);

  // The smoothed lines, on a transparent canvas over the base layer.
  useEffect(() => {
    const c = smoothCanvas.current;
    if (!c || !geom) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.floor(width * dpr);
    c.height = Math.floor(height * dpr);
    const ctx = c.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.save();
    ctx.beginPath();
    ctx.rect(geom.left, PAD.top, geom.w, geom.h);
    ctx.clip();
    for (const l of lines) if (l.smooth && l.x.length) strokeLine(ctx, geom, l.x, l.smooth, l.color, 1, 1.6, logY);
    ctx.restore();
  }, [lines, geom, logY, width, height]);

  const toLocal = useCallback((e: React.PointerEvent) => {
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    return e.clientX - r.left;
  }, []);

  const rows = useMemo(() => {
    if (!hover) return [];
    return data.flatMap((l) => {
      const i = nearestIndex(l.x, hover.x);
      if (i < 0) return [];
      return [{ id: l.id, label: l.label, color: l.color, x: l.x[i], value: l.y[i], smooth: l.smooth ? l.smooth[i] : null, lo: l.lo[i], hi: l.hi[i] }];
    });
  }, [hover, data]);

  function exportPng() {
    const c = canvas.current;
    if (!c) return;
    // both layers in one image
    const out = document.createElement("canvas");
    out.width = c.width;
    out.height = c.height;
    const ctx = out.getContext("2d")!;
    ctx.drawImage(c, 0, 0);
    if (smoothCanvas.current) ctx.drawImage(smoothCanvas.current, 0, 0);
    const a = document.createElement("a");
    a.href = out.toDataURL("image/png");
    a.download = `${title.replace(/[^\w.-]+/g, "_")}.png`;
    a.click();
  }

  return (
    <section className="chart-card" data-testid={testId} data-points={points} data-lines={data.length} aria-label={`${title} chart`}>
      <header className="chart-head">
        <h3>{title}</h3>
        <div className="chart-tools">
          {note && <span className="muted small" data-testid="chart-note">{note}</span>}
          {zoomed && onZoom && (
            <button type="button" className="button button-small" onClick={() => onZoom(null)}>
              Reset zoom
            </button>
          )}
          <button type="button" className="button button-small" onClick={exportPng} data-testid="export-png" aria-label={`Export ${title} as PNG`}>
            PNG
          </button>
          {onExportCsv && (
            <button type="button" className="button button-small" onClick={onExportCsv} data-testid="export-csv" aria-label={`Export ${title} data as CSV`}>
              CSV
            </button>
          )}
        </div>
      </header>
      {lines.length <= 8 && (
        <ul className="chart-legend">
          {lines.map((l) => (
            <li key={l.id}>
              <span className={l.reference ? "swatch swatch-reference" : "swatch"} style={l.reference ? { borderColor: l.color } : { background: l.color }} aria-hidden="true" />
              <span className="mono">{l.label}</span>
            </li>
          ))}
        </ul>
      )}
      <div
        ref={wrap}
        className="chart-canvas"
        style={{ height }}
        onPointerMove={(e) => {
          if (!geom) return;
          const px = toLocal(e);
          setHover({ px, x: geom.invX(px) });
          if (drag) setDrag({ ...drag, to: px });
        }}
        onPointerLeave={() => {
          setHover(null);
          setDrag(null);
        }}
        onPointerDown={(e) => onZoom && geom && setDrag({ from: toLocal(e), to: toLocal(e) })}
        onPointerUp={() => {
          if (drag && geom && onZoom && Math.abs(drag.to - drag.from) > 8) {
            const a = geom.invX(Math.min(drag.from, drag.to));
            const b = geom.invX(Math.max(drag.from, drag.to));
            onZoom([a, b]);
          }
          setDrag(null);
        }}
        onDoubleClick={() => onZoom?.(null)}
      >
        {points === 0 || !scales ? (
          <div className="chart-empty muted small">No points yet</div>
        ) : (
          <>
            <canvas ref={canvas} style={{ width: "100%", height }} role="img" aria-label={`${title}: ${data.length} series, ${points} points`} />
            <canvas ref={smoothCanvas} className="chart-layer" style={{ width: "100%", height }} aria-hidden="true" />
          </>
        )}
        {drag && <div className="chart-drag" style={{ left: Math.min(drag.from, drag.to), width: Math.abs(drag.to - drag.from) }} />}
        {hover && rows.length > 0 && geom && (
          <div className="chart-tooltip" data-testid="chart-tooltip" style={{ left: Math.min(hover.px + 12, Math.max(0, width - 240)) }}>
            <div className="muted">{xName} {fx(rows[0].x)}</div>
            <table>
              <tbody>
                {rows.slice(0, 60).map((r) => (
                  <tr key={r.id}>
                    <td>
                      <span className="swatch" style={{ background: r.color }} />
                    </td>
                    <td className="mono">{r.label}</td>
                    <td className="mono num">{r.smooth != null ? fmt(r.smooth) : fmt(r.value)}</td>
                    <td className="mono num muted">{r.smooth != null ? fmt(r.value) : ""}</td>
                    <td className="mono num muted small">{r.lo !== r.hi ? `${fmt(r.lo)}…${fmt(r.hi)}` : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rows.length > 60 && <div className="muted small">+{rows.length - 60} more</div>}
          </div>
        )}
      </div>
    </section>
  );
}

export const LineChart = memo(LineChartImpl);

/** One empty list for every chart without markers: a fresh `[]` per render would redraw the base layer. */
const NO_MARKERS: readonly ChartMarker[] = [];

type Geom = { sx: (x: number) => number; sy: (v: number) => number };

/** One series as a polyline; a non-finite value (or <= 0 on a log axis) is a gap, not a line to the axis. */
function strokeLine(ctx: CanvasRenderingContext2D, geom: Geom, x: ArrayLike<number>, ys: ArrayLike<number>, color: string, alpha: number, lw: number, logY: boolean): void {
  const n = x.length;
  ctx.globalAlpha = alpha;
  ctx.strokeStyle = color;
  ctx.lineWidth = lw;
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < n; i++) {
    const v = ys[i];
    if (!Number.isFinite(v) || (logY && v <= 0)) {
      pen = false;
      continue;
    }
    const px = geom.sx(x[i]);
    const py = geom.sy(v);
    if (pen) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
  if (n === 1 && Number.isFinite(ys[0])) {
    ctx.fillStyle = color;
    ctx.fillRect(geom.sx(x[0]) - 2, geom.sy(ys[0]) - 2, 4, 4);
  }
  ctx.globalAlpha = 1;
}

/** A dot on every finite point (curves of a few points, whose segments alone would hide an isolated one). */
function strokeDots(ctx: CanvasRenderingContext2D, geom: Geom, x: ArrayLike<number>, ys: ArrayLike<number>, color: string, logY: boolean): void {
  ctx.fillStyle = color;
  for (let i = 0; i < x.length; i++) {
    const v = ys[i];
    if (!Number.isFinite(v) || (logY && v <= 0)) continue;
    ctx.beginPath();
    ctx.arc(geom.sx(x[i]), geom.sy(v), 3, 0, 2 * Math.PI);
    ctx.fill();
  }
}
