// `MODEL[@VERSION|@ALIAS]` as a prediction target: a registered version (registry.ts resolveModelVersion) and the
// ONNX export of its frozen checkpoint (model-exports.ts ensureOnnxExport, built on first use), read with the
// config kept at registration.
import { readFileSync } from "node:fs";
import { listModels } from "@trainyard/db";
import type { ExperimentConfig } from "@trainyard/config";
import type { Daemon } from "../daemon.ts";
import { ensureOnnxExport, exportableOf } from "./model-exports.ts";
import { ModelRegistryError } from "./model-refs.ts";
import { PredictionError, type ExportSidecar, type PredictionTarget } from "./prediction-target.ts";
import { resolveModelVersion } from "./registry.ts";
import { targetFromExport } from "./run-checkpoint-target.ts";

const REGISTRY_STATUS: Record<ModelRegistryError["code"], number> = { BAD_REQUEST: 400, NOT_FOUND: 404, CONFLICT: 409, FORBIDDEN: 403, INTERNAL_SERVER_ERROR: 500 };

/** The registered model names (for "closest names" when a reference matches nothing). */
export function registeredModelNames(daemon: Daemon): string[] {
  return listModels(daemon.store.db).map((m) => m.name);
}

export async function registeredModelTarget(daemon: Daemon, ref: string): Promise<PredictionTarget> {
  try {
    const r = resolveModelVersion(daemon.store.db, ref);
    const file = await ensureOnnxExport(daemon, exportableOf(r));
    const sidecar = JSON.parse(readFileSync(`${file}.json`, "utf8")) as ExportSidecar;
    return targetFromExport(daemon, r.ref, file, sidecar, r.version.config as unknown as ExperimentConfig);
  } catch (e) {
    if (e instanceof ModelRegistryError) throw new PredictionError(e.message, REGISTRY_STATUS[e.code]);
    throw e;
  }
}
