// The trainer's copy of the config defaults is generated from this schema (one home for defaults):
// `npm run gen:config-defaults` writes it; a test fails when the checked-in file drifts.
import { fileURLToPath } from "node:url";
import { TASK_DECLARATIONS } from "@trainyard/protocol/tasks";
import { DAEMON_SIDE_KEYS } from "./daemon-side-keys.ts";
import { backboneStages } from "./backbone-stages.ts";
import { ARCHS, BACKBONE_OPTIONS, BACKBONES, CLASS_WEIGHTS, THRESHOLD_TUNING, MISSING_VIEWS, VIEW_AGGREGATIONS, EXPORT_FORMATS, experimentSchema, MONITOR_MODES, OPTIMIZERS, phaseSchema, PRECISIONS, SCHEDULES, TASKS } from "./schema.ts";

export const TRAINER_DEFAULTS_FILE = fileURLToPath(new URL("../../trainer/trainyard_trainer/config_defaults.json", import.meta.url));

export function defaultsDocument(): string {
  const doc = {
    $comment: "Generated from packages/config/src/schema.ts by `npm run gen:config-defaults`; do not edit.",
    config: experimentSchema.parse({ name: "run", dataset: { name: "dataset" } }),
    phase: phaseSchema.parse({ name: "phase", epochs: 1, lr: 1e-3 }),
    // the values the schema accepts, so the trainer refuses exactly what zod refuses
    enums: {
      tasks: TASKS, archs: ARCHS, backbones: BACKBONES, view_aggregations: VIEW_AGGREGATIONS, missing_views: MISSING_VIEWS, precisions: PRECISIONS, optimizers: OPTIMIZERS,
      schedules: SCHEDULES, modes: MONITOR_MODES, class_weights: CLASS_WEIGHTS, export_formats: EXPORT_FORMATS,
      threshold_tunings: THRESHOLD_TUNING,
    },
    // model.<backbone> defaults for the backbones that take options (filled for the configured backbone only)
    backbone_options: Object.fromEntries(Object.entries(BACKBONE_OPTIONS).map(([k, schema]) => [k, schema.parse({})])),
    // stage names per backbone at its default options (tests/test_backbone_stages.py holds models.py to them)
    backbone_stages: Object.fromEntries(BACKBONES.map((b) => [b, backboneStages(b)])),
    // per task: its trainer module, model family, default arch and monitor, whether "other" applies
    tasks: Object.fromEntries(Object.values(TASK_DECLARATIONS).map((t) => [t.task, {
      family: t.family, targets: t.targets, archs: t.archs, default_arch: t.defaultArch,
      default_monitor: t.defaultMonitor, other_class: t.otherClass,
    }])),
    // keys the daemon consumes and the trainer does not read (packages/trainer/tests/test_config_keys.py checks both ways)
    daemon_side_keys: DAEMON_SIDE_KEYS,
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
