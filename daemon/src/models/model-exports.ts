// Exports of a registered version, built on demand: the first request runs the trainer's export command
// (python -m trainyard_trainer export, checked against PyTorch) on the version's frozen checkpoint into
// TRAINYARD_HOME/models/<name>/<version>/exports/, later ones get the file. Concurrent requests for the same
// file share one build (exports/trainer-export.ts).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Daemon } from "../daemon.ts";
import { modelDir } from "../home.ts";
import { buildTrainerExport, TrainerExportError } from "../exports/trainer-export.ts";
import { ModelRegistryError } from "./model-refs.ts";
import { frozenCheckpoint, sha256File, type ResolvedModelVersion } from "./registry.ts";

export const EXPORT_FORMATS = ["onnx", "torchscript"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** File names as the trainer writes a run's exports (run_exports.py), so both read alike. */
const FILE_NAMES: Record<ExportFormat, string> = { onnx: "model.onnx", torchscript: "model.torchscript.pt" };

/** The version an export is built from: its model name, number and the sha256 its frozen checkpoint must have. */
export interface ExportableVersion {
  model: string;
  version: number;
  checkpointSha256: string;
}

/** What an export needs of a resolved reference (registry.ts resolveModelVersion). */
export const exportableOf = (r: ResolvedModelVersion): ExportableVersion => ({ model: r.model.name, version: r.version.version, checkpointSha256: r.version.checkpointSha256 });

export function exportFile(daemon: Daemon, model: string, version: number, format: ExportFormat): string {
  return join(modelDir(daemon.home, model, version), "exports", FILE_NAMES[format]);
}

/** Whether an export is there, with its sidecar (classes, signature, metadata encoder, parity check). */
export function exportBuilt(daemon: Daemon, model: string, version: number, format: ExportFormat): boolean {
  const file = exportFile(daemon, model, version, format);
  return existsSync(file) && existsSync(`${file}.json`);
}

export function builtExports(daemon: Daemon, model: string, version: number): Record<ExportFormat, boolean> {
  return Object.fromEntries(EXPORT_FORMATS.map((f) => [f, exportBuilt(daemon, model, version, f)])) as Record<ExportFormat, boolean>;
}

export function checkExportFormat(format: string): ExportFormat {
  if ((EXPORT_FORMATS as readonly string[]).includes(format)) return format as ExportFormat;
  throw new ModelRegistryError(`export format ${JSON.stringify(format)}: expected ${EXPORT_FORMATS.join(" or ")}`);
}

/** The export file of `v` in `format`, built first if it is not there yet (one build per file, shared). */
export async function ensureExport(daemon: Daemon, v: ExportableVersion, format: ExportFormat): Promise<string> {
  const file = exportFile(daemon, v.model, v.version, format);
  if (exportBuilt(daemon, v.model, v.version, format)) return file;
  const ref = `${v.model}@${v.version}`;
  const checkpoint = frozenCheckpoint(daemon, v.model, v.version);
  if (!existsSync(checkpoint)) throw new ModelRegistryError(`${ref}: its frozen checkpoint ${checkpoint} is missing; register the run's checkpoint again`, "CONFLICT");
  if ((await sha256File(checkpoint)) !== v.checkpointSha256)
    throw new ModelRegistryError(`${ref}: its frozen checkpoint ${checkpoint} no longer has the sha256 recorded at registration; register the run's checkpoint again`, "CONFLICT");
  if (exportBuilt(daemon, v.model, v.version, format)) return file; // built by a request that overtook this one
  const started = Date.now();
  const first = !buildingNow.has(file);
  buildingNow.add(file);
  if (first) console.log(`model export: building ${ref} as ${format}`); // one line per build (the tests count them)
  try {
    await buildTrainerExport(daemon, checkpoint, format, file);
  } catch (e) {
    if (!(e instanceof TrainerExportError)) throw e;
    throw new ModelRegistryError(e.noPython ? `cannot export ${ref}: ${e.message}` : `the ${format} export of ${ref} failed ${e.message}`, "INTERNAL_SERVER_ERROR");
  } finally {
    buildingNow.delete(file);
  }
  if (!exportBuilt(daemon, v.model, v.version, format))
    throw new ModelRegistryError(`the ${format} export of ${ref} wrote no ${file} (or its .json)`, "INTERNAL_SERVER_ERROR");
  if (first) console.log(`model export: built ${ref} as ${format} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return file;
}

/** Files whose build a request started (so the build is announced once, however many requests wait on it). */
const buildingNow = new Set<string>();

/** What the predict side needs: the ONNX file of a registered version (its sidecar is `<file>.json`). */
export function ensureOnnxExport(daemon: Daemon, v: ExportableVersion): Promise<string> {
  return ensureExport(daemon, v, "onnx");
}
