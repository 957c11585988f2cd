// The prediction gallery's arithmetic: which boxes a score threshold keeps, where a box in source-image
// pixels lands on the displayed image, a colour per class, and when an image shows "No findings". Pure.

/** x0, y0, x1, y1 (source-image pixels), score, class: a predicted box as the samples event carries it. */
export type PredictedBox = readonly [number, number, number, number, number, string];
/** x0, y0, x1, y1 (source-image pixels), class: a ground-truth box. */
export type TruthBox = readonly [number, number, number, number, string];

/** A box placed on the displayed image, in CSS pixels. */
export interface PlacedBox {
  x: number;
  y: number;
  w: number;
  h: number;
  cls: string;
  /** null for ground truth. */
  score: number | null;
}

/** The gallery's default threshold: the run's training.detection.score_threshold, else the schema's 0.25. */
export function defaultScoreThreshold(config: unknown): number {
  const t = (config as { training?: { detection?: { score_threshold?: unknown } } } | null)?.training?.detection?.score_threshold;
  return typeof t === "number" && Number.isFinite(t) && t >= 0 && t <= 1 ? t : 0.25;
}

/** Predictions at or above the threshold, lowest score first, so the most confident is drawn last (on top). */
export function visibleBoxes(boxes: readonly PredictedBox[], threshold: number): PredictedBox[] {
  return boxes.filter((b) => b[4] >= threshold).sort((a, b) => a[4] - b[4]);
}

/** "No findings": nothing predicted at or above the threshold. */
export function noFindings(boxes: readonly PredictedBox[], threshold: number): boolean {
  return !boxes.some((b) => b[4] >= threshold);
}

/**
 * The displayed size of an image of `source` pixels that fits in maxWidth × maxHeight, aspect kept. The
 * served image is the cached content region, which has the source's aspect ratio, so displaying it at
 * this size makes one factor per axis map source pixels onto it.
 */
export function fitSize(source: readonly [number, number], maxWidth: number, maxHeight: number): { width: number; height: number; scale: number } {
  const [w, h] = source;
  if (!(w > 0 && h > 0)) return { width: maxWidth, height: maxHeight, scale: 1 };
  const scale = Math.min(maxWidth / w, maxHeight / h);
  return { width: Math.round(w * scale), height: Math.round(h * scale), scale };
}

/**
 * A box from source-image pixels onto an image displayed at `displayed` (CSS pixels), clipped to the image:
 * x by displayed width / source width, y by displayed height / source height.
 */
export function placeBox(
  box: readonly [number, number, number, number],
  source: readonly [number, number],
  displayed: { width: number; height: number },
): { x: number; y: number; w: number; h: number } {
  const sx = displayed.width / source[0];
  const sy = displayed.height / source[1];
  const clampX = (v: number) => Math.min(displayed.width, Math.max(0, v * sx));
  const clampY = (v: number) => Math.min(displayed.height, Math.max(0, v * sy));
  const x0 = clampX(box[0]), y0 = clampY(box[1]), x1 = clampX(box[2]), y1 = clampY(box[3]);
  return { x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}

/** The predictions the threshold keeps and the truth, placed on the displayed image. */
export function placeAll(
  boxes: readonly PredictedBox[],
  truth: readonly TruthBox[],
  threshold: number,
  source: readonly [number, number],
  displayed: { width: number; height: number },
): { predicted: PlacedBox[]; truth: PlacedBox[] } {
  return {
    predicted: visibleBoxes(boxes, threshold).map((b) => ({ ...placeBox([b[0], b[1], b[2], b[3]], source, displayed), cls: b[5], score: b[4] })),
    truth: truth.map((b) => ({ ...placeBox([b[0], b[1], b[2], b[3]], source, displayed), cls: b[4], score: null })),
  };
}

// distinct on light and dark backgrounds and on grey x-ray-like images
const CLASS_COLORS = ["#f43f5e", "#22c55e", "#3b82f6", "#f59e0b", "#a855f7", "#06b6d4", "#ec4899", "#84cc16", "#f97316", "#14b8a6"];

/** A colour per class, by its place in the run's class list (names not in it after those, in order of appearance). */
export function classColors(classes: readonly string[], seen: readonly string[] = []): Map<string, string> {
  const all = [...classes, ...seen.filter((c) => !classes.includes(c))];
  return new Map([...new Set(all)].map((c, i) => [c, CLASS_COLORS[i % CLASS_COLORS.length]]));
}

/** Every class named by the evaluation's boxes, sorted (for colours when the run lists none). */
export function classesInSamples(items: readonly { boxes: readonly PredictedBox[]; truth: readonly TruthBox[] }[]): string[] {
  const names = new Set<string>();
  for (const it of items) {
    for (const b of it.boxes) names.add(b[5]);
    for (const b of it.truth) names.add(b[4]);
  }
  return [...names].sort();
}

/**
 * Predicted boxes that get a caption: the `limit` most confident of an image (the rest are outlines only).
 * An early model can put a hundred near-equal boxes on an image, and a hundred captions hide the image.
 * `sortedCount` boxes sorted as visibleBoxes sorts them (most confident last); true for box `i` if captioned.
 */
export const CAPTIONED_PER_IMAGE = 5;
export function captioned(i: number, sortedCount: number, limit = CAPTIONED_PER_IMAGE): boolean {
  return i >= sortedCount - limit;
}

/** A box's caption: the class and, for a prediction, its score to two decimals. */
export function boxLabel(cls: string, score: number | null): string {
  return score === null ? cls : `${cls} ${score.toFixed(2)}`;
}
