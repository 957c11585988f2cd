// `MODEL[@VERSION|@ALIAS]` as a prediction target: a registered model version's ONNX export. The registry
// (models/registry.ts resolve(), models/model-exports.ts ensureOnnxExport()) is wired here; until it is, model
// references are refused with a message saying so, and no model names are offered as close matches.
import type { Daemon } from "../daemon.ts";
import { PredictionError, type PredictionTarget } from "./prediction-target.ts";

/** The registered model names (for "closest names" when a reference matches nothing). */
export function registeredModelNames(_daemon: Daemon): string[] {
  return [];
}

export async function registeredModelTarget(_daemon: Daemon, ref: string): Promise<PredictionTarget> {
  throw new PredictionError(`"${ref}" names a registered model, but this daemon has no model registry yet; predict with a run's checkpoint (RUN or RUN:CHECKPOINT)`, 404);
}
