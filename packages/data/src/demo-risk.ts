// The built-in risk demo: synthetic screening mammography exams of four views (L-CC, L-MLO, R-CC,
// R-MLO) with follow-up times and events whose true hazard is known.
//
// Each patient has a breast density (BI-RADS A-D: brighter, busier tissue in the images, and a
// metadata column), an age (a metadata column), and with probability LESION_SHARE a lesion-like blob in
// one breast, drawn in both views of that breast (laterality consistent, position independent per
// view). Small bright dots (calcification-like, harmless) appear anywhere. The log-hazard is
//   log(lambda0) + LESION * strength + AGE * (age - 57) / 10 + DENSITY * (density - 1.5)
// with strength in (0, 1] from the blob's size and brightness (0 without one). Event times are
// exponential with that hazard, lambda0 solved so that a quarter of patients would have an event within five
// years before censoring; censoring is uniform on 1..8 years (so no follow-up exceeds 8: administrative
// censoring at 8). A second exam (for SECOND_EXAM_SHARE of patients, 1-2 years later, if still event-free
// and followed then) shares the patient's hazard (exponential times are memoryless) and timeline. About
// 5% of exams lack one view. The true log-hazard goes to oracle.csv and the result, never to the
// manifest: a model must not read it. Deterministic from the seed; about 4,500 images of 64 px in a
// few seconds.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { writeFileAtomic } from "./atomic-write.ts";
import { mulberry32 } from "./seeded-random.ts";

export const DEMO_RISK_VIEWS = ["L-CC", "L-MLO", "R-CC", "R-MLO"] as const;
export type DemoRiskView = (typeof DEMO_RISK_VIEWS)[number];
export const DEMO_RISK_DENSITIES = ["A", "B", "C", "D"] as const;

/** Log-hazard coefficients of the demo (per unit of lesion strength, decade of age, density category). */
export const DEMO_RISK_HAZARD = { lesion: 2.2, agePerDecade: 0.35, density: 0.35 } as const;
const LESION_SHARE = 0.3;
const SECOND_EXAM_SHARE = 0.4;
const MISSING_VIEW_SHARE = 0.05;
/** Share of patients with an event within five years (before censoring) that lambda0 is solved for. */
const FIVE_YEAR_RISK = 0.25;
const DENSITY_SHARE = [0.1, 0.4, 0.4, 0.1];
const CENSOR_MIN = 1, CENSOR_MAX = 8;

export interface DemoRiskOptions {
  outDir: string;
  /** About 800 patients of one or two exams: about 1,100 exams, 4,500 images. */
  patients?: number;
  seed?: number;
  /** Image side in pixels. */
  size?: number;
}

export interface DemoRiskCase {
  exam: string;
  patient: string;
  /** Follow-up in years as written to the manifest. */
  time: number;
  event: 0 | 1;
  /** The true log-hazard (per year). */
  logHazard: number;
  views: DemoRiskView[];
}

export interface DemoRiskResult {
  manifest: string;
  /** exam_id,log_hazard: the truth, beside the manifest and not in it. */
  oracleFile: string;
  imagesDir: string;
  /** The true log-hazard per exam id (what the import stores as survival.oracle). */
  oracle: Record<string, number>;
  cases: DemoRiskCase[];
  patients: number;
  exams: number;
  images: number;
  events: number;
  censored: number;
  examsMissingView: number;
  /** The baseline hazard per year that the five-year risk was solved for. */
  lambda0: number;
}

interface Lesion {
  side: "L" | "R";
  /** Radius as a fraction of the image side, and brightness added at its centre. */
  radius: number;
  contrast: number;
}

/** 0 without a lesion; else in (0, 1], growing with the blob's size and brightness. */
export const lesionStrength = (l: Lesion | null) => (l ? (l.radius / 0.14) * (l.contrast / 110) : 0);

/** P(T <= 5) for T ~ Exp(rate): the five-year risk before censoring. */
const fiveYearRisk = (rate: number) => 1 - Math.exp(-5 * rate);

