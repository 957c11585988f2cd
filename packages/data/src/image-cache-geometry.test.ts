// The letterboxed ("pad") cache keeps each image's geometry, and the geometry is exact: a filled
// rectangle drawn in a source image lands in the cache where [scale_x, scale_y, pad_x, pad_y] say (to
// within a pixel of resampling blur), and maps back. Landscape, portrait, upscaled, odd sizes, JPEG
// with shrink-on-load and an EXIF quarter turn. A pad cache built before geometry was kept is rebuilt;
// a refreshed row gets its new geometry and the others keep theirs.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImageCache, CACHE_FILE, INDEX_FILE, readCacheIndex, staleCacheRows } from "./image-cache.ts";
import { letterboxGeometry } from "./image-decode.ts";

const dir = mkdtempSync(join(tmpdir(), "cache-geometry-test-"));
const images = join(dir, "images");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BG = 100, FG = 255;
/** A displayed w x h image, grey, with the rectangle [x0, x1) x [y0, y1) white. */
function drawn(w: number, h: number, [x0, y0, x1, y1]: number[]) {
  const px = Buffer.alloc(w * h * 3, BG);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) px.fill(FG, (y * w + x) * 3, (y * w + x) * 3 + 3);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } });
}

interface Case {
  file: string;
  /** Displayed size and the rectangle in displayed pixels. */
  w: number;
  h: number;
  rect: [number, number, number, number];
}
const CASES: Case[] = [
  { file: "wide.png", w: 300, h: 200, rect: [40, 30, 170, 120] },
  { file: "tall.png", w: 90, h: 160, rect: [10, 100, 60, 150] },
  { file: "small.png", w: 37, h: 23, rect: [5, 4, 30, 15] }, // upscaled to 64
  { file: "photo.jpg", w: 640, h: 480, rect: [100, 80, 420, 300] }, // JPEG shrink-on-load
  { file: "turned.jpg", w: 120, h: 200, rect: [20, 50, 90, 170] }, // stored 200 x 120, EXIF orientation 6
];
const S = 64;

beforeAll(async () => {
  mkdirSync(images, { recursive: true });
  for (const c of CASES) {
    const img = drawn(c.w, c.h, c.rect);
    const out = join(images, c.file);
    if (c.file === "turned.jpg") await sharp(await img.png().toBuffer()).rotate(-90).jpeg({ quality: 98 }).withMetadata({ orientation: 6 }).toFile(out);
    else if (c.file.endsWith(".jpg")) await img.jpeg({ quality: 98 }).toFile(out);
    else await img.png().toFile(out);
  }
});

const pixel = (px: Buffer, row: number, x: number, y: number) => px[(row * S * S + y * S + x) * 3];

/** The extent, in cache pixel edges, of the white run crossing (x, y) along each axis. */
function whiteExtent(px: Buffer, row: number, cx: number, cy: number) {
  const mid = (BG + FG) / 2;
  let x0 = cx, x1 = cx, y0 = cy, y1 = cy;
  while (x0 > 0 && pixel(px, row, x0 - 1, cy) > mid) x0--;
  while (x1 < S - 1 && pixel(px, row, x1 + 1, cy) > mid) x1++;
  while (y0 > 0 && pixel(px, row, cx, y0 - 1) > mid) y0--;
  while (y1 < S - 1 && pixel(px, row, cx, y1 + 1) > mid) y1++;
  return [x0, y0, x1 + 1, y1 + 1];
}

