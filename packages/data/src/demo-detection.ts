// The built-in detection demo: synthetic x-ray-like images (grey, smooth noise, a gradient, faint
// rib-like bands) with 0-4 findings each of three classes that differ in shape, size and edge:
//   nodule  - small, bright, round, hard edge (diameter 6-14% of the short side)
//   mass    - large, lobulated, soft inside with a faint rim (diameter 20-40%)
//   opacity - long thin haze at any angle, a little warm in colour (length 18-40%)
// About a fifth of the images have no finding. Images are 160x128 or 128x160, so the letterbox
// geometry of the cache matters. Every box is the exact pixel extent of what was drawn: the box of
// the pixels a shape changed, edge to edge (x_max = last drawn column + 1), in source pixels.
// Deterministic from the seed; about 800 images in a few seconds.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { writeFileAtomic } from "./atomic-write.ts";
import { mulberry32 } from "./seeded-random.ts";

export const DEMO_DETECTION_CLASSES = ["nodule", "mass", "opacity"] as const;
export type DemoFinding = (typeof DEMO_DETECTION_CLASSES)[number];

/** Source image shapes as [width, height]: landscape and portrait, mixed at random. */
export const DEMO_DETECTION_SHAPES: readonly (readonly [number, number])[] = [
  [160, 128],
  [128, 160],
];

/** Share of the findings, by class, and how many findings an image with findings has (1-4). */
const CLASS_SHARE: [DemoFinding, number][] = [["nodule", 0.4], ["mass", 0.3], ["opacity", 0.3]];
const COUNT_SHARE: [number, number][] = [[1, 0.35], [2, 0.35], [3, 0.2], [4, 0.1]];

export interface DemoDetectionOptions {
  outDir: string;
  /** 270 patients of 2-4 images each: about 800 images. */
  patients?: number;
  seed?: number;
  /** Share of images without any finding. */
  noFindingsShare?: number;
}

export interface DemoDetectionResult {
  manifest: string;
  boxes: string;
  imagesDir: string;
  images: number;
  patients: number;
  /** Images without a box. */
  noFindings: number;
  boxCount: number;
  boxesPerClass: Record<DemoFinding, number>;
}

/** One drawn finding: its class and its box (source pixels, edges). */
export interface DemoBox {
  label: DemoFinding;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export async function generateDemoDetectionDataset(opts: DemoDetectionOptions): Promise<DemoDetectionResult> {
  const { outDir, patients = 270, seed = 11, noFindingsShare = 0.2 } = opts;
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const imagesDir = join(outDir, "images");
  mkdirSync(imagesDir, { recursive: true });
  const manifestLines = ["image_id,patient_id,age,sex"];
  const boxLines = ["image,x_min,y_min,x_max,y_max,label"];
  const boxesPerClass = Object.fromEntries(DEMO_DETECTION_CLASSES.map((c) => [c, 0])) as Record<DemoFinding, number>;
  let images = 0, noFindings = 0, boxCount = 0;
  // PNG encoding is the slow part and runs off the main thread in sharp: keep a few writes in flight
  // while the next image is drawn. All randomness is drawn here, in order, so the result does not
  // depend on which write finishes first.
  const pending = new Set<Promise<unknown>>();
  for (let p = 0; p < patients; p++) {
    const patient = `P${String(p).padStart(4, "0")}`;
    const age = rand() < 0.04 ? "" : String(Math.max(18, Math.min(95, Math.round(58 + 14 * gauss()))));
    const sex = rand() < 0.03 ? "" : rand() < 0.5 ? "female" : "male";
    const nImages = 2 + Math.floor(rand() * 3);
    for (let k = 0; k < nImages; k++) {
      const id = `${patient}_${k}.png`;
      const [width, height] = DEMO_DETECTION_SHAPES[Math.floor(rand() * DEMO_DETECTION_SHAPES.length)];
      const findings = rand() < noFindingsShare ? 0 : pickWeighted(COUNT_SHARE, rand);
      const { pixels, boxes } = renderDetectionImage(width, height, findings, Math.floor(rand() * 2 ** 32));
      const write = sharp(pixels, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 3 }).toFile(join(imagesDir, id));
      pending.add(write);
      write.finally(() => pending.delete(write)).catch(() => {});
      if (pending.size >= 8) await Promise.race(pending);
      manifestLines.push([id, patient, age, sex].join(","));
      for (const b of boxes) {
        boxLines.push([id, b.x0, b.y0, b.x1, b.y1, b.label].join(","));
        boxesPerClass[b.label]++;
      }
      boxCount += boxes.length;
      if (!boxes.length) noFindings++;
      images++;
    }
  }
  await Promise.all(pending);
  const manifest = join(outDir, "manifest.csv");
  const boxesCsv = join(outDir, "boxes.csv");
  writeFileAtomic(manifest, manifestLines.join("\n") + "\n");
  writeFileAtomic(boxesCsv, boxLines.join("\n") + "\n");
  return { manifest, boxes: boxesCsv, imagesDir, images, patients, noFindings, boxCount, boxesPerClass };
}

