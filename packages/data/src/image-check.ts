// Check a dataset's images at import: which are missing, which do not decode. The decode check reads
// each image at reduced size (JPEG shrink-on-load), catching truncated and corrupt files cheaply.
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { displayedSize, readImageHeader } from "./image-header.ts";

export type ImageCheckMode = "decode" | "exists" | "none";

export interface ImageCheck {
  missingRows: number[];
  unreadableRows: { row: number; error: string }[];
}

const EXTENSIONS = [".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG", ".tif", ".tiff", ".bmp", ".webp", ".dcm.png"];

/** Ids written without an extension (HAM10000's ISIC_0024306): find the one that the files use. */
export function detectImageExt(imagesDir: string, ids: readonly string[]): string | undefined {
  const sample = ids.slice(0, 20).filter((id) => !/\.\w{2,5}$/.test(id));
  if (!sample.length || sample.some((id) => existsSync(join(imagesDir, id)))) return undefined;
  return EXTENSIONS.find((ext) => sample.some((id) => existsSync(join(imagesDir, id + ext))));
}

export const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split("\n")[0];

export async function probeImage(file: string): Promise<void> {
  await sharp(file, { failOn: "truncated" }).resize(8, 8, { fit: "fill" }).raw().toBuffer();
}

export async function checkImages(
  imagesDir: string,
  paths: readonly string[],
  opts: { mode?: ImageCheckMode; concurrency?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<ImageCheck> {
  const mode = opts.mode ?? "decode";
  const out: ImageCheck = { missingRows: [], unreadableRows: [] };
  if (mode === "none") return out;
  const exists = (p: string) => {
    try {
      return statSync(join(imagesDir, p)).isFile();
    } catch {
      return false;
    }
  };
  if (mode === "exists") {
    paths.forEach((p, i) => exists(p) || out.missingRows.push(i));
    opts.onProgress?.(paths.length, paths.length);
    return out;
  }
  let next = 0;
  let done = 0;
  const workers = opts.concurrency ?? Math.max(2, availableParallelism() * 2);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < paths.length) {
        opts.signal?.throwIfAborted();
        const i = next++;
        if (!exists(paths[i])) out.missingRows.push(i);
        else {
          try {
            await probeImage(join(imagesDir, paths[i]));
          } catch (e) {
            out.unreadableRows.push({ row: i, error: firstLine(e) });
          }
        }
        if (++done % 256 === 0 || done === paths.length) opts.onProgress?.(done, paths.length);
      }
    }),
  );
  out.missingRows.sort((a, b) => a - b);
  out.unreadableRows.sort((a, b) => a.row - b.row);
  return out;
}

/** Bytes read for a header: JPEG's EXIF block (APP1, up to 64 KiB) comes before the size in some files. */
const HEAD_BYTES = 1 << 17;

/**
 * The size of one image as displayed (after EXIF orientation): from its first bytes where they say
 * (JPEG, PNG), else from sharp's metadata. Null when the file is missing or not an image.
 */
export async function readDisplayedSize(file: string): Promise<[number, number] | null> {
  let head: Buffer;
  try {
    const fd = openSync(file, "r");
    try {
      head = Buffer.allocUnsafe(HEAD_BYTES);
      head = head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const quick = displayedSize(readImageHeader(head), head);
  if (quick) return quick;
  try {
    const meta = await sharp(file).metadata();
    const { width, height } = meta.autoOrient ?? meta;
    return width && height ? [width, height] : null;
  } catch {
    return null;
  }
}

/**
 * Displayed sizes of the given rows' images as [w0, h0, w1, h1, ...] over all paths (0, 0 for rows not
 * asked or not readable). What box coordinates are checked against at import.
 */
export async function readDisplayedSizes(
  imagesDir: string,
  paths: readonly string[],
  rows: readonly number[],
  opts: { concurrency?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<Float64Array> {
  const sizes = new Float64Array(2 * paths.length);
  let next = 0;
  let done = 0;
  const workers = opts.concurrency ?? Math.max(2, availableParallelism() * 2);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < rows.length) {
        opts.signal?.throwIfAborted();
        const r = rows[next++];
        const size = await readDisplayedSize(join(imagesDir, paths[r]));
        if (size) {
          sizes[2 * r] = size[0];
          sizes[2 * r + 1] = size[1];
        }
        if (++done % 512 === 0 || done === rows.length) opts.onProgress?.(done, rows.length);
      }
    }),
  );
  return sizes;
}