describe("letterbox geometry", () => {
  it("maps every drawn rectangle into the cache where the geometry says, and back", async () => {
    const out = join(dir, "pad");
    const index = await buildImageCache({ imagesDir: images, imagePaths: CASES.map((c) => c.file), size: S, fit: "pad", outDir: out, processes: 0 });
    expect(index.geometry).toHaveLength(CASES.length);
    const px = readFileSync(join(out, CACHE_FILE));
    CASES.forEach((c, row) => {
      const g = index.geometry![row];
      expect(g, c.file).toEqual(letterboxGeometry(c.w, c.h, S));
      const [sx, sy, padX, padY, w, h] = g;
      expect([w, h], c.file).toEqual([c.w, c.h]); // displayed size, the quarter turn included
      expect(Math.max(Math.round(w * sx), Math.round(h * sy))).toBe(S);
      // the padding is exactly where the geometry puts it: black outside, image inside
      const rw = Math.round(w * sx), rh = Math.round(h * sy);
      const midX = padX + (rw >> 1), midY = padY + (rh >> 1);
      if (padX > 0) expect([pixel(px, row, padX - 1, midY), pixel(px, row, padX, midY) > 50], c.file).toEqual([0, true]);
      if (padX + rw < S) expect([pixel(px, row, padX + rw, midY), pixel(px, row, padX + rw - 1, midY) > 50], c.file).toEqual([0, true]);
      if (padY > 0) expect([pixel(px, row, midX, padY - 1), pixel(px, row, midX, padY) > 50], c.file).toEqual([0, true]);
      if (padY + rh < S) expect([pixel(px, row, midX, padY + rh), pixel(px, row, midX, padY + rh - 1) > 50], c.file).toEqual([0, true]);
      // the rectangle: predicted edges against the white run measured through its centre
      const [x0, y0, x1, y1] = c.rect;
      const predicted = [x0 * sx + padX, y0 * sy + padY, x1 * sx + padX, y1 * sy + padY];
      const measured = whiteExtent(px, row, Math.floor((predicted[0] + predicted[2]) / 2), Math.floor((predicted[1] + predicted[3]) / 2));
      measured.forEach((m, k) => expect(Math.abs(m - predicted[k]), `${c.file} edge ${k}: measured ${measured}, predicted ${predicted}`).toBeLessThanOrEqual(1));
      // and back to source pixels, within a cache pixel's worth of source
      const back = [(measured[0] - padX) / sx, (measured[1] - padY) / sy, (measured[2] - padX) / sx, (measured[3] - padY) / sy];
      back.forEach((b, k) => expect(Math.abs(b - c.rect[k]), `${c.file} back ${k}`).toBeLessThanOrEqual(1 / (k % 2 ? sy : sx) + 1e-9));
    });
  });

  it("letterboxGeometry: longer side to the size, centred, rounded sides", () => {
    expect(letterboxGeometry(200, 150, 64)).toEqual([64 / 200, 48 / 150, 0, 8, 200, 150]);
    expect(letterboxGeometry(150, 200, 64)).toEqual([48 / 150, 64 / 200, 8, 0, 150, 200]);
    expect(letterboxGeometry(37, 23, 64)).toEqual([64 / 37, 40 / 23, 0, 12, 37, 23]); // 39.78 -> 40
    expect(letterboxGeometry(1000, 1, 64)).toEqual([64 / 1000, 1, 0, 31, 1000, 1]); // at least a pixel
  });
});

describe("geometry and the incremental build", () => {
  it("a pad cache from before geometry was kept is rebuilt, not used", async () => {
    const out = join(dir, "old-pad");
    const paths = CASES.map((c) => c.file);
    await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, fit: "pad", outDir: out, processes: 0 });
    // what such a cache looked like: no layout in its identity, no geometry in its index
    const build = JSON.parse(readFileSync(join(out, "build.json"), "utf8"));
    delete build.layout;
    writeFileSync(join(out, "build.json"), JSON.stringify(build));
    const index = JSON.parse(readFileSync(join(out, INDEX_FILE), "utf8"));
    delete index.geometry;
    writeFileSync(join(out, INDEX_FILE), JSON.stringify(index));
    rmSync(join(out, "geometry.f64"));
    expect(readCacheIndex(out)).toBeNull();
    expect(staleCacheRows({ imagesDir: images, imagePaths: paths, size: S, fit: "pad", outDir: out })).toBe(paths.length);
    let decoded = 0;
    const again = await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, fit: "pad", outDir: out, processes: 0, onProgress: (_, total) => (decoded = total) });
    expect(decoded).toBe(paths.length);
    expect(again.geometry![0]).toEqual(letterboxGeometry(300, 200, S));
  });

  it("a changed source is decoded again with its new geometry; the rest keep theirs; crop caches have none", async () => {
    const out = join(dir, "refresh");
    const paths = ["wide.png", "tall.png", "changing.png"];
    await drawn(50, 50, [0, 0, 10, 10]).png().toFile(join(images, "changing.png"));
    const first = await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, fit: "pad", outDir: out, processes: 0 });
    expect(first.geometry![2]).toEqual(letterboxGeometry(50, 50, S));
    await new Promise((r) => setTimeout(r, 20)); // another mtime
    await drawn(80, 20, [0, 0, 10, 10]).png().toFile(join(images, "changing.png"));
    let decoded = -1;
    const second = await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, fit: "pad", outDir: out, processes: 0, onProgress: (_, total) => (decoded = total) });
    expect(decoded).toBe(1);
    expect(second.geometry).toEqual([letterboxGeometry(300, 200, S), letterboxGeometry(90, 160, S), letterboxGeometry(80, 20, S)]);
    const crop = await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, fit: "crop", outDir: join(dir, "crop"), processes: 0 });
    expect(crop.geometry).toBeNull();
    expect(readCacheIndex(join(dir, "crop"))!.geometry).toBeNull();
  });

  it("decoder processes send the geometry back too; unreadable rows get zeros", async () => {
    writeFileSync(join(images, "broken.png"), "not a png");
    const paths = [...CASES.map((c) => c.file), "broken.png"];
    const index = await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, fit: "pad", outDir: join(dir, "procs"), processes: 1 });
    expect(index.geometry!.slice(0, CASES.length)).toEqual(CASES.map((c) => letterboxGeometry(c.w, c.h, S)));
    expect(index.geometry![CASES.length]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(index.rows.at(-1)).toBe(-1);
  });
});
