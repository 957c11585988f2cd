// The trainer's copy of the config defaults is generated from this schema (one home for defaults):
// `npm run gen:config-defaults` writes it; a test fails when the checked-in file drifts.
import { fileURLToPath } from "node:url";
import { experimentSchema, phaseSchema } from "./schema.ts";

export const TRAINER_DEFAULTS_FILE = fileURLToPath(new URL("../../trainer/trainyard_trainer/config_defaults.json", import.meta.url));

export function defaultsDocument(): string {
  const doc = {
    $comment: "Generated from packages/config/src/schema.ts by `npm run gen:config-defaults`; do not edit.",
    config: experimentSchema.parse({ name: "run", dataset: { name: "dataset" } }),
    phase: phaseSchema.parse({ name: "phase", epochs: 1, lr: 1e-3 }),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