export async function generateDemoRiskDataset(opts: DemoRiskOptions): Promise<DemoRiskResult> {
  const { outDir, patients = 800, seed = 23, size = 64 } = opts;
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const imagesDir = join(outDir, "images");
  mkdirSync(imagesDir, { recursive: true });

  // 1. patients: age, density, lesion, breast size; their relative log-hazards
  const people = Array.from({ length: patients }, (_, p) => {
    const age = Math.max(40, Math.min(85, 57 + 9 * gauss()));
    let u = rand(), density = 0;
    while (density < 3 && (u -= DENSITY_SHARE[density]) >= 0) density++;
    const lesion: Lesion | null = rand() < LESION_SHARE ? { side: rand() < 0.5 ? "L" : "R", radius: 0.06 + 0.08 * rand(), contrast: 50 + 60 * rand() } : null;
    const eta = DEMO_RISK_HAZARD.lesion * lesionStrength(lesion) + DEMO_RISK_HAZARD.agePerDecade * ((age - 57) / 10) + DEMO_RISK_HAZARD.density * (density - 1.5);
    return { id: `P${String(p).padStart(4, "0")}`, age, density, lesion, eta, scale: 0.85 + 0.15 * rand(), ageMissing: rand() < 0.03 };
  });
  // 2. lambda0: the mean five-year risk over patients is FIVE_YEAR_RISK (bisection on log lambda0)
  let lo = -12, hi = 3;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    const mean = people.reduce((s, q) => s + fiveYearRisk(Math.exp(mid + q.eta)), 0) / Math.max(1, people.length);
    if (mean < FIVE_YEAR_RISK) lo = mid;
    else hi = mid;
  }
  const logLambda0 = (lo + hi) / 2;

  const manifestLines = ["image_id,patient_id,exam_id,view,age,density,followup_years,event"];
  const oracleLines = ["exam_id,log_hazard"];
  const oracle: Record<string, number> = {};
  const cases: DemoRiskCase[] = [];
  let images = 0, events = 0, examsMissingView = 0;
  const pending = new Set<Promise<unknown>>();
  const write = async (pixels: Buffer, file: string) => {
    const w = sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 3 }).toFile(join(imagesDir, file));
    pending.add(w);
    w.finally(() => pending.delete(w)).catch(() => {});
    if (pending.size >= 8) await Promise.race(pending);
  };
  // 3. timelines and exams; all randomness drawn here in order (PNG writes finish in any order)
  for (const q of people) {
    const logHazard = logLambda0 + q.eta;
    const t = -Math.log(1 - rand()) / Math.exp(logHazard);
    const c = CENSOR_MIN + (CENSOR_MAX - CENSOR_MIN) * rand();
    const end = Math.min(t, c);
    const event: 0 | 1 = t <= c ? 1 : 0;
    const gap = rand() < SECOND_EXAM_SHARE ? 1 + rand() : null;
    const exams = [{ at: 0, n: 1 }, ...(gap !== null && end > gap + 0.01 ? [{ at: gap, n: 2 }] : [])];
    for (const exam of exams) {
      const id = `${q.id}_e${exam.n}`;
      const time = Math.max(0.001, Math.round((end - exam.at) * 1000) / 1000);
      const missing = rand() < MISSING_VIEW_SHARE ? Math.floor(rand() * DEMO_RISK_VIEWS.length) : -1;
      const views: DemoRiskView[] = [];
      const age = q.ageMissing ? "" : String(Math.round(q.age + exam.at));
      for (let v = 0; v < DEMO_RISK_VIEWS.length; v++) {
        const view = DEMO_RISK_VIEWS[v];
        const imageSeed = Math.floor(rand() * 2 ** 32);
        if (v === missing) continue;
        const lesion = q.lesion && view.startsWith(q.lesion.side) ? q.lesion : null;
        const file = `${id}_${view}.png`;
        await write(renderRiskView(size, view, { density: q.density, scale: q.scale, lesion }, imageSeed), file);
        manifestLines.push([file, q.id, id, view, age, DEMO_RISK_DENSITIES[q.density], time.toFixed(3), event].join(","));
        views.push(view);
        images++;
      }
      if (missing >= 0) examsMissingView++;
      oracle[id] = logHazard;
      oracleLines.push(`${id},${logHazard}`);
      cases.push({ exam: id, patient: q.id, time, event, logHazard, views });
      events += event;
    }
  }
  await Promise.all(pending);
  const manifest = join(outDir, "manifest.csv");
  const oracleFile = join(outDir, "oracle.csv");
  writeFileAtomic(manifest, manifestLines.join("\n") + "\n");
  writeFileAtomic(oracleFile, oracleLines.join("\n") + "\n");
  return {
    manifest, oracleFile, imagesDir, oracle, cases, patients, exams: cases.length, images, events, censored: cases.length - events, examsMissingView,
    lambda0: Math.exp(logLambda0),
  };
}

/**
 * One view as RGB pixels: a breast against a dark background, its chest wall at the right edge for the
 * left breast and at the left edge for the right one; MLO views are taller and carry the pectoral
 * muscle in the upper corner at the chest wall. Denser breasts are brighter and more textured.
 */
