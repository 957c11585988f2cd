// The built-in demo dataset: synthetic dermoscopy-like images with a learnable visual signal per
// diagnosis, per-patient metadata that carries signal too, several images per patient and some
// multi-label cases. Small enough to train in about a minute on two CPU cores.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { mulberry32 } from "./seeded-random.ts";

export const DEMO_DIAGNOSES = ["melanoma", "nevus", "keratosis", "psoriasis", "dermatitis"] as const;
type Dx = (typeof DEMO_DIAGNOSES)[number];

/** How each diagnosis looks: lesion colour, radius, edge irregularity, texture, and its metadata bias. */
const LOOK: Record<Dx, { rgb: [number, number, number]; radius: number; ragged: number; stripes: number; ageMean: number; site: string[] }> = {
  melanoma: { rgb: [60, 30, 35], radius: 0.34, ragged: 0.35, stripes: 0, ageMean: 66, site: ["back", "trunk"] },
  nevus: { rgb: [130, 85, 55], radius: 0.22, ragged: 0.03, stripes: 0, ageMean: 34, site: ["back", "arm", "trunk"] },
  keratosis: { rgb: [165, 120, 80], radius: 0.3, ragged: 0.1, stripes: 6, ageMean: 70, site: ["face", "trunk"] },
  psoriasis: { rgb: [200, 80, 80], radius: 0.4, ragged: 0.2, stripes: 3, ageMean: 45, site: ["arm", "leg", "scalp"] },
  dermatitis: { rgb: [215, 120, 110], radius: 0.45, ragged: 0.25, stripes: 0, ageMean: 28, site: ["arm", "face", "leg"] },
};
const PREVALENCE: [Dx, number][] = [["nevus", 0.36], ["melanoma", 0.2], ["keratosis", 0.18], ["psoriasis", 0.14], ["dermatitis", 0.12]];

export interface DemoOptions {
  outDir: string;
  patients?: number;
  size?: number;
  seed?: number;
}

export async function generateDemoDataset(opts: DemoOptions): Promise<{ manifest: string; imagesDir: string; images: number }> {
  const { outDir, patients = 480, size = 64, seed = 7 } = opts;
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const drawDx = (): Dx => {
    let u = rand();
    for (const [dx, p] of PREVALENCE) if ((u -= p) < 0) return dx;
    return "nevus";
  };
  const imagesDir = join(outDir, "images");
  mkdirSync(imagesDir, { recursive: true });
  const lines = ["image_id,patient_id,diagnosis,age,sex,site"];
  let count = 0;
  for (let p = 0; p < patients; p++) {
    const patient = `P${String(p).padStart(4, "0")}`;
    const dx = drawDx();
    // about 1 in 8 patients carries a second diagnosis on the same images (multi-label)
    const extra = rand() < 0.12 ? pick(DEMO_DIAGNOSES.filter((d) => d !== dx)) : null;
    const look = LOOK[dx];
    const age = rand() < 0.05 ? "" : String(Math.max(1, Math.min(95, Math.round(look.ageMean + 12 * gauss()))));
    const sex = rand() < 0.04 ? "" : rand() < 0.5 ? "female" : "male";
    const site = rand() < 0.6 ? pick(look.site) : pick(["back", "arm", "leg", "face", "trunk", "scalp"]);
    const nImages = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < nImages; k++) {
      const id = `${patient}_${k}`;
      await sharp(renderLesion(size, dx, extra, rand, gauss), { raw: { width: size, height: size, channels: 3 } })
        .png({ compressionLevel: 3 })
        .toFile(join(imagesDir, `${id}.png`));
      lines.push([`${id}.png`, patient, extra ? `${dx}|${extra}` : dx, age, sex, site].join(","));
      count++;
    }
  }
  const manifest = join(outDir, "manifest.csv");
  writeFileSync(manifest, lines.join("\n") + "\n");
  return { manifest, imagesDir, images: count };
}

function renderLesion(size: number, dx: Dx, extra: Dx | null, rand: () => number, gauss: () => number): Buffer {
  const px = Buffer.alloc(size * size * 3);
  const skin = [205 + 30 * (rand() - 0.5), 160 + 30 * (rand() - 0.5), 135 + 30 * (rand() - 0.5)];
  const look = LOOK[dx];
  const cx = size * (0.5 + 0.12 * (rand() - 0.5));
  const cy = size * (0.5 + 0.12 * (rand() - 0.5));
  const r0 = size * look.radius * (0.85 + 0.3 * rand());
  const phase = rand() * Math.PI * 2;
  const lobes = 3 + Math.floor(rand() * 4);
  const second = extra ? LOOK[extra] : null;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dxp = x - cx, dyp = y - cy;
      const angle = Math.atan2(dyp, dxp);
      const r = r0 * (1 + look.ragged * Math.sin(lobes * angle + phase));
      const d = Math.hypot(dxp, dyp) / r;
      let c = skin.slice();
      if (d < 1) {
        const edge = Math.min(1, (1 - d) * 4);
        const stripe = look.stripes ? 0.75 + 0.25 * Math.sin((x + y) * look.stripes * 0.2) : 1;
        c = c.map((s, i) => s * (1 - edge) + look.rgb[i] * stripe * edge);
      }
      if (second && Math.hypot(x - size * 0.78, y - size * 0.22) < size * 0.12) c = second.rgb.slice();
      const o = (y * size + x) * 3;
      for (let i = 0; i < 3; i++) px[o + i] = Math.max(0, Math.min(255, Math.round(c[i] + 10 * gauss())));
    }
  }
  return px;
}
