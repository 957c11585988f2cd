// The image cache: every image decoded once with sharp, auto-oriented, resized to a square (shorter side
// to `size` then centre crop, or longer side to `size` then black padding) and stored as uint8 RGB in
// one memory-mappable file, N x size x size x 3, plus an index. No run decodes a JPEG again.
//
// The build is resumable and incremental: a per-row state byte and the source file's (mtime, size) are
// kept beside the pixels, so an interrupted build continues where it stopped and a changed source file
// is decoded again on the next build. Unreadable images are listed and their rows excluded (-1).
//
// A letterboxed ("pad") cache also keeps each row's geometry, [scale_x, scale_y, pad_x, pad_y, source_w,
// source_h] (cache_x = source_x * scale_x + pad_x), so boxes map into cache pixels and back. Its build
// identity names that layout: a pad cache built before geometry was kept is rebuilt, never used without it.
//
// Large builds decode in child processes as well as here, one per core: libvips' per-image work is
// mostly building and tearing down its graph of ~16 operations, and graphs built at once in one process
// wait on each other (GLib's process-wide locks), so on 2 cores two processes decode 15-30% more images
// per second than this one with four at once (bench/data/README.md).
import { fork, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { writeFileAtomic } from "./atomic-write.ts";
import type { CacheFit } from "./dataset-table.ts";
import { decodeRow, fingerprint, type DecodedRow } from "./image-decode.ts";
import { keyedHash } from "./seeded-random.ts";

export interface CacheIndex {
  version: 2;
  size: number;
  fit: CacheFit;
  count: number;
  /** Table row -> cache row (identity; -1 for unreadable images). */
  rows: number[];
  unreadable: { row: number; path: string; error: string }[];
  /**
   * "pad" caches: per table row [scale_x, scale_y, pad_x, pad_y, source_w, source_h], exact for the
   * pixels written (zeros for unreadable rows). Null for "crop" caches.
   */
  geometry: number[][] | null;
}

export const CACHE_FILE = "images.u8";
export const INDEX_FILE = "index.json";
const STATE_FILE = "state.u8";
const SOURCES_FILE = "sources.f64";
const BUILD_FILE = "build.json";
const UNREADABLE_FILE = "unreadable.json";
const GEOMETRY_FILE = "geometry.f64";
/** The letterbox layout of pad caches: exact sides and padding, geometry kept per row. */
const PAD_LAYOUT = "letterbox-exact";

const PENDING = 0, OK = 1, UNREADABLE = 2;

interface BuildIdentity {
  version: 2;
  size: number;
  fit: CacheFit;
  count: number;
  /** Hash of the image paths: another table means another cache. */
  paths: number;
  /** Pad caches only: how the letterbox is laid out (absent in pad caches built before geometry was kept). */
  layout?: string;
}

const identityOf = (imagePaths: readonly string[], size: number, fit: CacheFit): BuildIdentity => ({
  version: 2,
  size,
  fit,
  count: imagePaths.length,
  paths: keyedHash(size, imagePaths.join("\n")),
  ...(fit === "pad" ? { layout: PAD_LAYOUT } : {}),
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
  if (!index || index.version !== 2 || !existsSync(join(dir, CACHE_FILE))) return null;
  // a pad cache from before geometry was kept is not usable: its boxes would not map (the next build redoes it)
  if (index.fit === "pad" && (!Array.isArray(index.geometry) || index.geometry.length !== index.count)) return null;
  return { ...index, geometry: index.fit === "pad" ? index.geometry : null };
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

/**
 * Below this many images to decode, decoder processes cost more than they save: each takes ~0.15 s to
 * start (node, tsx's loader, sharp), and measured on 2 cores they break even at 300-600 images.
 */
export const DECODER_PROCESS_MIN_IMAGES = 1000;

/** Decoder processes for a build of `todo` images: one per core beside this process, for large builds. */
export const defaultDecoderProcesses = (todo: number): number => (todo >= DECODER_PROCESS_MIN_IMAGES ? availableParallelism() - 1 : 0);

/** What a decoder process is started with (JSON, its one argument). */
export interface DecoderSetup {
  cacheFile: string;
  imagesDir: string;
  size: number;
  fit: CacheFit;
  /** Where it notes the row in hand before each image (4 bytes, little-endian): read only if it dies. */
  rowFile: string;
}

const DECODER_ENTRY = fileURLToPath(new URL("./image-decode-process.cjs", import.meta.url));
/**
 * Rows per message to a decoder process, and per answer: a message per row cost ~10% of the throughput
 * (Node's IPC serialises each one). It holds up to two batches, so it never waits for the next.
 */
const BATCH = 8;

/** The rows left to decode, shared by this process and the decoder processes. */
class RowQueue {
  private next = 0;
  private returned: number[] = [];
  constructor(private rows: readonly number[]) {}
  get empty(): boolean {
    return !this.returned.length && this.next >= this.rows.length;
  }
  take(n: number): number[] {
    const out = this.returned.splice(0, n);
    while (out.length < n && this.next < this.rows.length) out.push(this.rows[this.next++]);
    return out;
  }
  giveBack(rows: number[]): void {
    this.returned.push(...rows);
  }
}

function rowInHand(rowFile: string): number {
  try {
    const note = readFileSync(rowFile);
    return note.length >= 4 ? note.readUInt32LE(0) : -1;
  } catch {
    return -1;
  }
}

/**
 * Runs one decoder process until the queue is empty. It decodes its rows in the order sent and answers
 * each batch when done; if it dies, the row it noted as in hand is reported unreadable and the rest of
 * what it had go back to the queue (those it had finished too: their answer was lost). Resolves when it
 * has exited.
 */
function runDecoderProcess(
  setup: DecoderSetup,
  paths: readonly string[],
  queue: RowQueue,
  build: { record: (r: DecodedRow) => void; stopped: () => boolean; fail: (e: unknown) => void },
): { child: ChildProcess; done: Promise<void> } {
  const { record, stopped } = build;
  // no inherited loader flags: the entry registers tsx itself (the parent may run under tsx, vitest or neither)
  const child = fork(DECODER_ENTRY, [JSON.stringify(setup)], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const sent: number[] = []; // sent and not answered, in order
  const done = new Promise<void>((resolve) => {
    const feed = () => {
      while (!stopped() && sent.length <= BATCH) {
        const rows = queue.take(BATCH);
        if (!rows.length) break;
        sent.push(...rows);
        child.send(rows.map((r) => [r, paths[r]]));
      }
      if (!sent.length && child.connected) child.disconnect(); // it exits when disconnected
    };
    child.on("message", (msg: "ready" | DecodedRow[]) => {
      try {
        if (msg !== "ready") for (const r of msg) (sent.shift(), record(r));
        feed();
      } catch (e) {
        build.fail(e); // ends the build, as it would in-process
      }
    });
    // the end is exit and channel closed both: answers already sent can still be in the channel at exit
    let exit: string | null = null;
    let disconnected = false;
    const ended = () => {
      if (exit === null || !disconnected) return;
      try {
        if (sent.length && !stopped()) {
          const unanswered = sent.splice(0);
          const at = unanswered.indexOf(rowInHand(setup.rowFile));
          if (at >= 0) {
            const row = unanswered[at];
            record({ row, fingerprint: fingerprint(join(setup.imagesDir, paths[row])), error: `the decoder process died on this image (${exit})` });
          }
          queue.giveBack(unanswered.filter((_, i) => i !== at));
        }
      } catch (e) {
        build.fail(e);
      }
      resolve();
    };
    child.on("exit", (code, signal) => ((exit = signal ?? `exit code ${code}`), ended()));
    child.on("disconnect", () => ((disconnected = true), ended()));
    child.on("error", () => {
      if (child.pid !== undefined) return; // a broken channel: exit and disconnect follow
      queue.giveBack(sent.splice(0)); // it could not start: the others decode its share
      resolve();
    });
  });
  return { child, done };
}

export async function buildImageCache(opts: {
  imagesDir: string;
  imagePaths: readonly string[];
  size: number;
  fit?: CacheFit;
  outDir: string;
  /** Images decoded at once in this process when it decodes alone. Default: two per core. */
  concurrency?: number;
  /** Decoder processes beside this one. Default: defaultDecoderProcesses(images to decode). */
  processes?: number;
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
  let resume = previous !== null && JSON.stringify(previous) === JSON.stringify(identity) && existsSync(join(outDir, STATE_FILE)) && existsSync(join(outDir, CACHE_FILE));
  const pad = fit === "pad";
  if (resume && pad && !existsSync(join(outDir, GEOMETRY_FILE))) resume = false;
  if (!resume) for (const f of [INDEX_FILE, CACHE_FILE, STATE_FILE, SOURCES_FILE, UNREADABLE_FILE, BUILD_FILE, GEOMETRY_FILE]) rmSync(join(outDir, f), { force: true });

  const state = resume ? new Uint8Array(readFileSync(join(outDir, STATE_FILE))) : new Uint8Array(N);
  const sources = resume ? new Float64Array(new Uint8Array(readFileSync(join(outDir, SOURCES_FILE))).buffer) : new Float64Array(2 * N);
  const errors = new Map<number, string>((resume ? (readJson<CacheIndex["unreadable"]>(join(outDir, UNREADABLE_FILE)) ?? []) : []).map((u) => [u.row, u.error]));
  const geometry = pad ? (resume ? new Float64Array(new Uint8Array(readFileSync(join(outDir, GEOMETRY_FILE))).buffer) : new Float64Array(6 * N)) : null;
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
  const cacheFile = join(outDir, CACHE_FILE);
  const fd = openSync(cacheFile, resume ? "r+" : "w+");
  let lastFlush = Date.now();
  const flush = () => {
    writeFileAtomic(join(outDir, STATE_FILE), state);
    writeFileAtomic(join(outDir, SOURCES_FILE), new Uint8Array(sources.buffer));
    writeFileAtomic(join(outDir, UNREADABLE_FILE), JSON.stringify([...errors].map(([row, error]) => ({ row, path: imagePaths[row], error }))));
    if (geometry) writeFileAtomic(join(outDir, GEOMETRY_FILE), new Uint8Array(geometry.buffer));
    lastFlush = Date.now();
  };
  let done = 0;
  const record = ({ row: i, fingerprint: fp, error, geometry: g }: DecodedRow) => {
    if (geometry) geometry.fill(0, 6 * i, 6 * i + 6);
    if (geometry && g && error === undefined) geometry.set(g, 6 * i);
    if (!fp) {
      state[i] = UNREADABLE;
      sources[2 * i] = -1;
      errors.set(i, "file not found");
    } else {
      state[i] = error === undefined ? OK : UNREADABLE;
      if (error !== undefined) errors.set(i, error);
      sources[2 * i] = fp[0];
      sources[2 * i + 1] = fp[1];
    }
    done++;
    if (done % 64 === 0 || done === todo.length) opts.onProgress?.(done, todo.length);
    if (Date.now() - lastFlush > 1000) flush();
  };
  const queue = new RowQueue(todo);
  const processes = opts.processes ?? defaultDecoderProcesses(todo.length);
  const decoders: ReturnType<typeof runDecoderProcess>[] = [];
  let stopping = false;
  const failures: unknown[] = []; // from handling a decoder process's answers (a failed flush, a throwing callback)
  const stop = () => {
    stopping = true;
    for (const d of decoders) d.child.kill();
  };
  const build = { record, stopped: () => stopping, fail: (e: unknown) => (failures.push(e), stop()) };
  opts.signal?.addEventListener("abort", stop, { once: true });
  try {
    ftruncateSync(fd, N * frame);
    flush();
    // libvips works single-threaded per image here; parallelism is several images at once
    sharp.concurrency(1);
    // every image is opened once: libvips' operation cache only costs lookups here (~30% on thumbnails)
    sharp.cache(false);
    if (!opts.signal?.aborted)
      for (let p = 0; p < processes; p++) decoders.push(runDecoderProcess({ cacheFile, imagesDir, size, fit, rowFile: join(outDir, `decoder-${p}.row`) }, imagePaths, queue, build));
    // beside decoder processes this process decodes one image at a time too: more would contend as above
    const streams = processes > 0 ? 1 : (opts.concurrency ?? Math.max(2, availableParallelism() * 2));
    // an interruption takes effect between images: nothing decoded here writes after the file is closed
    const decodeHere = () =>
      Promise.all(
        Array.from({ length: streams }, async () => {
          for (let rows = queue.take(1); rows.length && !stopping; rows = queue.take(1)) {
            record(await decodeRow(fd, join(imagesDir, imagePaths[rows[0]]), rows[0], size, fit));
          }
        }),
      );
    await Promise.all([decodeHere(), ...decoders.map((d) => d.done)]);
    // rows given back by a decoder process that died after the others had finished
    if (!queue.empty) await decodeHere();
    if (failures.length) throw failures[0];
    opts.signal?.throwIfAborted();
  } finally {
    opts.signal?.removeEventListener("abort", stop);
    stop();
    await Promise.all(decoders.map((d) => d.done)); // no decoder process writes to the cache file after this
    for (let p = 0; p < decoders.length; p++) rmSync(join(outDir, `decoder-${p}.row`), { force: true });
    closeSync(fd);
    flush(); // what was decoded before an interruption is kept for the next build
  }
  const rows = Array.from(state, (s, i) => (s === OK ? i : -1));
  const unreadable = [...errors].sort((a, b) => a[0] - b[0]).map(([row, error]) => ({ row, path: imagePaths[row], error }));
  const index: CacheIndex = {
    version: 2, size, fit, count: N, rows, unreadable,
    geometry: geometry ? Array.from({ length: N }, (_, i) => (state[i] === OK ? Array.from(geometry.subarray(6 * i, 6 * i + 6)) : [0, 0, 0, 0, 0, 0])) : null,
  };
  writeFileAtomic(join(outDir, INDEX_FILE), JSON.stringify(index));
  return index;
}
