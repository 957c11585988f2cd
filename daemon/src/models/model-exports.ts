// Exports of a registered version, built on demand: the first request runs the trainer's export command
// (python -m trainyard_trainer export, checked against PyTorch) on the version's frozen checkpoint into
// TRAINYARD_HOME/models/<name>/<version>/exports/, later ones get the file. Concurrent requests for the same
// file share one build.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Daemon } from "../daemon.ts";
import { modelDir } from "../home.ts";
import { TRAINER_PATH } from "../python.ts";
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

const builds = new WeakMap<Daemon, Map<string, Promise<string>>>();

/** The export file of `v` in `format`, built first if it is not there yet. */
export function ensureExport(daemon: Daemon, v: ExportableVersion, format: ExportFormat): Promise<string> {
  const file = exportFile(daemon, v.model, v.version, format);
  if (exportBuilt(daemon, v.model, v.version, format)) return Promise.resolve(file);
  let running = builds.get(daemon);
  if (!running) builds.set(daemon, (running = new Map()));
  const pending = running.get(file);
  if (pending) return pending;
  const build = buildExport(daemon, v, format, file).finally(() => running.delete(file));
  running.set(file, build);
  return build;
}

/** What the predict side needs: the ONNX file of a registered version (its sidecar is `<file>.json`). */
export function ensureOnnxExport(daemon: Daemon, v: ExportableVersion): Promise<string> {
  return ensureExport(daemon, v, "onnx");
}

async function buildExport(daemon: Daemon, v: ExportableVersion, format: ExportFormat, file: string): Promise<string> {
  const ref = `${v.model}@${v.version}`;
  const checkpoint = frozenCheckpoint(daemon, v.model, v.version);
  if (!existsSync(checkpoint)) throw new ModelRegistryError(`${ref}: its frozen checkpoint ${checkpoint} is missing; register the run's checkpoint again`, "CONFLICT");
  if ((await sha256File(checkpoint)) !== v.checkpointSha256)
    throw new ModelRegistryError(`${ref}: its frozen checkpoint ${checkpoint} no longer has the sha256 recorded at registration; register the run's checkpoint again`, "CONFLICT");
  const python = await daemon.pythonInfo();
  if (!python.ok) throw new ModelRegistryError(`cannot export ${ref}: ${python.message}`, "INTERNAL_SERVER_ERROR");
  mkdirSync(join(file, ".."), { recursive: true });
  const started = Date.now();
  console.log(`model export: building ${ref} as ${format}`); // one line per build (the tests count them)
  const args = ["-m", "trainyard_trainer", "export", "--checkpoint", checkpoint, "--format", format, "-o", file];
  // on the CPU: the GPUs belong to the scheduler's runs
  const env = { ...process.env, PYTHONPATH: TRAINER_PATH, CUDA_VISIBLE_DEVICES: "" };
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(python.path, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c, stderr: err }));
  });
  if (code !== 0 || !exportBuilt(daemon, v.model, v.version, format)) {
    const tail = stderr.trim().split("\n").slice(-6).join("\n");
    throw new ModelRegistryError(`the ${format} export of ${ref} failed (exit ${code}): ${tail || "no output"}`, "INTERNAL_SERVER_ERROR");
  }
  console.log(`model export: built ${ref} as ${format} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return file;
}
