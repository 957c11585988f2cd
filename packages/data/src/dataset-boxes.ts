// A boxes file checked against a dataset: each box matched to a manifest image, converted to pixels of
// the image as displayed (after EXIF orientation), checked, and either kept (in the table's CSR form) or
// rejected with its source and reason. Plus the boxes part of the import report.
//
// Slightly outside: a box may reach at most BOX_TOLERANCE beyond the image (max(1 px, 0.5% of that
// side)) and is then clipped to the image; mask-derived boxes and float rounding land there routinely
// (a box to x = 200.0004 on a 200-pixel image). Anything further out is rejected as outside the image:
// clipping it would invent a box the annotator did not draw.
import { readBoxFile, type BoxEncoding, type BoxFile, type BoxFormat, type BoxSourceOptions, type RawBox } from "./box-files.ts";
import { boxDiagnoses, type DatasetBoxes, type DatasetTable } from "./dataset-table.ts";
import { readDisplayedSizes, type ImageCheck } from "./image-check.ts";

export type BoxRejectReason =
  | "malformed"
  | "unknown-image"
  | "unknown-class"
  | "image-unusable"
  | "not-a-number"
  | "inverted"
  | "zero-size"
  | "negative-size"
  | "not-normalised"
  | "size-mismatch"
  | "outside-image";

export interface RejectedBox {
  /** "boxes.csv row 12", "boxes.json annotation id 7", "labels/a.txt:3". */
  source: string;
  /** The image as the boxes file names it. */
  image: string;
  reason: BoxRejectReason;
  /** What is wrong and how to fix it. */
  message: string;
}

export interface SizeQuantiles {
  min: number;
  p05: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  max: number;
  mean: number;
}

export interface BoxesReport {
  file: string;
  format: BoxFormat;
  /** Table columns used (CSV / Parquet). */
  columns: { image: string; coords: [string, string, string, string]; label: string } | null;
  /** The YOLO names file read. */
  namesFile: string | null;
  classes: string[];
  /** Boxes kept. */
  total: number;
  /** Box rows / annotations in the file. */
  read: number;
  perClass: Record<string, number>;
  /** Images with at least one box of the class. */
  imagesPerClass: Record<string, number>;
  /** Over the usable images (found and readable), those without boxes included. */
  perImage: { min: number; max: number; mean: number; median: number; histogram: Record<string, number> };
  imagesWithBoxes: number;
  /** Usable images without any box: "no findings". */
  noFindings: number;
  /** Manifest images the file does not list (COCO images, YOLO .txt files): no findings too; null for tables. */
  unlistedImages: number | null;
  /** Boxes kept after clipping to the image (they reached at most the tolerance beyond it). */
  clipped: number;
  tolerance: string;
  /** Box sizes in source pixels, and as a fraction of the image's side (sqrt area: of sqrt(image area)). */
  size: null | { width: SizeQuantiles; height: SizeQuantiles; sqrtArea: SizeQuantiles; relWidth: SizeQuantiles; relHeight: SizeQuantiles; relSqrtArea: SizeQuantiles };
  rejected: RejectedBox[];
  rejectedByReason: Partial<Record<BoxRejectReason, number>>;
}

export const BOX_TOLERANCE_TEXT = "max(1 px, 0.5% of the side) beyond the image: clipped; further out: rejected";
const tolerance = (side: number) => Math.max(1, 0.005 * side);

