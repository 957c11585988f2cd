// Image edge cases generated with sharp: corrupt and truncated JPEG, CMYK JPEG, 16-bit PNG, grey + alpha,
// EXIF rotation, a missing file; crop vs pad; resume after an interruption; refresh of changed files.
import { readFileSync, mkdtempSync, rmSync, writeFileSync, utimesSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImageCache, readCacheIndex, staleCacheRows, CACHE_FILE } from "./image-cache.ts";
import { checkImages } from "./image-check.ts";

const dir = mkdtempSync(join(tmpdir(), "image-cache-test-"));
const images = join(dir, "images");
const S = 16;
const solid = (w: number, h: number, rgb: [number, number, number]) => sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
/** Left half red, right half blue. */
const halves = (w: number, h: number) => {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set(x < w / 2 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } });
};
const FILES = ["ok.jpg", "corrupt.jpg", "truncated.jpg", "cmyk.jpg", "deep.png", "grey-alpha.png", "rotated.jpg", "wide.png", "missing.jpg"];

beforeAll(async () => {
  const { mkdirSync } = await import("node:fs");
  mkdirSync(images);
  await solid(40, 30, [10, 200, 30]).jpeg().toFile(join(images, "ok.jpg"));
  const jpg = await solid(64, 64, [120, 120, 120]).jpeg().toBuffer();
  writeFileSync(join(images, "corrupt.jpg"), Buffer.concat([jpg.subarray(0, 150), Buffer.alloc(400, 7)]));
  const noisy = await sharp(Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 37) % 256)), { raw: { width: 64, height: 64, channels: 3 } }).jpeg().toBuffer();
  writeFileSync(join(images, "truncated.jpg"), noisy.subarray(0, noisy.length >> 1));
  await solid(32, 32, [200, 30, 30]).toColourspace("cmyk").jpeg().toFile(join(images, "cmyk.jpg"));
  await solid(32, 32, [30, 30, 200]).toColourspace("rgb16").png().toFile(join(images, "deep.png"));
  await solid(32, 32, [128, 128, 128]).greyscale().ensureAlpha().png().toFile(join(images, "grey-alpha.png"));
  // stored 20 wide x 40 tall with red at the bottom; EXIF orientation 6 (turn 90 clockwise to view):
  // viewed, 40 x 20 with red on the left. Ignoring the tag would give red at the bottom.
  await halves(40, 20).rotate(-90).jpeg().withMetadata({ orientation: 6 }).toFile(join(images, "rotated.jpg"));
  await halves(40, 20).png().toFile(join(images, "wide.png"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pixel = (buf: Buffer, row: number, x: number, y: number) => Array.from(buf.subarray((row * S * S + y * S + x) * 3, (row * S * S + y * S + x) * 3 + 3));

describe("image check at import", () => {
  it("lists missing and unreadable images", async () => {
    const r = await checkImages(images, FILES);
    expect(r.missingRows).toEqual([8]);
    expect(r.unreadableRows.map((u) => FILES[u.row])).toEqual(["corrupt.jpg", "truncated.jpg"]);
  });
});

describe("buildImageCache", () => {
  it("decodes every readable kind to RGB, excludes the unreadable, honours EXIF rotation", async () => {
    const out = join(dir, "crop");
    const index = await buildImageCache({ imagesDir: images, imagePaths: FILES, size: S, outDir: out });
    expect(index.rows).toEqual([0, -1, -1, 3, 4, 5, 6, 7, -1]);
    expect(index.unreadable.map((u) => u.path)).toEqual(["corrupt.jpg", "truncated.jpg", "missing.jpg"]);
    expect(index.unreadable[0].error).toMatch(/corrupt|Huffman|JPEG/i);
    const px = readFileSync(join(out, CACHE_FILE));
    expect(px.length).toBe(FILES.length * S * S * 3);
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) < 40);
    expect(near(pixel(px, 0, 8, 8), [10, 200, 30])).toBe(true);
    expect(near(pixel(px, 3, 8, 8), [200, 30, 30])).toBe(true); // CMYK back to sRGB
    expect(near(pixel(px, 4, 8, 8), [30, 30, 200])).toBe(true); // 16-bit to 8-bit
    expect(near(pixel(px, 5, 8, 8), [128, 128, 128])).toBe(true); // grey + alpha to RGB
    expect(near(pixel(px, 6, 1, 8), [255, 0, 0])).toBe(true); // rotated: red on the left
    expect(near(pixel(px, 6, 14, 8), [0, 0, 255])).toBe(true);
    expect(near(pixel(px, 6, 1, 1), pixel(px, 6, 1, 14))).toBe(true); // not red-at-the-bottom
    expect(pixel(px, 1, 8, 8)).toEqual([0, 0, 0]); // unreadable rows stay black
  });

  it("pads instead of cropping when asked: the whole wide image, black bars above and below", async () => {
    const out = join(dir, "pad");
    await buildImageCache({ imagesDir: images, imagePaths: ["wide.png"], size: S, fit: "pad", outDir: out });
    const px = readFileSync(join(out, CACHE_FILE));
    expect(pixel(px, 0, 8, 0)).toEqual([0, 0, 0]);
    expect(pixel(px, 0, 0, 8)[0]).toBeGreaterThan(200); // red reaches the left edge (nothing cropped)
    expect(pixel(px, 0, 15, 8)[2]).toBeGreaterThan(200);
    const crop = await buildImageCache({ imagesDir: images, imagePaths: ["wide.png"], size: S, fit: "crop", outDir: join(dir, "crop-wide") });
    expect(crop.fit).toBe("crop");
  });

  it("resumes an interrupted build and refreshes only the images whose files changed", async () => {
    const out = join(dir, "resume");
    const paths = Array.from({ length: 40 }, () => "ok.jpg").map((p, i) => (i % 2 ? p : "wide.png"));
    let decoded = 0;
    // interrupted right after it starts
    const ac = new AbortController();
    const first = buildImageCache({ imagesDir: images, imagePaths: paths, size: S, outDir: out, concurrency: 1, signal: ac.signal, onProgress: (done) => { decoded = done; } });
    setTimeout(() => ac.abort(), 0);
    await first.catch(() => {});
    expect(readCacheIndex(out)).toBeNull(); // no index until complete
    const pending = staleCacheRows({ imagesDir: images, imagePaths: paths, size: S, fit: "crop", outDir: out });
    expect(pending).toBeGreaterThan(0);
    let total = 0;
    await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, outDir: out, onProgress: (_, t) => (total = t) });
    expect(total).toBe(pending); // only what was left
    expect(staleCacheRows({ imagesDir: images, imagePaths: paths, size: S, fit: "crop", outDir: out })).toBe(0);
    // touch one source: the 20 rows that use it are decoded again, the rest kept
    const later = new Date(Date.now() + 5000);
    utimesSync(join(images, "ok.jpg"), later, later);
    expect(staleCacheRows({ imagesDir: images, imagePaths: paths, size: S, fit: "crop", outDir: out })).toBe(20);
    await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, outDir: out, onProgress: (_, t) => (total = t) });
    expect(total).toBe(20);
    expect(existsSync(join(out, "index.json"))).toBe(true);
    expect(decoded).toBeLessThan(paths.length);
  });
});
