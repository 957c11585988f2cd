// The image cache: every image decoded once with sharp, auto-oriented, resized (shorter side to `size`,
// then centre crop) and stored as uint8 RGB in one memory-mappable file, N x size x size x 3, plus an
// index. Unreadable images are listed and their rows left black; no run decodes a JPEG again.
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { writeFileAtomic } from "./atomic-write.ts";

export interface CacheIndex {
  version: 1;
  size: number;
  count: number;
  /** Table row -> cache row (identity today; -1 for unreadable images). */
  rows: number[];
  unreadable: { path: string; error: string }[];
}

export const CACHE_FILE = "images.u8";
export const INDEX_FILE = "index.json";

export async function decodeToSquare(file: string, size: number): Promise<Buffer> {
  return sharp(file, { failOn: "error" })
    .rotate() // EXIF orientation
    .removeAlpha()
    .toColourspace("srgb")
    .resize(size, size, { fit: "cover", position: "centre" })
    .raw()
    .toBuffer();
}

export function readCacheIndex(dir: string): CacheIndex | null {
  const p = join(dir, INDEX_FILE);
  return existsSync(p) && existsSync(join(dir, CACHE_FILE)) ? (JSON.parse(readFileSync(p, "utf8")) as CacheIndex) : null;
}

export async function buildImageCache(opts: {
  imagesDir: string;
  imagePaths: readonly string[];
  size: number;
  outDir: string;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<CacheIndex> {
  const { imagesDir, imagePaths, size, outDir } = opts;
  mkdirSync(outDir, { recursive: true });
  const frame = size * size * 3;
  const tmp = join(outDir, `${CACHE_FILE}.tmp-${process.pid}`);
  const fd = openSync(tmp, "w");
  const rows = new Array<number>(imagePaths.length).fill(-1);
  const unreadable: CacheIndex["unreadable"] = [];
  const workers = opts.concurrency ?? Math.max(1, availableParallelism());
  sharp.concurrency(1); // parallelism comes from decoding several images at once
  let next = 0;
  let done = 0;
  try {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < imagePaths.length) {
          const i = next++;
          try {
            const pixels = await decodeToSquare(join(imagesDir, imagePaths[i]), size);
            writeSync(fd, pixels, 0, frame, i * frame);
            rows[i] = i;
          } catch (e) {
            unreadable.push({ path: imagePaths[i], error: (e as Error).message.split("\n")[0] });
          }
          if (++done % 64 === 0 || done === imagePaths.length) opts.onProgress?.(done, imagePaths.length);
        }
      }),
    );
    // Full length even when the last images were unreadable (their rows stay black).
    ftruncateSync(fd, imagePaths.length * frame);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(outDir, CACHE_FILE));
  const index: CacheIndex = { version: 1, size, count: imagePaths.length, rows, unreadable: unreadable.sort((a, b) => (a.path < b.path ? -1 : 1)) };
  writeFileAtomic(join(outDir, INDEX_FILE), JSON.stringify(index));
  return index;
}
