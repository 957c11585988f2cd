// One image cache per (dataset, size), built once and shared by every run; concurrent requests for the
// same cache wait for the same build.
import { join } from "node:path";
import { buildImageCache, readCacheIndex, type CacheIndex, type DatasetTable } from "@trainyard/data";
import { getImageCache, upsertImageCache, type DatasetRow } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { cacheDir } from "../home.ts";
import { CACHE_FILE } from "@trainyard/data";

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
  const known = getImageCache(daemon.store.db, dataset.id, size);
  const existing = known?.status === "ready" ? readCacheIndex(dir) : null;
  if (existing && existing.count === table.imageIds.length) return { path, index: existing };
  const key = `${dataset.id}:${size}`;
  let job = building.get(key);
  if (!job) {
    job = (async () => {
      upsertImageCache(daemon.store.db, { datasetId: dataset.id, size, path, numImages: table.imageIds.length, status: "building" });
      try {
        const index = await buildImageCache({ imagesDir: dataset.imagesDir, imagePaths: table.imagePaths, size, outDir: dir, onProgress });
        upsertImageCache(daemon.store.db, { datasetId: dataset.id, size, path, numImages: index.count, status: "ready" });
        return index;
      } catch (e) {
        upsertImageCache(daemon.store.db, { datasetId: dataset.id, size, path, numImages: 0, status: "failed" });
        throw e;
      } finally {
        building.delete(key);
      }
    })();
    building.set(key, job);
  }
  return { path, index: await job };
}
