// Decoding one image into a cache row with sharp: the decode plan (kernel, shrink-on-load, orientation)
// chosen from the image's header, the decode itself, and the row write with the source's fingerprint.
import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync, writeSync } from "node:fs";
import sharp, { type Sharp } from "sharp";
import type { CacheFit } from "./dataset-table.ts";
import { firstLine } from "./image-check.ts";
import { displayedSize, readImageHeader, type ImageHeader } from "./image-header.ts";

/** How one image is decoded: sharp's resize and orientation options, chosen from its header. */
export interface DecodePlan {
  autoOrient: boolean;
  kernel: "linear" | "lanczos3";
  fastShrinkOnLoad: boolean;
  /** The whole image as a pre-resize extract: sharp then decodes at full resolution (no shrink-on-load). */
  extract?: { left: 0; top: 0; width: number; height: number };
}

/**
 * The JPEG shrink-on-load factor that sharp picks for a downscale by `shrink` (sharp's pipeline.cc,
 * 0.35): the largest of 8, 4, 2 that fits (twice over unless `fast`), halved when it equals the integer
 * part of the shrink (a libjpeg rounding guard).
 */
export function sharpJpegShrink(shrink: number, fast: boolean): number {
  const room = fast ? 1 : 2;
  let factor = shrink >= 8 * room ? 8 : shrink >= 4 * room ? 4 : shrink >= 2 * room ? 2 : 1;
  if (factor > 1 && Math.trunc(shrink) === factor) factor /= 2;
  return factor;
}

/**
 * Downscales use sharp's lanczos3, and JPEG shrink-on-load (libjpeg decoding at 1/2, 1/4 or 1/8 size:
 * most of the speed on large images) only where it is exact. libjpeg rounds a scaled size up (450 rows
 * at 1/4 give 113, not 112.5), so a factor that does not divide both sides scales the image by a
 * fraction of a percent too little: 600x450 to 64 then differs from a full-resolution decode by a mean
 * of 2.4 levels, three times what PIL's BILINEAR costs (bench/data/README.md). Without an exact factor
 * the image is decoded at full resolution. Upscales use bilinear interpolation, as PIL's BILINEAR does:
 * libvips' bicubic, its upscaler for every other kernel, costs ~50% more per thumbnail.
 */
export function decodePlan(header: ImageHeader | null, size: number, fit: CacheFit): DecodePlan {
  if (!header) return { autoOrient: true, kernel: "lanczos3", fastShrinkOnLoad: false };
  const { width, height, orientation } = header;
  const autoOrient = orientation !== 1;
  // pad resizes each axis to its own letterbox side (fit "fill"); sharp's shrink-on-load then takes the
  // smaller of the two axes' shrinks. The sides swap with a quarter turn, the smaller shrink does not.
  const box = letterboxSize(width, height, size);
  const shrink = fit === "crop" ? Math.min(width, height) / size : Math.min(width / box[0], height / box[1]);
  if (shrink < 1) return { autoOrient, kernel: "linear", fastShrinkOnLoad: false };
  const plan: DecodePlan = { autoOrient, kernel: "lanczos3", fastShrinkOnLoad: true };
  if (header.format !== "jpeg") return plan;
  const exact = (factor: number) => width % factor === 0 && height % factor === 0;
  if (exact(sharpJpegShrink(shrink, true))) return plan;
  if (exact(sharpJpegShrink(shrink, false))) return { ...plan, fastShrinkOnLoad: false };
  // a pre-resize extract turns shrink-on-load off; sharp orients first, so it takes the displayed sides,
  // unknown where the orientation could not be read: then sharp's less aggressive choice it is
  if (orientation === 0) return { ...plan, fastShrinkOnLoad: false };
  const turned = orientation >= 5;
  return { ...plan, extract: { left: 0, top: 0, width: turned ? height : width, height: turned ? width : height } };
}

/**
 * The letterboxed size of a w x h image in a size x size square: the longer side to `size`, the other
 * scaled alike and rounded (at least 1 pixel).
 */
export function letterboxSize(w: number, h: number, size: number): [number, number] {
  return w >= h ? [size, Math.max(1, Math.round((h * size) / w))] : [Math.max(1, Math.round((w * size) / h)), size];
}

/**
 * Where a displayed w x h image lies in its letterboxed square: [scale_x, scale_y, pad_x, pad_y, w, h],
 * cache_x = source_x * scale_x + pad_x (pixel edges; y alike). Exact for what decodeToSquare writes: it
 * resizes to exactly these sides and pads by exactly these offsets.
 */
export function letterboxGeometry(w: number, h: number, size: number): [number, number, number, number, number, number] {
  const [rw, rh] = letterboxSize(w, h, size);
  return [rw / w, rh / h, Math.floor((size - rw) / 2), Math.floor((size - rh) / 2), w, h];
}

