// Import a dataset: read and validate the manifest, store its columnar table, register it. A failed
// import leaves nothing behind.
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { readManifest, writeDatasetTable, ManifestError, type ManifestOptions } from "@trainyard/data";
import { deleteDataset, getDataset, insertDataset, updateDataset, type DatasetRow } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { datasetDir } from "../home.ts";

export class DatasetImportError extends Error {}

export function importDataset(daemon: Daemon, name: string, opts: ManifestOptions, { replace = false } = {}): DatasetRow {
  if (!/^[\w.-]{1,100}$/.test(name)) throw new DatasetImportError(`dataset name "${name}" may use letters, digits and . _ - only`);
  const existing = getDataset(daemon.store.db, name);
  if (existing && !replace) throw new DatasetImportError(`dataset "${name}" exists; pick another name or pass --replace`);
  const manifest = resolve(opts.manifest);
  const imagesDir = resolve(opts.imagesDir);
  let parsed;
  try {
    parsed = readManifest({ ...opts, manifest, imagesDir });
  } catch (e) {
    if (e instanceof ManifestError) throw new DatasetImportError(e.message);
    throw e;
  }
  const { table, report } = parsed;
  if (report.missingImages.length === table.imageIds.length)
    throw new DatasetImportError(`none of the ${table.imageIds.length} images was found under ${imagesDir} (first expected: ${table.imagePaths[0]}); check --images`);
  const dir = datasetDir(daemon.home, name);
  const staging = `${dir}.importing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeDatasetTable(staging, table);
  try {
    const row = daemon.store.sqlite.transaction(() => {
      if (existing) deleteDataset(daemon.store.db, existing.id);
      return insertDataset(daemon.store.db, {
        name,
        status: "ready",
        dir,
        imagesDir,
        manifestPath: manifest,
        numSamples: table.imageIds.length,
        numGroups: report.groups,
        diagnoses: report.diagnoses,
        features: table.features,
        report: report as unknown as Record<string, unknown>,
      });
    })();
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return row;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

export { updateDataset };
