// Import a dataset: read and validate the manifest, check its images, store its columnar table and
// report, register it. All or nothing: a failed import leaves the store and TRAINYARD_HOME as they were
// (a replaced dataset stays in place until its successor is committed).
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  attachBoxes,
  BoxFileError,
  buildDatasetTable,
  buildImportReport,
  checkImages,
  checkSurvivalOptions,
  detectImageExt,
  FeatureSchemaError,
  ManifestError,
  readManifestColumns,
  writeDatasetTable,
  writeFileAtomic,
  type ImageCheckMode,
  type BoxesReport,
  type BoxFormat,
  type ImportReport,
  type ManifestOptions,
} from "@trainyard/data";
import { deleteDataset, getDataset, insertDataset, type DatasetRow } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { datasetDir } from "../home.ts";
import { forgetDataset } from "./dataset-tables.ts";

export class DatasetImportError extends Error {}

export const REPORT_FILE = "report.json";

export interface ImportRequest extends ManifestOptions {
  manifest: string;
  imagesDir: string;
  /** CSV field delimiter. */
  delimiter?: string;
  /** decode (default): every image is opened; exists: only looked up; none: trusted (checked when cached). */
  imageCheck?: ImageCheckMode;
  /**
   * Boxes for detection: a CSV / TSV / Parquet of rows, a COCO JSON file or a folder of YOLO .txt files
   * (format from the path unless given). Without labelCol the diagnoses are each image's box classes.
   * A dataset with boxes is cached letterboxed (cacheFit "pad", the default with boxes; "crop" is refused).
   */
  boxes?: { path: string; format?: BoxFormat; imageCol?: string; coords?: [string, string, string, string]; labelCol?: string; names?: string };
}

/** Follow-up targets (--time-col) are cached letterboxed unless --fit says otherwise: a crop would cut tissue off a mammogram. */
const defaultFit = (req: ImportRequest) => (req.boxes || req.timeCol ? "pad" : "crop");

export type ImportPhase = "reading manifest" | "building table" | "checking images" | "reading boxes" | "saving";
export type ImportProgress = (phase: ImportPhase, done: number, total: number) => void;

export const DATASET_NAME = /^[\w.-]{1,100}$/;

/** Fail fast on what can be known before any work: name, clash, paths. */
export function checkImportRequest(daemon: Daemon, name: string, req: ImportRequest, replace: boolean): void {
  if (!DATASET_NAME.test(name)) throw new DatasetImportError(`dataset name "${name}" may use letters, digits and . _ - only (at most 100)`);
  if (getDataset(daemon.store.db, name) && !replace) throw new DatasetImportError(`dataset "${name}" exists; pick another name or pass --replace`);
  const manifest = resolve(req.manifest);
  if (!existsSync(manifest)) throw new DatasetImportError(`manifest ${manifest} does not exist; check --manifest`);
  const images = resolve(req.imagesDir);
  if (!existsSync(images) || !statSync(images).isDirectory()) throw new DatasetImportError(`image folder ${images} does not exist; check --images`);
  if (req.boxes) {
    const boxes = resolve(req.boxes.path);
    if (!existsSync(boxes)) throw new DatasetImportError(`boxes path ${boxes} does not exist; check --boxes`);
    if (req.boxes.names && !existsSync(resolve(req.boxes.names))) throw new DatasetImportError(`names file ${resolve(req.boxes.names)} does not exist; check --box-names`);
    if (req.cacheFit === "crop")
      throw new DatasetImportError("--fit crop would cut off the image edges and the boxes on them: a dataset with boxes is cached letterboxed (--fit pad, the default with --boxes); leave --fit out");
  }
  try {
    checkSurvivalOptions(req);
  } catch (e) {
    if (e instanceof ManifestError) throw new DatasetImportError(e.message);
    throw e;
  }
}