const stripPath = (s: string) => s.trim().replace(/\\/g, "/").replace(/^\.\//, "");
const baseOf = (s: string) => s.slice(s.lastIndexOf("/") + 1);
const stemOf = (s: string) => {
  const b = baseOf(s);
  const dot = b.lastIndexOf(".");
  return dot > 0 ? b.slice(0, dot) : b;
};

/**
 * Finds the manifest row an image name refers to: its id or path exactly, else its file name, else its
 * stem, each only where a single row has it (two rows both named a.jpg in different folders need the path).
 */
export class ImageMatcher {
  private exact = new Map<string, number>();
  private base = new Map<string, number>();
  private stem = new Map<string, number>();
  constructor(imageIds: readonly string[], imagePaths: readonly string[]) {
    const add = (m: Map<string, number>, k: string, row: number) => {
      const seen = m.get(k);
      m.set(k, seen === undefined || seen === row ? row : -1); // -1: ambiguous
    };
    for (let r = 0; r < imageIds.length; r++) {
      for (const name of new Set([stripPath(imageIds[r]), stripPath(imagePaths[r])])) {
        add(this.exact, name, r);
        add(this.base, baseOf(name), r);
        add(this.stem, stemOf(name), r);
      }
    }
  }
  /** The row, -1 when none, -2 when several rows match only by file name / stem. */
  find(name: string): number {
    const n = stripPath(name);
    if (!n) return -1;
    for (const [m, k] of [[this.exact, n], [this.base, baseOf(n)], [this.stem, stemOf(n)]] as const) {
      const r = m.get(k);
      if (r !== undefined) return r >= 0 ? r : -2;
    }
    return -1;
  }
}

const FIELD_NAMES: Record<BoxEncoding, [string, string, string, string]> = {
  xyxy: ["x_min", "y_min", "x_max", "y_max"],
  "coco-xywh": ["bbox[0] (x)", "bbox[1] (y)", "bbox[2] (width)", "bbox[3] (height)"],
  "yolo-cxcywh": ["cx", "cy", "w", "h"],
};

const fmt = (x: number) => String(Math.round(x * 1000) / 1000);

/** One box to pixels of the displayed image, or why not. */
function toPixels(b: RawBox, file: BoxFile, w: number, h: number): { xyxy: [number, number, number, number]; clipped: boolean } | { reason: BoxRejectReason; message: string } {
  const names = file.columns ? file.columns.coords : FIELD_NAMES[file.encoding];
  const bad = b.values.map((v, i) => (Number.isFinite(v) ? null : `${names[i]} "${b.text[i]}"`)).filter(Boolean);
  if (bad.length) return { reason: "not-a-number", message: `${bad.join(", ")} ${bad.length > 1 ? "are not numbers" : "is not a number"}` };
  const [a, c, d, e] = b.values;
  let x0: number, y0: number, x1: number, y1: number;
  if (file.encoding === "xyxy") {
    if (d < a || e < c)
      return { reason: "inverted", message: `${d < a ? `${names[2]} ${fmt(d)} is left of ${names[0]} ${fmt(a)}` : `${names[3]} ${fmt(e)} is above ${names[1]} ${fmt(c)}`}; swap them, or check the column order (--box-coords x_min,y_min,x_max,y_max)` };
    if (d === a || e === c) return { reason: "zero-size", message: `the box has zero ${d === a ? "width" : "height"} (${names[0]}..${names[2]} ${fmt(a)}..${fmt(d)}, ${names[1]}..${names[3]} ${fmt(c)}..${fmt(e)})` };
    [x0, y0, x1, y1] = [a, c, d, e];
  } else {
    if (d < 0 || e < 0) return { reason: "negative-size", message: `${d < 0 ? `${names[2]} ${fmt(d)}` : `${names[3]} ${fmt(e)}`} is negative` };
    if (d === 0 || e === 0) return { reason: "zero-size", message: `${d === 0 ? names[2] : names[3]} is 0` };
    if (file.encoding === "yolo-cxcywh") {
      const out = b.values.map((v, i) => (v < -1e-6 || v > 1 + 1e-6 ? `${names[i]} ${b.text[i]}` : null)).filter(Boolean);
      if (out.length) return { reason: "not-normalised", message: `${out.join(", ")} outside [0, 1]; YOLO boxes are "class cx cy w h" as fractions of the image's width and height` };
      [x0, y0, x1, y1] = [(a - d / 2) * w, (c - e / 2) * h, (a + d / 2) * w, (c + e / 2) * h];
    } else {
      if (b.declaredSize && (b.declaredSize[0] !== w || b.declaredSize[1] !== h)) {
        const turned = b.declaredSize[0] === h && b.declaredSize[1] === w;
        return {
          reason: "size-mismatch",
          message: `the file says the image is ${b.declaredSize[0]}x${b.declaredSize[1]}, but it is ${w}x${h}${turned ? " as displayed (its EXIF orientation turns it): give width, height and the bbox as the image is displayed" : ": the annotations were made on another version of the image"}`,
        };
      }
      [x0, y0, x1, y1] = [a, c, a + d, c + e];
    }
  }
  const tx = tolerance(w), ty = tolerance(h);
  if (x0 < -tx || y0 < -ty || x1 > w + tx || y1 > h + ty)
    return { reason: "outside-image", message: `box ${fmt(x0)},${fmt(y0)} - ${fmt(x1)},${fmt(y1)} reaches outside the ${w}x${h} image (tolerance ${fmt(tx)} x ${fmt(ty)} px); check that the coordinates are pixels of this image` };
  const cx0 = Math.max(0, x0), cy0 = Math.max(0, y0), cx1 = Math.min(w, x1), cy1 = Math.min(h, y1);
  if (cx1 <= cx0 || cy1 <= cy0) return { reason: "outside-image", message: `box ${fmt(x0)},${fmt(y0)} - ${fmt(x1)},${fmt(y1)} lies on the edge of the ${w}x${h} image, with nothing inside it` };
  return { xyxy: [cx0, cy0, cx1, cy1], clipped: cx0 !== x0 || cy0 !== y0 || cx1 !== x1 || cy1 !== y1 };
}

function quantiles(values: Float64Array, digits: number): SizeQuantiles {
  const s = Float64Array.from(values).sort();
  const r = (x: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  const q = (p: number) => r(s[Math.round(p * (s.length - 1))]);
  let sum = 0;
  for (const v of s) sum += v;
  return { min: r(s[0]), p05: q(0.05), p25: q(0.25), median: q(0.5), p75: q(0.75), p95: q(0.95), max: r(s[s.length - 1]), mean: r(sum / s.length) };
}

/**
 * Match, convert and check every box of a file against a dataset's images.
 * @param sizes displayed size per row ([w0, h0, w1, h1, ...]; 0 where the image could not be read)
 * @param usable 1 where the row's image was found and readable at import
 */
export function resolveBoxes(
  file: BoxFile,
  dataset: { imageIds: readonly string[]; imagePaths: readonly string[]; sizes: Float64Array; usable: Uint8Array; matcher?: ImageMatcher },
): { boxes: DatasetBoxes; report: BoxesReport } {
  const n = dataset.imageIds.length;
  const matcher = dataset.matcher ?? new ImageMatcher(dataset.imageIds, dataset.imagePaths);
  const rejected: RejectedBox[] = [];
  const kept: { row: number; xyxy: [number, number, number, number]; label: string }[] = [];
  let clipped = 0;
  const reject = (b: RawBox, reason: BoxRejectReason, message: string) => rejected.push({ source: b.source, image: b.image, reason, message });
  const listedRows = new Set<number>();
  for (const name of file.listedImages ?? []) {
    const r = matcher.find(name);
    if (r >= 0) listedRows.add(r);
  }
  for (const b of file.boxes) {
    if (b.malformed) {
      reject(b, "malformed", b.malformed);
      continue;
    }
    if (b.imageProblem) {
      reject(b, "unknown-image", `${b.imageProblem}; every box must name an image of the manifest`);
      continue;
    }
    const row = matcher.find(b.image);
    if (row < 0) {
      reject(
        b,
        "unknown-image",
        row === -2
          ? `"${b.image}" matches several manifest images by file name; name it by its path relative to the image folder`
          : `"${b.image}" is not an image of the manifest (matched by id, path, file name or file name without extension); add it to the manifest or fix the name`,
      );
      continue;
    }
    if (b.label === null) {
      reject(b, "unknown-class", b.classProblem ?? "no class");
      continue;
    }
    const w = dataset.sizes[2 * row], h = dataset.sizes[2 * row + 1];
    if (!dataset.usable[row] || !(w > 0 && h > 0)) {
      reject(b, "image-unusable", `its image ${dataset.imagePaths[row]} is missing or unreadable (the image is left out of every run)`);
      continue;
    }
    const px = toPixels(b, file, w, h);
    if ("reason" in px) {
      reject(b, px.reason, px.message);
      continue;
    }
    if (px.clipped) clipped++;
    kept.push({ row, xyxy: px.xyxy, label: b.label });
  }

  // classes: what a COCO / YOLO file declares (a class without boxes is still a class of it), what a
  // table's kept rows use
  const classes = [...new Set(file.format === "csv" ? kept.map((k) => k.label) : [...file.classes, ...kept.map((k) => k.label)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const count = new Int32Array(n + 1);
  for (const k of kept) count[k.row + 1]++;
  for (let i = 0; i < n; i++) count[i + 1] += count[i];
  const offsets = Array.from(count);
  const fill = count.slice(0, n);
  const coords = new Array<number>(4 * kept.length);
  const labels = new Array<number>(kept.length);
  for (const k of kept) {
    const at = fill[k.row]++;
    for (let j = 0; j < 4; j++) coords[4 * at + j] = k.xyxy[j];
    labels[at] = classIndex.get(k.label)!;
  }
  const sizes = Array.from(dataset.sizes);
  const boxes: DatasetBoxes = { classes, offsets, coords, labels, sizes };

  // the report
  const perClass = Object.fromEntries(classes.map((c) => [c, 0]));
  const imagesPerClass = Object.fromEntries(classes.map((c) => [c, 0]));
  for (const k of kept) perClass[k.label]++;
  const histogram: Record<string, number> = {};
  const perImage: number[] = [];
  let withBoxes = 0, noFindings = 0, unlisted = 0;
  for (let i = 0; i < n; i++) {
    if (!dataset.usable[i]) continue;
    const m = offsets[i + 1] - offsets[i];
    perImage.push(m);
    const key = m >= 10 ? "10+" : String(m);
    histogram[key] = (histogram[key] ?? 0) + 1;
    if (m) withBoxes++;
    else noFindings++;
    if (file.listedImages && !listedRows.has(i)) unlisted++;
    const seen = new Set<number>();
    for (let k = offsets[i]; k < offsets[i + 1]; k++) seen.add(labels[k]);
    for (const c of seen) imagesPerClass[classes[c]]++;
  }
  perImage.sort((a, b) => a - b);
  let size: BoxesReport["size"] = null;
  if (kept.length) {
    const B = labels.length;
    const cols = Array.from({ length: 6 }, () => new Float64Array(B));
    for (let i = 0; i < n; i++) {
      const w = dataset.sizes[2 * i], h = dataset.sizes[2 * i + 1];
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        const bw = coords[4 * k + 2] - coords[4 * k], bh = coords[4 * k + 3] - coords[4 * k + 1];
        cols[0][k] = bw;
        cols[1][k] = bh;
        cols[2][k] = Math.sqrt(bw * bh);
        cols[3][k] = bw / w;
        cols[4][k] = bh / h;
        cols[5][k] = Math.sqrt((bw * bh) / (w * h));
      }
    }
    size = {
      width: quantiles(cols[0], 2), height: quantiles(cols[1], 2), sqrtArea: quantiles(cols[2], 2),
      relWidth: quantiles(cols[3], 4), relHeight: quantiles(cols[4], 4), relSqrtArea: quantiles(cols[5], 4),
    };
  }
  const rejectedByReason: BoxesReport["rejectedByReason"] = {};
  for (const r of rejected) rejectedByReason[r.reason] = (rejectedByReason[r.reason] ?? 0) + 1;
  const report: BoxesReport = {
    file: file.path,
    format: file.format,
    columns: file.columns,
    namesFile: file.namesFile,
    classes,
    total: kept.length,
    read: file.boxes.length,
    perClass,
    imagesPerClass,
    perImage: {
      min: perImage[0] ?? 0,
      max: perImage.at(-1) ?? 0,
      // every kept box is on a usable image
      mean: perImage.length ? Math.round((kept.length / perImage.length) * 1000) / 1000 : 0,
      median: perImage[Math.floor(perImage.length / 2)] ?? 0,
      histogram,
    },
    imagesWithBoxes: withBoxes,
    noFindings,
    unlistedImages: file.listedImages ? unlisted : null,
    clipped,
    tolerance: BOX_TOLERANCE_TEXT,
    size,
    rejected,
    rejectedByReason,
  };
  return { boxes, report };
}

/**
 * The boxes step of an import: read the boxes file, read the sizes of the images it names, check every
 * box, and store the kept ones on the table (and, when the manifest names no diagnoses, each image's
 * diagnoses as the sorted classes of its boxes). Throws BoxFileError for a file that cannot be used.
 */
export async function attachBoxes(
  table: DatasetTable,
  imagesDir: string,
  source: BoxSourceOptions,
  check: ImageCheck,
  opts: { labelsFromBoxes: boolean; signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<BoxesReport> {
  const file = await readBoxFile(source);
  const n = table.imageIds.length;
  const usable = new Uint8Array(n).fill(1);
  for (const r of check.missingRows) usable[r] = 0;
  for (const u of check.unreadableRows) usable[u.row] = 0;
  const matcher = new ImageMatcher(table.imageIds, table.imagePaths);
  const rows = new Set<number>();
  for (const b of file.boxes) {
    const r = matcher.find(b.image);
    if (r >= 0 && usable[r]) rows.add(r);
  }
  const sizes = await readDisplayedSizes(imagesDir, table.imagePaths, [...rows].sort((a, b) => a - b), { signal: opts.signal, onProgress: opts.onProgress });
  const { boxes, report } = resolveBoxes(file, { imageIds: table.imageIds, imagePaths: table.imagePaths, sizes, usable, matcher });
  table.boxes = boxes;
  if (opts.labelsFromBoxes) table.diagnoses = boxDiagnoses(boxes, n);
  return report;
}