function pickWeighted<T>(shares: [T, number][], rand: () => number): T {
  let u = rand();
  for (const [v, p] of shares) if ((u -= p) < 0) return v;
  return shares[shares.length - 1][0];
}

/** A shape to draw: an ellipse-like region around (cx, cy) and how it shades the pixels inside. */
interface Shape {
  label: DemoFinding;
  cx: number;
  cy: number;
  /** Semi-axes before rotation, and the rotation. */
  a: number;
  b: number;
  angle: number;
  /** Outline wobble (mass): radius * (1 + wobble * sin(lobes * theta + phase)). */
  wobble: number;
  lobes: number;
  phase: number;
  contrast: number;
  /** Half-extent of the (possibly wobbly, rotated) outline along x and y: the pixels to visit. */
  ex: number;
  ey: number;
}

/** Colour of each class's added light: grey except the slightly warm opacity. */
const TINT: Record<DemoFinding, [number, number, number]> = { nodule: [1, 1, 1], mass: [1, 1, 1], opacity: [1.08, 1, 0.86] };

/**
 * Draw one image: background, then `findings` shapes. Returns RGB pixels and, per shape, the box of
 * the pixels it changed. Background, shapes and pixel noise draw from three streams of the image's
 * seed, so the same seed with no findings gives the same image minus its findings: the tests diff
 * the two to check every box against the pixels.
 */
export function renderDetectionImage(width: number, height: number, findings: number, seed: number): { pixels: Buffer; boxes: DemoBox[] } {
  const bgRand = mulberry32(seed);
  const rand = mulberry32(seed ^ 0x5bd1e995);
  const noiseRand = mulberry32(seed ^ 0x27d4eb2f);
  const gauss = () => Math.sqrt(-2 * Math.log(noiseRand() + 1e-12)) * Math.cos(2 * Math.PI * noiseRand());
  const n = width * height;
  const grey = new Float32Array(n);
  paintBackground(grey, width, height, bgRand);
  const tint = [1 + 0.05 * (bgRand() - 0.5), 1, 1 + 0.05 * (bgRand() - 0.5)];
  // light added by findings, per channel (the opacity is tinted): kept apart so the tint applies to it only
  const addR = new Float32Array(n), addG = new Float32Array(n), addB = new Float32Array(n);
  const side = Math.min(width, height);
  const shapes: Shape[] = [];
  for (let i = 0; i < findings; i++) {
    const label = pickWeighted(CLASS_SHARE, rand);
    // a few tries to place it without hiding (or being hidden by) another finding; some overlap is allowed
    for (let attempt = 0; attempt < 30; attempt++) {
      const s = makeShape(label, side, width, height, rand);
      if (shapes.every((o) => acceptableOverlap(s, o))) {
        shapes.push(s);
        break;
      }
    }
  }
  const boxes: DemoBox[] = [];
  for (const s of shapes) {
    const box = drawShape(s, width, height, addR, addG, addB);
    if (box) boxes.push(box);
  }
  const pixels = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) {
    const noise = 4 * gauss();
    const g = grey[i] + noise;
    pixels[i * 3] = clampByte(g * tint[0] + addR[i]);
    pixels[i * 3 + 1] = clampByte(g * tint[1] + addG[i]);
    pixels[i * 3 + 2] = clampByte(g * tint[2] + addB[i]);
  }
  return { pixels, boxes };
}

const clampByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** Grey 55-100 plus a gradient, two octaves of smooth value noise and faint rib-like bands: at most about 175, so a finding always changes the pixels it covers. */
function paintBackground(grey: Float32Array, width: number, height: number, rand: () => number): void {
  const base = 55 + 45 * rand();
  const gAngle = rand() * Math.PI * 2;
  const gx = Math.cos(gAngle) / width, gy = Math.sin(gAngle) / height;
  const gAmp = 10 + 15 * rand();
  const coarse = valueNoise(width, height, 40, rand);
  const fine = valueNoise(width, height, 14, rand);
  const ribPeriod = 16 + 10 * rand();
  const ribPhase = rand() * ribPeriod;
  const ribBend = (0.1 + 0.2 * rand()) * height;
  const ribAmp = 4 + 6 * rand();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const rib = Math.sin((Math.PI * (y + ribPhase + ribBend * Math.sin((Math.PI * x) / width))) / ribPeriod);
      grey[i] = base + gAmp * ((x - width / 2) * gx + (y - height / 2) * gy) * 2 + 20 * coarse[i] + 8 * fine[i] + ribAmp * rib * rib;
    }
  }
}

/** Smooth noise in [-1, 1]: random values on a grid of `cell` pixels, smoothstep-interpolated. */
function valueNoise(width: number, height: number, cell: number, rand: () => number): Float32Array {
  const cols = Math.ceil(width / cell) + 2, rows = Math.ceil(height / cell) + 2;
  const grid = new Float32Array(cols * rows).map(() => rand() * 2 - 1);
  const out = new Float32Array(width * height);
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < height; y++) {
    const fy = y / cell, iy = Math.floor(fy), ty = smooth(fy - iy);
    for (let x = 0; x < width; x++) {
      const fx = x / cell, ix = Math.floor(fx), tx = smooth(fx - ix);
      const v00 = grid[iy * cols + ix], v10 = grid[iy * cols + ix + 1], v01 = grid[(iy + 1) * cols + ix], v11 = grid[(iy + 1) * cols + ix + 1];
      out[y * width + x] = (v00 * (1 - tx) + v10 * tx) * (1 - ty) + (v01 * (1 - tx) + v11 * tx) * ty;
    }
  }
  return out;
}

