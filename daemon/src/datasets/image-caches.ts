// One image cache per (dataset, size), built once and shared by every run; concurrent requests for the
// same cache wait for the same build. A cache whose source files changed (mtime / size) is refreshed:
// only the changed images are decoded again; an interrupted build resumes where it stopped.
import { join } from "node:path";
import { buildImageCache, CACHE_FILE, readCacheIndex, staleCacheRows, type CacheIndex, type DatasetTable } from "@trainyard/data";
import { getImageCache, upsertImageCache, type DatasetRow } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { cacheDir } from "../home.ts";
import { forgetCacheMask } from "./dataset-tables.ts";

const building = new Map<string, Promise<CacheIndex>>();

export async function ensureImageCache(
  daemon: Daemon,
  dataset: DatasetRow,
  table: DatasetTable,
  size: number,
  onProgress?: (done: number, total: number) => void,
): Promise<{ path: string; index: CacheIndex }> {
  const dir = cacheDir(daemon.home, dataset.name, size);
  const path = join(dir, CACHE_FILE);
  const key = `${dataset.id}:${size}`;
  let job = building.get(key);
  if (!job) {
    const known = getImageCache(daemon.store.db, dataset.id, size);
    const existing = known?.status === "ready" ? readCacheIndex(dir) : null;
    const spec = { imagesDir: dataset.imagesDir, imagePaths: table.imagePaths, size, fit: table.cacheFit, outDir: dir, skipRows: table.excluded };
    if (existing && existing.count === table.imageIds.length && existing.fit === table.cacheFit && staleCacheRows(spec) === 0) return { path, index: existing };
    job = (async () => {
      upsertImageCache(daemon.store.db, { datasetId: dataset.id, size, path, numImages: table.imageIds.length, status: "building" });
      try {
        const index = await buildImageCache({ ...spec, onProgress });
        upsertImageCache(daemon.store.db, { datasetId: dataset.id, size, path, numImages: index.count, status: "ready" });
        return index;
      } catch (e) {
        upsertImageCache(daemon.store.db, { datasetId: dataset.id, size, path, numImages: 0, status: "failed" });
        throw e;
      } finally {
        forgetCacheMask(daemon, dataset.name, size);
        building.delete(key);
      }
    })();
    building.set(key, job);
  }
  return { path, index: await job };
}
