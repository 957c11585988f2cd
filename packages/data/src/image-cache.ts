// The image cache: every image decoded once with sharp, auto-oriented, resized to a square (shorter side
// to `size` then centre crop, or longer side to `size` then black padding) and stored as uint8 RGB in
// one memory-mappable file, N x size x size x 3, plus an index. No run decodes a JPEG again.
//
// The build is resumable and incremental: a per-row state byte and the source file's (mtime, size) are
// kept beside the pixels, so an interrupted build continues where it stopped and a changed source file
// is decoded again on the next build. Unreadable images are listed and their rows excluded (-1).
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { writeFileAtomic } from "./atomic-write.ts";
import type { CacheFit } from "./dataset-table.ts";
import { firstLine } from "./image-check.ts";
import { keyedHash } from "./seeded-random.ts";

export interface CacheIndex {
  version: 2;
  size: number;
  fit: CacheFit;
  count: number;
  /** Table row -> cache row (identity; -1 for unreadable images). */
  rows: number[];
  unreadable: { row: number; path: string; error: string }[];
}

export const CACHE_FILE = "images.u8";
export const INDEX_FILE = "index.json";
const STATE_FILE = "state.u8";
const SOURCES_FILE = "sources.f64";
const BUILD_FILE = "build.json";
const UNREADABLE_FILE = "unreadable.json";

const PENDING = 0, OK = 1, UNREADABLE = 2;

export async function decodeToSquare(file: string, size: number, fit: CacheFit = "crop"): Promise<Buffer> {
  // libvips shrinks JPEGs while decoding (DCT scaling) when the target is much smaller: most of the speed
  // a buffer in hand decodes faster than letting libvips open the file (measured: bench/data/cache-build.ts)
  const img = sharp(readFileSync(file), { failOn: "truncated" }).rotate(); // EXIF orientation
  const resized =
    fit === "crop"
      ? img.resize(size, size, { fit: "cover", position: "centre" })
      : img.resize(size, size, { fit: "contain", background: { r: 0, g: 0, b: 0, alpha: 1 } });
  const out = await resized.removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer();
  if (out.length !== size * size * 3) throw new Error(`decoded to ${out.length} bytes, expected ${size * size * 3}`);
  return out;
}

interface BuildIdentity {
  version: 2;
  size: number;
  fit: CacheFit;
  count: number;
  /** Hash of the image paths: another table means another cache. */
  paths: number;
}

const identityOf = (imagePaths: readonly string[], size: number, fit: CacheFit): BuildIdentity => ({
  version: 2,
  size,
  fit,
  count: imagePaths.length,
  paths: keyedHash(size, imagePaths.join("\n")),
});

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

/** The index of a complete cache, or null while none is complete. */
export function readCacheIndex(dir: string): CacheIndex | null {
  const index = readJson<CacheIndex>(join(dir, INDEX_FILE));
  return index && index.version === 2 && existsSync(join(dir, CACHE_FILE)) ? index : null;
}

function fingerprint(file: string): [number, number] | null {
  try {
    const s = statSync(file);
    return s.isFile() ? [Math.floor(s.mtimeMs), s.size] : null;
  } catch {
    return null;
  }
}

/**
 * Rows whose source changed since they were decoded (or that appeared / disappeared), for a complete
 * or partial cache. 0 means the cache can be used as is.
 */
export function staleCacheRows(opts: { imagesDir: string; imagePaths: readonly string[]; size: number; fit: CacheFit; outDir: string; skipRows?: readonly number[] }): number {
  const id = readJson<BuildIdentity>(join(opts.outDir, BUILD_FILE));
  const want = identityOf(opts.imagePaths, opts.size, opts.fit);
  if (!id || JSON.stringify(id) !== JSON.stringify(want)) return opts.imagePaths.length;
  const state = readFileSync(join(opts.outDir, STATE_FILE));
  const sources = new Float64Array(new Uint8Array(readFileSync(join(opts.outDir, SOURCES_FILE))).buffer);
  const skip = new Set(opts.skipRows ?? []);
  let stale = 0;
  for (let i = 0; i < opts.imagePaths.length; i++) {
    if (skip.has(i)) continue;
    if (state[i] === PENDING) stale++;
    else {
      const fp = fingerprint(join(opts.imagesDir, opts.imagePaths[i]));
      if (!fp ? state[i] !== UNREADABLE || sources[2 * i] !== -1 : fp[0] !== sources[2 * i] || fp[1] !== sources[2 * i + 1]) stale++;
    }
  }
  return stale;
}

