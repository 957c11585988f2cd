// GET /api/runs/<id>/images/<row>.png: one image of a run's dataset as the run's image cache holds it, for
// the prediction gallery. Served from the cache (never the source file: the cache is what the trainer
// saw), cropped to the image content: a detection cache is letterboxed, and index.json's `geometry` row
// [scale_x, scale_y, pad_x, pad_y, source_w, source_h] says where the image lies in its square. The crop
// is the image scaled uniformly, so the browser maps source-pixel boxes onto it by one factor per axis
// (displayed width / source_w). Authorised like every /api/ route (server.ts); only rows of the run's own
// samples are served.
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import sharp from "sharp";
import { CACHE_FILE, decodeNpyInts, INDEX_FILE, readCacheIndex, type CacheIndex } from "@trainyard/data";
import { getRun, type RunRow } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { cacheDir, runDir } from "../home.ts";
import { sendJson } from "./json-response.ts";

export const SAMPLE_IMAGE_ROUTE = /^\/api\/runs\/([^/]+)\/images\/([^/]+)\.png$/;

export const sampleImageUrl = (runId: string, row: number) => `/api/runs/${encodeURIComponent(runId)}/images/${row}.png`;

interface RunImages {
  datasetName: string;
  size: number;
  dir: string;
  index: CacheIndex;
  /** Dataset table rows the run trains, validates or tests on (rows.npy). */
  rows: Set<number>;
}

type Refusal = { status: number; error: string };

// index.json and rows.npy are re-read only when they change (a cache rebuilt, a run prepared again)
const indexCache = new Map<string, { mtimeMs: number; index: CacheIndex }>();
const rowsCache = new Map<string, { mtimeMs: number; rows: Set<number> }>();

function cachedIndex(dir: string): CacheIndex | null {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(join(dir, INDEX_FILE)).mtimeMs;
  } catch {
    return null;
  }
  const hit = indexCache.get(dir);
  if (hit && hit.mtimeMs === mtimeMs) return hit.index;
  const index = readCacheIndex(dir);
  if (!index) return null;
  indexCache.set(dir, { mtimeMs, index });
  if (indexCache.size > 64) indexCache.delete(indexCache.keys().next().value!);
  return index;
}

function cachedRows(file: string): Set<number> | null {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return null;
  }
  const hit = rowsCache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.rows;
  const rows = new Set(decodeNpyInts(readFileSync(file)));
  rowsCache.set(file, { mtimeMs, rows });
  if (rowsCache.size > 256) rowsCache.delete(rowsCache.keys().next().value!);
  return rows;
}

/** Where a run's images are: its dataset's cache at the run's image size and the rows it uses. */
export function runImages(daemon: Daemon, run: RunRow): RunImages | Refusal {
  const dataset = (run.config as { dataset?: { name?: unknown; image_size?: unknown } }).dataset;
  const datasetName = typeof dataset?.name === "string" ? dataset.name : run.datasetName;
  const size = Number(dataset?.image_size);
  if (!Number.isInteger(size) || size <= 0) return { status: 404, error: `run ${run.id} has no dataset.image_size in its config, so it has no image cache` };
  const dir = cacheDir(daemon.home, datasetName, size);
  let rows: Set<number> | null;
  try {
    rows = cachedRows(join(runDir(daemon.home, run.id), "rows.npy"));
  } catch (e) {
    return { status: 404, error: `run ${run.id}: its rows.npy cannot be read (${e instanceof Error ? e.message : e})` };
  }
  if (!rows) return { status: 404, error: `run ${run.id} has not prepared its data yet (no rows.npy in its folder): its images are served once it has started` };
  const index = cachedIndex(dir);
  if (!index) return { status: 404, error: `the image cache of dataset "${datasetName}" at ${size} px is missing or being rebuilt (${dir}); it is rebuilt when a run of that dataset starts` };
  return { datasetName, size, dir, index, rows };
}

