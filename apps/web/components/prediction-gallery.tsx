"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState } from "react";
import {
  boxLabel, captioned, classColors, classesInSamples, defaultScoreThreshold, fitSize, noFindings, placeAll,
  type PlacedBox, type PredictedBox, type TruthBox,
} from "../lib/boxes.ts";
import { useTRPC } from "../lib/trpc.ts";

/** Longest side of a gallery image on screen, CSS pixels. */
const THUMB = 220;

type TruthMode = "beside" | "overlay" | "hidden";

interface Props {
  id: string;
  config: unknown;
  classes: readonly string[];
  status: string;
}

/**
 * The validation images the trainer sampled at each evaluation, with the predicted boxes (class colour,
 * label, score) beside or over the ground truth, at a chosen evaluation (the newest until one is picked;
 * a new one appears as its samples event arrives) and a score threshold (boxes below it hidden; an image
 * with none left says "No findings").
 */
export function PredictionGallery({ id, config, classes, status }: Props) {
  const trpc = useTRPC();
  const ids = { evaluation: useId(), threshold: useId(), truth: useId() };
  // the run page invalidates this list when a samples event arrives (use-run-live.ts)
  const evals = useQuery(trpc.charts.sampleEvaluations.queryOptions({ id }));
  const { refetch } = evals;
  useEffect(() => void refetch(), [status, refetch]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(() => defaultScoreThreshold(config));
  const [truthMode, setTruthMode] = useState<TruthMode>("beside");
  const list = evals.data ?? [];
  const keyOf = (e: { split: string; epoch: number }) => `${e.split}:${e.epoch}`;
  const current = list.find((e) => keyOf(e) === chosen) ?? list.filter((e) => e.split === "val").at(-1) ?? list.at(-1);
  const samples = useQuery(
    trpc.charts.samples.queryOptions({ id, split: current?.split ?? "val", epoch: current?.epoch ?? 0 }, { enabled: current !== undefined, placeholderData: keepPreviousData }),
  );
  const items = samples.data?.items ?? [];
  const colors = useMemo(() => classColors(classes, classesInSamples(items as { boxes: PredictedBox[]; truth: TruthBox[] }[])), [classes, items]);

  if (evals.isPending) return <p className="muted small">Loading the sampled images…</p>;
  if (evals.isError) return <p className="text-error small">{evals.error.message}</p>;
  if (!list.length)
    return (
      <p className="muted small" data-testid="no-samples">
        No sampled images yet: at each evaluation the trainer sends its predictions on a few fixed validation images (training.detection.sample_images).
      </p>
    );
  const shown = items.filter((it) => !noFindings(it.boxes as PredictedBox[], threshold)).length;
  return (
    <div data-testid="prediction-gallery" data-epoch={current?.epoch} data-split={current?.split}>
      <div className="gallery-controls">
        <label className="small" htmlFor={ids.evaluation}>Evaluation</label>
        <select id={ids.evaluation} value={current ? keyOf(current) : ""} onChange={(e) => setChosen(e.target.value)} data-testid="gallery-evaluation">
          {list.map((e) => (
            <option key={keyOf(e)} value={keyOf(e)}>
              {e.split} · epoch {e.epoch} · step {e.step}
            </option>
          ))}
        </select>
        <label className="small" htmlFor={ids.threshold}>
          Score ≥ <span className="mono" data-testid="score-threshold-value">{threshold.toFixed(2)}</span>
        </label>
        <input id={ids.threshold} type="range" min={0} max={1} step={0.01} value={threshold} onChange={(e) => setThreshold(Number(e.target.value))} data-testid="score-threshold" />
        <label className="small" htmlFor={ids.truth}>Ground truth</label>
        <select id={ids.truth} value={truthMode} onChange={(e) => setTruthMode(e.target.value as TruthMode)} data-testid="truth-mode">
          <option value="beside">beside</option>
          <option value="overlay">over the predictions (dashed)</option>
          <option value="hidden">hidden</option>
        </select>
        <span className="small muted" aria-live="polite">
          {items.length} images · {shown} with findings
        </span>
      </div>
      <ul className="gallery-legend small" aria-label="Class colours">
        {[...colors].map(([cls, color]) => (
          <li key={cls}>
            <span className="gallery-swatch" style={{ borderColor: color }} aria-hidden="true" /> {cls}
          </li>
        ))}
      </ul>
      {samples.isError ? (
        <p className="text-error small">{samples.error.message}</p>
      ) : (
        <ul className="gallery-grid">
          {items.map((it) => (
            <GalleryItem key={it.row} image={it.image} row={it.row} source={it.source} boxes={it.boxes as PredictedBox[]} truth={it.truth as TruthBox[]} threshold={threshold} truthMode={truthMode} colors={colors} />
          ))}
        </ul>
      )}
    </div>
  );
}

function GalleryItem({ image, row, source, boxes, truth, threshold, truthMode, colors }: {
  image: string;
  row: number;
  source: readonly [number, number] | null;
  boxes: readonly PredictedBox[];
  truth: readonly TruthBox[];
  threshold: number;
  truthMode: TruthMode;
  colors: Map<string, string>;
}) {
  // without geometry in the cache index the served image's own size stands in for the source's
  const [natural, setNatural] = useState<[number, number] | null>(null);
  const size = source ?? natural;
  const displayed = size ? fitSize(size, THUMB, THUMB) : { width: THUMB, height: THUMB };
  const placed = size ? placeAll(boxes, truth, threshold, size, displayed) : { predicted: [], truth: [] };
  const empty = noFindings(boxes, threshold);
  const onLoad = (e: React.SyntheticEvent<HTMLImageElement>) => {
    const img = e.currentTarget;
    if (!source && img.naturalWidth) setNatural([img.naturalWidth, img.naturalHeight]);
  };
  return (
    <li className="gallery-item" data-testid="gallery-item" data-row={row} data-boxes={placed.predicted.length} data-truth={truth.length}>
      <div className="gallery-pair">
        <BoxedImage
          image={image} alt={`row ${row}: predictions`} caption="Predicted" displayed={displayed} onLoad={onLoad}
          boxes={truthMode === "overlay" ? [...placed.truth, ...placed.predicted] : placed.predicted} colors={colors} predictedCount={placed.predicted.length}
          note={empty ? "No findings" : null} noteTestId="no-findings"
        />
        {truthMode === "beside" && (
          <BoxedImage image={image} alt={`row ${row}: ground truth`} caption="Ground truth" displayed={displayed} onLoad={onLoad} boxes={placed.truth} colors={colors} predictedCount={0}
            note={truth.length ? null : "No findings"} noteTestId="truth-no-findings" />
        )}
      </div>
      <p className="small muted gallery-caption">
        row {row} · {placed.predicted.length} predicted ≥ {threshold.toFixed(2)} · {truth.length} true
      </p>
    </li>
  );
}

function BoxedImage({ image, alt, caption, displayed, onLoad, boxes, colors, predictedCount, note, noteTestId }: {
  image: string;
  alt: string;
  caption: string;
  displayed: { width: number; height: number };
  onLoad: (e: React.SyntheticEvent<HTMLImageElement>) => void;
  boxes: readonly PlacedBox[];
  colors: Map<string, string>;
  /** How many of `boxes` are predictions (they come last, most confident last): only the top few get a caption. */
  predictedCount: number;
  note: string | null;
  noteTestId: string;
}) {
  const { width, height } = displayed;
  const firstPredicted = boxes.length - predictedCount;
  return (
    <figure className="boxed-image">
      <div className="boxed-frame" style={{ width, height }}>
        {/* the daemon serves the cached pixels (an authenticated API route): no Next image optimisation */}
        <img src={image} alt={alt} width={width} height={height} onLoad={onLoad} decoding="async" />
        <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
          {boxes.map((b, i) => {
            const color = colors.get(b.cls) ?? "#f43f5e";
            const label = boxLabel(b.cls, b.score);
            const labelW = label.length * 6.2 + 6;
            // above the box when there is room, else just inside its top edge
            const ly = b.y >= 14 ? b.y - 14 : b.y;
            const lx = Math.min(b.x, Math.max(0, width - labelW));
            const withCaption = b.score === null || captioned(i - firstPredicted, predictedCount);
            return (
              <g key={i} data-testid={b.score === null ? "truth-box" : "pred-box"} data-class={b.cls} data-score={b.score ?? undefined}>
                <rect x={b.x} y={b.y} width={b.w} height={b.h} fill="none" stroke={color} strokeWidth={withCaption ? 2 : 1} strokeDasharray={b.score === null ? "5 3" : undefined} />
                {withCaption && (
                  <>
                    <rect x={lx} y={ly} width={labelW} height={14} fill={color} opacity={0.85} />
                    <text x={lx + 3} y={ly + 11} fontSize={11} fill="#fff">{label}</text>
                  </>
                )}
                {!withCaption && <title>{label}</title>}
              </g>
            );
          })}
        </svg>
        {note && <span className="no-findings" data-testid={noteTestId}>{note}</span>}
      </div>
      <figcaption className="small muted">{caption}</figcaption>
    </figure>
  );
}