function makeShape(label: DemoFinding, side: number, width: number, height: number, rand: () => number): Shape {
  let a: number, b: number, angle: number, wobble = 0, lobes = 0, phase = 0, contrast: number;
  if (label === "nodule") {
    a = side * (0.03 + 0.04 * rand());
    b = a * (0.85 + 0.3 * rand());
    angle = rand() * Math.PI;
    contrast = 60 + 25 * rand();
  } else if (label === "mass") {
    a = side * (0.1 + 0.1 * rand());
    b = a * (0.75 + 0.25 * rand());
    angle = rand() * Math.PI;
    wobble = 0.08 + 0.08 * rand();
    lobes = 2 + Math.floor(rand() * 3);
    phase = rand() * Math.PI * 2;
    contrast = 38 + 18 * rand();
  } else {
    a = side * (0.09 + 0.11 * rand());
    b = side * (0.02 + 0.02 * rand());
    angle = rand() * Math.PI;
    contrast = 32 + 16 * rand();
  }
  const reach = 1 + wobble;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const ex = reach * Math.hypot(a * cos, b * sin);
  const ey = reach * Math.hypot(a * sin, b * cos);
  // the whole outline inside the image (one pixel of margin), anywhere in it
  const cx = ex + 1 + rand() * (width - 2 * ex - 2);
  const cy = ey + 1 + rand() * (height - 2 * ey - 2);
  return { label, cx, cy, a, b, angle, wobble, lobes, phase, contrast, ex, ey };
}

/** Overlap is fine as long as neither finding is mostly covered by the other. */
function acceptableOverlap(s: Shape, o: Shape): boolean {
  const iw = Math.min(s.cx + s.ex, o.cx + o.ex) - Math.max(s.cx - s.ex, o.cx - o.ex);
  const ih = Math.min(s.cy + s.ey, o.cy + o.ey) - Math.max(s.cy - s.ey, o.cy - o.ey);
  if (iw <= 0 || ih <= 0) return true;
  const inter = iw * ih, as = 4 * s.ex * s.ey, ao = 4 * o.ex * o.ey;
  return inter / (as + ao - inter) < 0.25 && inter < 0.5 * Math.min(as, ao);
}

/**
 * Add the shape's light and return the box of the pixels it changed. Every pixel inside the outline
 * gets at least a fifth of the shape's contrast (a visible edge), none outside gets any: the box is
 * the shape's extent as drawn, not as designed.
 */
function drawShape(s: Shape, width: number, height: number, addR: Float32Array, addG: Float32Array, addB: Float32Array): DemoBox | null {
  const [tr, tg, tb] = TINT[s.label];
  const cos = Math.cos(s.angle), sin = Math.sin(s.angle);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const xs = Math.max(0, Math.floor(s.cx - s.ex - 1)), xe = Math.min(width - 1, Math.ceil(s.cx + s.ex + 1));
  const ys = Math.max(0, Math.floor(s.cy - s.ey - 1)), ye = Math.min(height - 1, Math.ceil(s.cy + s.ey + 1));
  for (let y = ys; y <= ye; y++) {
    for (let x = xs; x <= xe; x++) {
      // pixel centre in the shape's own frame, normalised by the semi-axes
      const px = x + 0.5 - s.cx, py = y + 0.5 - s.cy;
      const u = (px * cos + py * sin) / s.a, v = (-px * sin + py * cos) / s.b;
      let d = Math.hypot(u, v);
      if (s.wobble) d /= 1 + s.wobble * Math.sin(s.lobes * Math.atan2(v, u) + s.phase);
      if (d >= 1) continue;
      let light: number;
      if (s.label === "nodule") {
        light = s.contrast * (0.85 + 0.15 * (1 - d * d)); // flat bright disc, slightly brighter core
      } else if (s.label === "mass") {
        const t = Math.min(1, (1 - d) / 0.6);
        const mottle = 0.94 + 0.06 * Math.sin(x * 0.55 + s.phase) * Math.sin(y * 0.45 - s.phase);
        light = s.contrast * (0.18 + 0.82 * t * t * (3 - 2 * t)) * mottle; // soft inside, faint rim
      } else {
        const t = Math.min(1, (1 - d) / 0.5);
        const streak = 0.85 + 0.15 * Math.cos(u * 5);
        light = s.contrast * (0.25 + 0.75 * t) * streak;
      }
      const i = y * width + x;
      addR[i] += light * tr;
      addG[i] += light * tg;
      addB[i] += light * tb;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < x0) return null;
  return { label: s.label, x0, y0, x1: x1 + 1, y1: y1 + 1 };
}