/** Source-image width and height of a table row from the cache's geometry, or null when the cache has none. */
export function sourceSize(images: RunImages, row: number): [number, number] | null {
  const g = images.index.geometry?.[row];
  return g && g.length >= 6 && g[4] > 0 && g[5] > 0 ? [g[4], g[5]] : null;
}

/** The content rectangle of a row in its cache square: [left, top, width, height], whole pixels. */
export function contentRegion(geometry: readonly number[] | undefined, size: number): [number, number, number, number] {
  if (!geometry || geometry.length < 6) return [0, 0, size, size];
  const [sx, sy, px, py, w, h] = geometry;
  const left = Math.min(size - 1, Math.max(0, Math.round(px)));
  const top = Math.min(size - 1, Math.max(0, Math.round(py)));
  const width = Math.max(1, Math.min(size - left, Math.round(w * sx)));
  const height = Math.max(1, Math.min(size - top, Math.round(h * sy)));
  return [left, top, width, height];
}

/** The PNG of one table row of a run's cache, or why it cannot be served. */
export async function sampleImagePng(daemon: Daemon, runId: string, rowText: string): Promise<{ png: Buffer; source: [number, number] | null } | Refusal> {
  if (!/^\d{1,9}$/.test(rowText)) return { status: 404, error: `no image row "${rowText.slice(0, 40)}": rows are numbers: ask for /api/runs/<id>/images/<row>.png with the dataset table row of a sample` };
  const row = Number(rowText);
  const run = getRun(daemon.store.db, runId);
  if (!run) return { status: 404, error: `no run "${runId.slice(0, 100)}"` };
  const images = runImages(daemon, run);
  if ("error" in images) return images;
  const { index, size } = images;
  if (row >= index.rows.length) return { status: 404, error: `dataset "${images.datasetName}" has no row ${row} (its image cache holds rows 0 to ${index.rows.length - 1})` };
  if (!images.rows.has(row)) return { status: 400, error: `row ${row} of dataset "${images.datasetName}" is not one of run ${run.id}'s samples (its label set or subsample left it out); the gallery asks only for the rows its samples name` };
  const cacheRow = index.rows[row];
  if (cacheRow < 0) return { status: 404, error: `row ${row}'s image could not be read when the cache was built, so it has no cached pixels` };
  const bytes = size * size * 3;
  const pixels = Buffer.alloc(bytes);
  const fd = openSync(join(images.dir, CACHE_FILE), "r");
  try {
    const got = readSync(fd, pixels, 0, bytes, cacheRow * bytes);
    if (got !== bytes) return { status: 404, error: `the image cache of dataset "${images.datasetName}" at ${size} px is shorter than its index says (row ${row}); it is rebuilt when a run of that dataset starts` };
  } finally {
    closeSync(fd);
  }
  const [left, top, width, height] = contentRegion(index.geometry?.[row], size);
  const png = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).extract({ left, top, width, height }).png({ compressionLevel: 6 }).toBuffer();
  return { png, source: sourceSize(images, row) };
}

export async function serveSampleImage(daemon: Daemon, req: IncomingMessage, res: ServerResponse, m: RegExpMatchArray): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: `${req.method} is not supported here; use GET` });
  let runId: string, row: string;
  try {
    runId = decodeURIComponent(m[1]);
    row = decodeURIComponent(m[2]);
  } catch {
    return sendJson(res, 400, { error: "malformed run id or row in the URL" });
  }
  try {
    const out = await sampleImagePng(daemon, runId, row);
    if ("error" in out) return sendJson(res, out.status, { error: out.error });
    res.writeHead(200, {
      "content-type": "image/png",
      "content-length": out.png.length,
      // the same row's pixels change only when the cache is rebuilt; a short private cache spares re-reads while paging epochs
      "cache-control": "private, max-age=300",
      ...(out.source ? { "x-source-width": String(out.source[0]), "x-source-height": String(out.source[1]) } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : out.png);
  } catch (e) {
    sendJson(res, 500, { error: `could not encode row ${row} of run ${runId}: ${e instanceof Error ? e.message : e}` });
  }
}