export async function importDataset(
  daemon: Daemon,
  name: string,
  req: ImportRequest,
  { replace = false, onProgress = (() => {}) as ImportProgress, signal }: { replace?: boolean; onProgress?: ImportProgress; signal?: AbortSignal } = {},
): Promise<{ row: DatasetRow; report: ImportReport }> {
  checkImportRequest(daemon, name, req, replace);
  const manifest = resolve(req.manifest);
  const imagesDir = resolve(req.imagesDir);
  const manifestOpts: ManifestOptions = { ...req, cacheFit: req.cacheFit ?? defaultFit(req), labelsFromBoxes: Boolean(req.boxes) };
  let built, m;
  try {
    onProgress("reading manifest", 0, 1);
    m = await readManifestColumns(manifest, { delimiter: req.delimiter });
    onProgress("building table", 0, m.rows);
    const probe = buildDatasetTable(m, { ...manifestOpts, schema: null });
    const imageExt = req.imageExt ?? detectImageExt(imagesDir, probe.table.imageIds);
    built = imageExt || req.schema ? buildDatasetTable(m, { ...manifestOpts, imageExt }) : probe;
  } catch (e) {
    if (e instanceof ManifestError || e instanceof FeatureSchemaError) throw new DatasetImportError(e.message);
    throw e;
  }
  const { table } = built;
  const mode = req.imageCheck ?? "decode";
  const check = await checkImages(imagesDir, table.imagePaths, { mode, signal, onProgress: (done, total) => onProgress("checking images", done, total) });
  if (mode !== "none" && check.missingRows.length === table.imageIds.length)
    throw new DatasetImportError(`none of the ${table.imageIds.length} images was found under ${imagesDir} (first expected: ${table.imagePaths[0]}); check --images, or --image-col if that column holds something else`);
  let boxes: BoxesReport | null = null;
  if (req.boxes) {
    onProgress("reading boxes", 0, 1);
    try {
      boxes = await attachBoxes(table, imagesDir, { ...req.boxes, path: resolve(req.boxes.path), names: req.boxes.names && resolve(req.boxes.names) }, check, {
        labelsFromBoxes: built.columns.label === null,
        signal,
        onProgress: (done, total) => onProgress("reading boxes", done, total),
      });
    } catch (e) {
      if (e instanceof BoxFileError || e instanceof ManifestError) throw new DatasetImportError(e.message);
      throw e;
    }
    // every box rejected: the coordinates are in another frame, or the names match nothing; not a dataset to train on
    if (boxes.read > 0 && boxes.total === 0) {
      const reasons = Object.entries(boxes.rejectedByReason).map(([k, v]) => `${k} ${v}`).join(", ");
      throw new DatasetImportError(
        `none of the ${boxes.read} boxes in ${boxes.file} could be used (${reasons}); first: ${boxes.rejected.slice(0, 3).map((r) => `${r.source}: ${r.message}`).join("; ")}`,
      );
    }
  }
  const fullReport = buildImportReport(m, built, check, Number.POSITIVE_INFINITY, boxes);
  const report = buildImportReport(m, built, check, undefined, boxes);
  if (mode !== "none" && report.usableImages === 0) throw new DatasetImportError(`none of the ${table.imageIds.length} images could be read (first error: ${report.unreadableImages[0]?.path}: ${report.unreadableImages[0]?.error})`);
  signal?.throwIfAborted();

  onProgress("saving", 0, 1);
  const dir = datasetDir(daemon.home, name);
  const staging = `${dir}.importing-${process.pid}-${Date.now()}`;
  const old = `${dir}.replaced-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  let moved = false;
  try {
    writeDatasetTable(staging, table);
    writeFileAtomic(join(staging, REPORT_FILE), JSON.stringify(fullReport));
    if (existsSync(dir)) {
      renameSync(dir, old);
      moved = true;
    }
    renameSync(staging, dir);
    const row = daemon.store.sqlite.transaction(() => {
      const existing = getDataset(daemon.store.db, name);
      if (existing && !replace) throw new DatasetImportError(`dataset "${name}" was imported by someone else meanwhile; pass --replace to overwrite it`);
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
    forgetDataset(daemon, name);
    rmSync(old, { recursive: true, force: true });
    onProgress("saving", 1, 1);
    return { row, report };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (moved) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(old, dir);
    }
    throw e;
  }
}
