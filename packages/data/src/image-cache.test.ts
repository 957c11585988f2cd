// Image edge cases generated with sharp: corrupt and truncated JPEG, CMYK JPEG, 16-bit PNG, grey + alpha,
// EXIF rotation, a missing file; crop vs pad; resume after an interruption; refresh of changed files;
// header reading and the decode plan (exact shrink-on-load); decoder processes, their interruption and death.
import { readFileSync, readdirSync, mkdtempSync, rmSync, statSync, writeFileSync, utimesSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildImageCache, readCacheIndex, staleCacheRows, CACHE_FILE } from "./image-cache.ts";
import { decodePlan, decodeToSquare, sharpJpegShrink } from "./image-decode.ts";
import { readImageHeader, type ImageHeader } from "./image-header.ts";
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

/** A JPEG's header segments only (SOI, optional APP1 EXIF, SOF0, SOS): enough for readImageHeader. */
function jpegHeader(width: number, height: number, tiff?: Buffer): Buffer {
  const seg = (marker: number, body: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255]), body]);
  const sof = Buffer.from([8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  const app1 = tiff ? [seg(0xe1, Buffer.concat([Buffer.from("Exif\0\0", "binary"), tiff]))] : [];
  return Buffer.concat([Buffer.from([0xff, 0xd8]), ...app1, seg(0xc0, sof), Buffer.from([0xff, 0xda, 0, 2])]);
}

/** A TIFF block with one IFD0 entry, the orientation tag, in either byte order. */
function exifOrientationBlock(orientation: number, little: boolean): Buffer {
  const b = Buffer.alloc(8 + 2 + 12 + 4);
  b.write(little ? "II" : "MM", 0, "binary");
  const u16 = (v: number, at: number) => (little ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (little ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  u16(42, 2);
  u32(8, 4);
  u16(1, 8);
  u16(0x0112, 10); // orientation, SHORT, count 1, value
  u16(3, 12);
  u32(1, 14);
  u16(orientation, 18);
  return b;
}

describe("readImageHeader", () => {
  it("reads a JPEG's size and EXIF orientation, as sharp writes them", async () => {
    expect(readImageHeader(readFileSync(join(images, "ok.jpg")))).toEqual({ format: "jpeg", width: 40, height: 30, orientation: 1 });
    expect(readImageHeader(readFileSync(join(images, "rotated.jpg")))).toEqual({ format: "jpeg", width: 20, height: 40, orientation: 6 });
    const progressive = await solid(70, 50, [1, 2, 3]).jpeg({ progressive: true }).toBuffer();
    expect(readImageHeader(progressive)).toEqual({ format: "jpeg", width: 70, height: 50, orientation: 1 });
  });

  it("reads the orientation tag in both byte orders; an unreadable EXIF block gives 0 (sharp decides)", () => {
    expect(readImageHeader(jpegHeader(600, 450, exifOrientationBlock(8, true)))?.orientation).toBe(8);
    expect(readImageHeader(jpegHeader(600, 450, exifOrientationBlock(3, false)))?.orientation).toBe(3);
    expect(readImageHeader(jpegHeader(600, 450, exifOrientationBlock(9, true)))?.orientation).toBe(0);
    expect(readImageHeader(jpegHeader(600, 450, Buffer.from("XX garbage")))?.orientation).toBe(0);
    expect(readImageHeader(jpegHeader(600, 450))).toEqual({ format: "jpeg", width: 600, height: 450, orientation: 1 });
  });

  it("reads a PNG's size; anything else, or a header cut short, is null", () => {
    expect(readImageHeader(readFileSync(join(images, "wide.png")))).toEqual({ format: "png", width: 40, height: 20, orientation: 0 });
    expect(readImageHeader(readFileSync(join(images, "corrupt.jpg")))).toMatchObject({ width: 64, height: 64 });
    expect(readImageHeader(jpegHeader(600, 450).subarray(0, 9))).toBeNull(); // SOF cut before its sides
    expect(readImageHeader(Buffer.from("GIF89a........"))).toBeNull();
    expect(readImageHeader(Buffer.alloc(0))).toBeNull();
  });
});

describe("decodePlan", () => {
  const jpeg = (width: number, height: number, orientation = 1): ImageHeader => ({ format: "jpeg", width, height, orientation });

  it("follows sharp's choice of JPEG shrink-on-load factor", () => {
    expect(sharpJpegShrink(768 / 64, true)).toBe(8);
    expect(sharpJpegShrink(768 / 64, false)).toBe(4);
    expect(sharpJpegShrink(450 / 64, true)).toBe(4);
    expect(sharpJpegShrink(450 / 64, false)).toBe(2);
    expect(sharpJpegShrink(768 / 224, true)).toBe(2);
    expect(sharpJpegShrink(450 / 224, true)).toBe(1); // 2.01: halved by the rounding guard
    expect(sharpJpegShrink(150 / 64, true)).toBe(1);
  });

  it("uses shrink-on-load only where the factor divides both sides, else decodes at full resolution", () => {
    expect(decodePlan(jpeg(1024, 768), 64, "crop")).toEqual({ autoOrient: false, kernel: "lanczos3", fastShrinkOnLoad: true });
    expect(decodePlan(jpeg(600, 450), 64, "crop")).toEqual({ autoOrient: false, kernel: "lanczos3", fastShrinkOnLoad: false }); // 1/2, not 1/4
    expect(decodePlan(jpeg(1000, 750), 64, "crop")).toEqual({ autoOrient: false, kernel: "lanczos3", fastShrinkOnLoad: true, extract: { left: 0, top: 0, width: 1000, height: 750 } });
    // sharp orients before a pre-resize extract: the extract takes the displayed sides
    expect(decodePlan(jpeg(1000, 750, 6), 64, "crop").extract).toEqual({ left: 0, top: 0, width: 750, height: 1000 });
    expect(decodePlan(jpeg(1000, 750, 0), 64, "crop")).toEqual({ autoOrient: true, kernel: "lanczos3", fastShrinkOnLoad: false });
    expect(decodePlan(jpeg(1000, 750), 64, "pad").extract).toBeDefined(); // pad: the longer side sets the shrink
  });

  it("upscales bilinearly, orients only when EXIF says so, and leaves unknown formats to sharp's defaults", () => {
    expect(decodePlan(jpeg(200, 150), 224, "crop")).toEqual({ autoOrient: false, kernel: "linear", fastShrinkOnLoad: false });
    expect(decodePlan(jpeg(200, 150, 3), 64, "crop").autoOrient).toBe(true);
    expect(decodePlan({ format: "png", width: 1000, height: 750, orientation: 0 }, 64, "crop")).toEqual({ autoOrient: true, kernel: "lanczos3", fastShrinkOnLoad: true });
    expect(decodePlan(null, 64, "crop")).toEqual({ autoOrient: true, kernel: "lanczos3", fastShrinkOnLoad: false });
  });
});

describe("decodeToSquare", () => {
  const mad = (a: Buffer, b: Buffer) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
  /** Smooth colour blobs ~10 px across: detail near the 64 px output's resolution. */
  const texture = (w: number, h: number) => {
    const px = Buffer.from(Array.from({ length: 60 * 45 * 3 }, (_, i) => (i * 7919 + ((i * i) % 251)) % 256));
    return sharp(px, { raw: { width: 60, height: 45, channels: 3 } }).resize(w, h, { kernel: "cubic" }).jpeg({ quality: 95 });
  };

  it("matches a full-resolution decode where libjpeg's scaled sizes would not be exact (600x450, 1000x750)", async () => {
    for (const [w, h, orientation] of [[600, 450, 1], [1000, 750, 1], [1000, 750, 6], [1024, 768, 1]]) {
      const jpg = await texture(w, h).withMetadata({ orientation }).toBuffer();
      const { data, info } = await sharp(jpg).autoOrient().raw().toBuffer({ resolveWithObject: true });
      const full = await sharp(data, { raw: info }).resize(64, 64, { fit: "cover" }).raw().toBuffer();
      const sharpDefault = await sharp(jpg).autoOrient().resize(64, 64, { fit: "cover" }).raw().toBuffer();
      const ours = await decodeToSquare(jpg, 64);
      expect(mad(ours, full), `${w}x${h}, orientation ${orientation}`).toBeLessThan(3);
      if (w !== 1024) expect(mad(sharpDefault, full), `${w}x${h}: the case this guards`).toBeGreaterThan(10);
    }
  });

  it("upscales with bilinear interpolation", async () => {
    const small = await sharp(Buffer.from(Array.from({ length: 30 * 20 * 3 }, (_, i) => (i * 37) % 256)), { raw: { width: 30, height: 20, channels: 3 } }).png().toBuffer();
    const ours = await decodeToSquare(small, 48);
    expect(ours.equals(await sharp(small).resize(48, 48, { fit: "cover", kernel: "linear" }).raw().toBuffer())).toBe(true);
    expect(ours.equals(await sharp(small).resize(48, 48, { fit: "cover" }).raw().toBuffer())).toBe(false);
  });
});

describe("buildImageCache with decoder processes", () => {
  it("gives the same cache as decoding in-process, unreadable and missing images included", async () => {
    const here = await buildImageCache({ imagesDir: images, imagePaths: FILES, size: S, outDir: join(dir, "here"), processes: 0 });
    const there = await buildImageCache({ imagesDir: images, imagePaths: FILES, size: S, outDir: join(dir, "there"), processes: 2 });
    expect(there.rows).toEqual(here.rows);
    // (messages may differ: libvips' error buffer is process-wide, so concurrent decodes here can lose theirs)
    expect(there.unreadable.map((u) => u.path)).toEqual(here.unreadable.map((u) => u.path));
    expect(readFileSync(join(dir, "there", CACHE_FILE)).equals(readFileSync(join(dir, "here", CACHE_FILE)))).toBe(true);
  });

  const linux = existsSync("/proc/self/stat"); // decoderProcesses() reads /proc

  it.skipIf(!linux)("stops its processes when interrupted, and the build resumes", async () => {
    const out = join(dir, "processes-resume");
    const paths = Array.from({ length: 600 }, (_, i) => (i % 2 ? "ok.jpg" : "wide.png"));
    const ac = new AbortController();
    const first = buildImageCache({ imagesDir: images, imagePaths: paths, size: S, outDir: out, processes: 1, signal: ac.signal, onProgress: () => ac.abort() });
    await expect(first).rejects.toThrow();
    expect(decoderProcesses()).toEqual([]);
    expect(readCacheIndex(out)).toBeNull();
    const pending = staleCacheRows({ imagesDir: images, imagePaths: paths, size: S, fit: "crop", outDir: out });
    expect(pending).toBeGreaterThan(0);
    expect(pending).toBeLessThan(paths.length);
    let total = 0;
    const index = await buildImageCache({ imagesDir: images, imagePaths: paths, size: S, outDir: out, processes: 1, onProgress: (_, t) => (total = t) });
    expect(total).toBe(pending);
    expect(index.rows.every((r, i) => r === i)).toBe(true);
  });

  it.skipIf(!linux)("ends with the error of a throwing progress callback, its processes stopped", async () => {
    const paths = Array.from({ length: 1200 }, (_, i) => (i % 2 ? "ok.jpg" : "wide.png"));
    const onProgress = (done: number) => {
      if (done >= 256) throw new Error("progress failed");
    };
    await expect(buildImageCache({ imagesDir: images, imagePaths: paths, size: S, outDir: join(dir, "processes-throw"), processes: 1, onProgress })).rejects.toThrow("progress failed");
    expect(decoderProcesses()).toEqual([]);
  });

  it.skipIf(!linux)("survives a decoder process that dies: the image it was on is reported, the rest are decoded", async () => {
    // ~5 ms per image (PNG: no shrink-on-load): the build lasts well past the decoder process's start
    await sharp({ create: { width: 900, height: 900, channels: 3, background: { r: 90, g: 140, b: 60 } } }).png({ compressionLevel: 1 }).toFile(join(images, "big.png"));
    const out = join(dir, "processes-crash");
    const paths = Array.from({ length: 960 }, () => "big.png");
    // killed once it has an image in hand: it notes each one's row in this file before decoding it
    const inHand = () => existsSync(join(out, "decoder-0.row")) && statSync(join(out, "decoder-0.row")).size === 4;
    let killed = 0;
    const index = await buildImageCache({
      imagesDir: images,
      imagePaths: paths,
      size: S,
      outDir: out,
      processes: 1,
      onProgress: (done) => {
        if (!killed && done < paths.length - 64 && inHand()) for (const pid of decoderProcesses()) (process.kill(pid, "SIGKILL"), killed++);
      },
    });
    expect(killed).toBe(1);
    expect(index.unreadable).toHaveLength(1);
    expect(index.unreadable[0].error).toMatch(/decoder process died.*SIGKILL/);
    const px = readFileSync(join(out, CACHE_FILE));
    const decoded = index.rows.filter((r) => r >= 0);
    expect(decoded).toHaveLength(paths.length - 1);
    for (const r of decoded) expect(pixel(px, r, 8, 8)).toEqual([90, 140, 60]); // each one written, none left black
  });
});

/** This process's decoder children (Linux: their /proc entries name this process as parent). */
function decoderProcesses(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("image-decode-process")) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