export async function buildImageCache(opts: {
  imagesDir: string;
  imagePaths: readonly string[];
  size: number;
  fit?: CacheFit;
  outDir: string;
  concurrency?: number;
  /** Rows not to decode (missing at import): marked unreadable without touching the disk. */
  skipRows?: readonly number[];
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}): Promise<CacheIndex> {
  const { imagesDir, imagePaths, size, outDir } = opts;
  const fit = opts.fit ?? "crop";
  const N = imagePaths.length;
  const frame = size * size * 3;
  mkdirSync(outDir, { recursive: true });
  const identity = identityOf(imagePaths, size, fit);
  const previous = readJson<BuildIdentity>(join(outDir, BUILD_FILE));
  const resume = previous !== null && JSON.stringify(previous) === JSON.stringify(identity) && existsSync(join(outDir, STATE_FILE)) && existsSync(join(outDir, CACHE_FILE));
  if (!resume) for (const f of [INDEX_FILE, CACHE_FILE, STATE_FILE, SOURCES_FILE, UNREADABLE_FILE, BUILD_FILE]) rmSync(join(outDir, f), { force: true });

  const state = resume ? new Uint8Array(readFileSync(join(outDir, STATE_FILE))) : new Uint8Array(N);
  const sources = resume ? new Float64Array(new Uint8Array(readFileSync(join(outDir, SOURCES_FILE))).buffer) : new Float64Array(2 * N);
  const errors = new Map<number, string>((resume ? (readJson<CacheIndex["unreadable"]>(join(outDir, UNREADABLE_FILE)) ?? []) : []).map((u) => [u.row, u.error]));
  const skip = new Set(opts.skipRows ?? []);

  // What needs decoding: pending rows, and done rows whose source changed since.
  const todo: number[] = [];
  for (let i = 0; i < N; i++) {
    if (skip.has(i)) {
      state[i] = UNREADABLE;
      sources[2 * i] = -1;
      errors.set(i, "excluded at import (missing or unreadable)");
      continue;
    }
    if (state[i] !== PENDING) {
      const fp = fingerprint(join(imagesDir, imagePaths[i]));
      const same = fp ? fp[0] === sources[2 * i] && fp[1] === sources[2 * i + 1] : state[i] === UNREADABLE && sources[2 * i] === -1;
      if (same) continue;
      state[i] = PENDING;
      errors.delete(i);
    }
    todo.push(i);
  }
  if (!todo.length && readCacheIndex(outDir)) return readCacheIndex(outDir)!;

  rmSync(join(outDir, INDEX_FILE), { force: true }); // not ready while building
  writeFileAtomic(join(outDir, BUILD_FILE), JSON.stringify(identity));
  const fd = openSync(join(outDir, CACHE_FILE), resume ? "r+" : "w+");
  let lastFlush = Date.now();
  const flush = () => {
    writeFileAtomic(join(outDir, STATE_FILE), state);
    writeFileAtomic(join(outDir, SOURCES_FILE), new Uint8Array(sources.buffer));
    writeFileAtomic(join(outDir, UNREADABLE_FILE), JSON.stringify([...errors].map(([row, error]) => ({ row, path: imagePaths[row], error }))));
    lastFlush = Date.now();
  };
  try {
    ftruncateSync(fd, N * frame);
    flush();
    // libvips works single-threaded per image here; parallelism is several images at once
    sharp.concurrency(1);
    // every image is opened once: libvips' operation cache only costs lookups here (~30% on thumbnails)
    sharp.cache(false);
    const workers = opts.concurrency ?? Math.max(2, availableParallelism() * 2);
    let next = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: Math.min(workers, todo.length) }, async () => {
        while (next < todo.length) {
          opts.signal?.throwIfAborted();
          const i = todo[next++];
          const file = join(imagesDir, imagePaths[i]);
          const fp = fingerprint(file);
          if (!fp) {
            state[i] = UNREADABLE;
            sources[2 * i] = -1;
            errors.set(i, "file not found");
          } else {
            try {
              const pixels = await decodeToSquare(file, size, fit);
              writeSync(fd, pixels, 0, frame, i * frame);
              state[i] = OK;
            } catch (e) {
              state[i] = UNREADABLE;
              errors.set(i, firstLine(e));
            }
            sources[2 * i] = fp[0];
            sources[2 * i + 1] = fp[1];
          }
          done++;
          if (done % 64 === 0 || done === todo.length) opts.onProgress?.(done, todo.length);
          if (Date.now() - lastFlush > 1000) flush();
        }
      }),
    );
  } finally {
    closeSync(fd);
    flush(); // what was decoded before an interruption is kept for the next build
  }
  const rows = Array.from(state, (s, i) => (s === OK ? i : -1));
  const unreadable = [...errors].sort((a, b) => a[0] - b[0]).map(([row, error]) => ({ row, path: imagePaths[row], error }));
  const index: CacheIndex = { version: 2, size, fit, count: N, rows, unreadable };
  writeFileAtomic(join(outDir, INDEX_FILE), JSON.stringify(index));
  return index;
}
