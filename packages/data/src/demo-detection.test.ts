import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DETECTION_CLASSES, DEMO_DETECTION_SHAPES, generateDemoDetectionDataset, renderDetectionImage, type DemoDetectionResult } from "./demo-detection.ts";

const readCsv = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => l.split(","));

/** Bounding box (edges) of the pixels where two renders differ; null when identical. */
function changedExtent(a: Buffer, b: Buffer, width: number, height: number) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (a[o] !== b[o] || a[o + 1] !== b[o + 1] || a[o + 2] !== b[o + 2]) {
        x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + 1); y1 = Math.max(y1, y + 1);
      }
    }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

describe("renderDetectionImage", () => {
  it("gives each finding the exact box of the pixels it changed", () => {
    let seen = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const [w, h] = DEMO_DETECTION_SHAPES[seed % 2];
      const plain = renderDetectionImage(w, h, 0, seed);
      expect(plain.boxes).toEqual([]);
      const one = renderDetectionImage(w, h, 1, seed);
      expect(one.boxes).toHaveLength(1);
      const { label, ...box } = one.boxes[0];
      expect(DEMO_DETECTION_CLASSES).toContain(label);
      // same seed, same background and noise: the difference is the finding alone
      expect(changedExtent(plain.pixels, one.pixels, w, h)).toEqual(box);
      seen++;
    }
    expect(seen).toBe(60);
  });

  it("keeps every finding of a busy image inside the image and every changed pixel inside a box", () => {
    for (let seed = 100; seed < 140; seed++) {
      const [w, h] = DEMO_DETECTION_SHAPES[seed % 2];
      const plain = renderDetectionImage(w, h, 0, seed);
      const busy = renderDetectionImage(w, h, 4, seed);
      expect(busy.boxes.length).toBeGreaterThanOrEqual(2);
      for (const b of busy.boxes) {
        expect(b.x0).toBeGreaterThanOrEqual(0);
        expect(b.y0).toBeGreaterThanOrEqual(0);
        expect(b.x1).toBeLessThanOrEqual(w);
        expect(b.y1).toBeLessThanOrEqual(h);
        expect(b.x1 - b.x0).toBeGreaterThanOrEqual(4);
        expect(b.y1 - b.y0).toBeGreaterThanOrEqual(4);
      }
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const o = (y * w + x) * 3;
          if (plain.pixels[o + 1] === busy.pixels[o + 1]) continue;
          const inside = busy.boxes.some((b) => x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1);
          if (!inside) throw new Error(`seed ${seed}: pixel (${x}, ${y}) changed outside every box`);
        }
    }
  });
});

describe("generateDemoDetectionDataset", () => {
  let dir: string;
  let full: DemoDetectionResult;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "demo-detection-"));
    full = await generateDemoDetectionDataset({ outDir: join(dir, "full") });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a manifest and a boxes CSV that agree with the images and the returned counts", async () => {
    const manifest = readCsv(full.manifest);
    expect(manifest[0]).toEqual(["image_id", "patient_id", "age", "sex"]);
    const rows = manifest.slice(1);
    expect(rows).toHaveLength(full.images);
    expect(full.images).toBeGreaterThanOrEqual(600);
    expect(full.images).toBeLessThanOrEqual(1000);
    expect(readdirSync(full.imagesDir).sort()).toEqual(rows.map((r) => r[0]).sort());

    const boxes = readCsv(full.boxes);
    expect(boxes[0]).toEqual(["image", "x_min", "y_min", "x_max", "y_max", "label"]);
    expect(boxes.length - 1).toBe(full.boxCount);
    const perClass: Record<string, number> = {};
    for (const [, , , , , label] of boxes.slice(1)) perClass[label] = (perClass[label] ?? 0) + 1;
    expect(perClass).toEqual(full.boxesPerClass);
    for (const c of DEMO_DETECTION_CLASSES) expect(full.boxesPerClass[c]).toBeGreaterThan(250);

    const withBoxes = new Set(boxes.slice(1).map((b) => b[0]));
    expect(rows.length - withBoxes.size).toBe(full.noFindings);
    expect(full.noFindings / full.images).toBeGreaterThan(0.15);
    expect(full.noFindings / full.images).toBeLessThan(0.25);

    // boxes in source pixels of each image, both orientations present
    const sizes = new Map<string, [number, number]>();
    for (const [id] of rows) {
      const m = await sharp(join(full.imagesDir, id)).metadata();
      sizes.set(id, [m.width!, m.height!]);
    }
    const shapes = new Set([...sizes.values()].map(([w, h]) => `${w}x${h}`));
    expect([...shapes].sort()).toEqual(DEMO_DETECTION_SHAPES.map(([w, h]) => `${w}x${h}`).sort());
    const relSize: number[] = [];
    for (const [id, ...rest] of boxes.slice(1)) {
      const [x0, y0, x1, y1] = rest.slice(0, 4).map(Number);
      const size = sizes.get(id);
      if (!size) throw new Error(`box row names ${id}, which is not in the manifest`);
      const [w, h] = size;
      expect(0 <= x0 && x0 < x1 && x1 <= w && 0 <= y0 && y0 < y1 && y1 <= h, `${id}: ${rest.join(",")} in ${w}x${h}`).toBe(true);
      relSize.push(Math.max(x1 - x0, y1 - y0) / Math.min(w, h));
    }
    // objects from small to large: about 6% to 40% of the image's short side
    expect(Math.min(...relSize)).toBeGreaterThan(0.04);
    expect(Math.min(...relSize)).toBeLessThan(0.08);
    expect(Math.max(...relSize)).toBeGreaterThan(0.35);
    expect(Math.max(...relSize)).toBeLessThan(0.5);
  });

  it("gives every patient 2-4 images with one age and sex", () => {
    const byPatient = new Map<string, Set<string>>();
    const counts = new Map<string, number>();
    for (const [, patient, age, sex] of readCsv(full.manifest).slice(1)) {
      counts.set(patient, (counts.get(patient) ?? 0) + 1);
      byPatient.set(patient, (byPatient.get(patient) ?? new Set()).add(`${age}/${sex}`));
    }
    expect(counts.size).toBe(full.patients);
    for (const [p, n] of counts) {
      expect(n, p).toBeGreaterThanOrEqual(2);
      expect(n, p).toBeLessThanOrEqual(4);
      expect(byPatient.get(p)!.size, p).toBe(1);
    }
    expect(new Set(counts.values()).size).toBe(3);
  });

  it("is deterministic from its seed", async () => {
    const digest = (d: DemoDetectionResult) => {
      const h = createHash("sha256").update(readFileSync(d.manifest)).update(readFileSync(d.boxes));
      for (const f of readdirSync(d.imagesDir).sort()) h.update(f).update(readFileSync(join(d.imagesDir, f)));
      return h.digest("hex");
    };
    const a = await generateDemoDetectionDataset({ outDir: join(dir, "a"), patients: 12, seed: 3 });
    const b = await generateDemoDetectionDataset({ outDir: join(dir, "b"), patients: 12, seed: 3 });
    const c = await generateDemoDetectionDataset({ outDir: join(dir, "c"), patients: 12, seed: 4 });
    expect(digest(a)).toBe(digest(b));
    expect(digest(a)).not.toBe(digest(c));
  });
});