export async function decodeToSquare(input: string | Buffer, size: number, fit: CacheFit = "crop"): Promise<Buffer> {
  return (await decodeSquare(input, size, fit)).pixels;
}

/**
 * Decodes to the cache's square; for "pad", also the letterbox geometry (null for "crop"). `limitInputPixels`
 * (sharp's): larger images are refused before they are decoded (uploads; sharp's default otherwise).
 */
export async function decodeSquare(input: string | Buffer, size: number, fit: CacheFit, opts: { limitInputPixels?: number } = {}): Promise<{ pixels: Buffer; geometry: number[] | null }> {
  // a buffer in hand costs ~10% less CPU per image than letting libvips open the file (bench/data/README.md)
  const bytes = typeof input === "string" ? readFileSync(input) : input;
  const header = readImageHeader(bytes);
  const plan = decodePlan(header, size, fit);
  let img = sharp(bytes, { failOn: "truncated", ...(opts.limitInputPixels ? { limitInputPixels: opts.limitInputPixels } : {}) });
  // EXIF orientation: sharp's autoOrient costs an extra libvips operation even where there is nothing to turn
  if (plan.autoOrient) img = img.autoOrient();
  if (plan.extract) img = img.extract(plan.extract);
  const how = { kernel: plan.kernel, fastShrinkOnLoad: plan.fastShrinkOnLoad };
  let geometry: number[] | null = null;
  let resized: Sharp;
  if (fit === "crop") resized = img.resize(size, size, { fit: "cover", position: "centre", ...how });
  else {
    // the sides and the padding computed here, not by fit "contain" (whose rounding is sharp's to choose),
    // so the geometry in the index is exactly what was written
    let shown = displayedSize(header, bytes);
    if (!shown) {
      const meta = await sharp(bytes, opts.limitInputPixels ? { limitInputPixels: opts.limitInputPixels } : {}).metadata();
      const { width, height } = meta.autoOrient ?? meta;
      if (!width || !height) throw new Error("cannot read the image's size");
      shown = [width, height];
    }
    geometry = letterboxGeometry(shown[0], shown[1], size);
    const [rw, rh] = letterboxSize(shown[0], shown[1], size);
    const [left, top] = [geometry[2], geometry[3]];
    resized = img
      .resize(rw, rh, { fit: "fill", ...how })
      .extend({ left, top, right: size - rw - left, bottom: size - rh - top, background: { r: 0, g: 0, b: 0, alpha: 1 } });
  }
  const out = await resized.removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer();
  if (out.length !== size * size * 3) throw new Error(`decoded to ${out.length} bytes, expected ${size * size * 3}`);
  return { pixels: out, geometry };
}

/** One decoded row: the source's fingerprint (null: no such file) and, if it would not decode, why. */
export interface DecodedRow {
  row: number;
  fingerprint: [number, number] | null;
  error?: string;
  /** Letterbox geometry ("pad" caches): [scale_x, scale_y, pad_x, pad_y, source_w, source_h]. */
  geometry?: number[];
}

/**
 * Decodes one source into its row of the cache file. The file is opened once: its fingerprint comes from
 * that open, so it describes the bytes that were decoded. Never throws: an unreadable image is reported.
 */
export async function decodeRow(cacheFd: number, file: string, row: number, size: number, fit: CacheFit): Promise<DecodedRow> {
  let bytes: Buffer;
  let fp: [number, number];
  try {
    const fd = openSync(file, "r");
    try {
      const s = fstatSync(fd);
      if (!s.isFile()) return { row, fingerprint: null };
      fp = [Math.floor(s.mtimeMs), s.size];
      const buf = Buffer.allocUnsafe(s.size);
      let got = 0;
      for (let n = 1; got < s.size && n > 0; got += n) n = readSync(fd, buf, got, s.size - got, got);
      bytes = buf.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const fpNow = fingerprint(file); // unreadable, or not there
    return fpNow ? { row, fingerprint: fpNow, error: firstLine(e) } : { row, fingerprint: null };
  }
  try {
    const { pixels, geometry } = await decodeSquare(bytes, size, fit);
    writeSync(cacheFd, pixels, 0, pixels.length, row * pixels.length);
    return geometry ? { row, fingerprint: fp, geometry } : { row, fingerprint: fp };
  } catch (e) {
    return { row, fingerprint: fp, error: firstLine(e) };
  }
}

/** The (mtime ms, size) a cache row was decoded from; null when the file is not there. */
export function fingerprint(file: string): [number, number] | null {
  try {
    const s = statSync(file);
    return s.isFile() ? [Math.floor(s.mtimeMs), s.size] : null;
  } catch {
    return null;
  }
}