export function renderRiskView(size: number, view: DemoRiskView, p: { density: number; scale: number; lesion: Lesion | null }, seed: number): Buffer {
  const rand = mulberry32(seed);
  const noiseRand = mulberry32(seed ^ 0x27d4eb2f);
  const gauss = () => Math.sqrt(-2 * Math.log(noiseRand() + 1e-12)) * Math.cos(2 * Math.PI * noiseRand());
  const left = view.startsWith("L");
  const mlo = view.endsWith("MLO");
  const a = (mlo ? 0.72 : 0.8) * p.scale, b = (mlo ? 0.5 : 0.44) * p.scale, v0 = mlo ? 0.55 : 0.5;
  const coarse = valueNoise(size, Math.max(4, size / 8), rand);
  const fine = valueNoise(size, Math.max(2, size / 24), rand);
  const n = size * size;
  const grey = new Float32Array(n);
  // where (in u: distance from the chest wall, v: down) a point of the breast is, r < 1 inside
  const radius = (u: number, v: number) => Math.hypot(u / a, (v - v0) / b);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const u = (left ? size - 1 - x + 0.5 : x + 0.5) / size, v = (y + 0.5) / size;
      const r = radius(u, v);
      const i = y * size + x;
      if (r >= 1) {
        grey[i] = 10;
        continue;
      }
      const skin = Math.min(1, (1 - r) * 7);
      let g = 62 + 22 * p.density + (12 + 8 * p.density) * coarse[i] + 6 * fine[i];
      if (mlo && u < 0.3 * (1 - v / 0.65)) g += 45; // pectoral muscle
      grey[i] = 10 + (g - 10) * skin;
    }
  // harmless calcification-like dots, 0-2 per view
  const dots = Math.floor(rand() * 3);
  for (let k = 0; k < dots; k++) {
    const [cx, cy] = pointInside(rand, a, b, v0, 0.8);
    addBlob(grey, size, toPixelX(cx, left, size), cy * size, Math.max(0.8, 0.013 * size), 55);
  }
  if (p.lesion) {
    const [cx, cy] = pointInside(rand, a, b, v0, 0.65);
    addBlob(grey, size, toPixelX(cx, left, size), cy * size, p.lesion.radius * size, p.lesion.contrast);
  }
  const px = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) {
    const g = grey[i] + 3 * gauss();
    const byte = g <= 0 ? 0 : g >= 255 ? 255 : Math.round(g);
    px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = byte;
  }
  return px;
}

const toPixelX = (u: number, left: boolean, size: number) => (left ? size - u * size : u * size);

/** A point (u, v) well inside the breast outline (radius below `within`), away from the chest wall. */
function pointInside(rand: () => number, a: number, b: number, v0: number, within: number): [number, number] {
  for (;;) {
    const u = rand() * a, v = v0 + (2 * rand() - 1) * b;
    if (u > 0.12 && Math.hypot(u / a, (v - v0) / b) < within) return [u, v];
  }
}

/** A round blob: brightest at its centre, fading to its edge. */
function addBlob(grey: Float32Array, size: number, cx: number, cy: number, r: number, contrast: number): void {
  const x0 = Math.max(0, Math.floor(cx - r - 1)), x1 = Math.min(size - 1, Math.ceil(cx + r + 1));
  const y0 = Math.max(0, Math.floor(cy - r - 1)), y1 = Math.min(size - 1, Math.ceil(cy + r + 1));
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / r;
      if (d < 1) grey[y * size + x] += contrast * Math.pow(1 - d * d, 0.6);
    }
}

/** Smooth noise in [-1, 1] on a square: random values on a grid of `cell` pixels, smoothstep-interpolated. */
function valueNoise(size: number, cell: number, rand: () => number): Float32Array {
  const cols = Math.ceil(size / cell) + 2;
  const grid = new Float32Array(cols * cols).map(() => rand() * 2 - 1);
  const out = new Float32Array(size * size);
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < size; y++) {
    const fy = y / cell, iy = Math.floor(fy), ty = smooth(fy - iy);
    for (let x = 0; x < size; x++) {
      const fx = x / cell, ix = Math.floor(fx), tx = smooth(fx - ix);
      const v00 = grid[iy * cols + ix], v10 = grid[iy * cols + ix + 1], v01 = grid[(iy + 1) * cols + ix], v11 = grid[(iy + 1) * cols + ix + 1];
      out[y * size + x] = (v00 * (1 - tx) + v10 * tx) * (1 - ty) + (v01 * (1 - tx) + v11 * tx) * ty;
    }
  }
  return out;
}
