// The experiment config: the one source of truth for its shape and defaults (daemon, web, CLI).
// Defaults mirror the DermaDetect Gen2A port: ResNet50 at 224 px, 3 frozen epochs at the base LR,
// then 15 unfrozen epochs at the fine-tune LR, "other" class on at ratio 0.1.
import { z } from "zod";
import { ARCHS, DETECTION_ARCHS, TASKS, TASK_DECLARATIONS, archFamily, type Arch, type Task } from "@trainyard/protocol/tasks";

const positive = (what = "a positive number") =>
  z.number({ error: (iss) => `expected ${what}, got ${describe(iss.input)}` }).positive({ error: (iss) => `expected ${what}, got ${describe(iss.input)}` });
const fraction = () =>
  z.number({ error: (iss) => `expected a number between 0 and 1, got ${describe(iss.input)}` })
    .min(0, { error: "expected a number between 0 and 1" })
    .max(1, { error: "expected a number between 0 and 1" });
const count = (min = 0) =>
  z.number({ error: (iss) => `expected a whole number, got ${describe(iss.input)}` })
    .int({ error: (iss) => `expected a whole number, got ${describe(iss.input)}` })
    .min(min, { error: `expected a whole number >= ${min}` });
const enumOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (iss) => `expected one of ${values.join(", ")}, got ${describe(iss.input)}` });

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

export const BACKBONES = [
  "resnet18", "resnet34", "resnet50",
  "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "efficientnet_b4",
  "convnext_tiny", "vit_b_16", "mobilenet_v3_large", "baseline_cnn",
] as const;
export { ARCHS, DETECTION_ARCHS, TASKS };
export const SCHEDULES = ["constant", "cosine", "step", "plateau"] as const;
export const PRECISIONS = ["fp32", "bf16", "fp16"] as const;
export const MONITOR_MODES = ["max", "min"] as const;
export const OPTIMIZERS = ["adamw", "adam", "sgd"] as const;
export const CLASS_WEIGHTS = ["none", "balanced"] as const;
export const EXPORT_FORMATS = ["torchscript", "onnx"] as const;
export const VIEW_AGGREGATIONS = ["mean", "max", "attention"] as const;
export const MISSING_VIEWS = ["drop", "allow"] as const;

const labelsSchema = z
  .object({
    // a registered label-set name, a file path, or an inline list of diagnoses
    set: z.union([z.string().min(1, { error: "expected a label-set name, a file path or a list" }), z.array(z.string().min(1)).min(1)]),
    // default by task: on for classification, off (and refused) for detection
    other_class: z.boolean().optional(),
    other_ratio: fraction().default(0.1),
    // samples with none of the selected diagnoses when other_class is false
    unlabeled: enumOf(["drop", "keep"]).default("drop"),
  })
  .strict();

const splitSchema = z
  .object({
    by: enumOf(["patient", "column"]).default("patient"),
    train: fraction().default(0.8),
    val: fraction().default(0.1),
    test: fraction().default(0.1),
    seed: count().default(0),
    stratified: z.boolean().default(true),
    // refused, not ignored: nothing read it, the split column is the one the dataset was imported with
    column: z
      .never({ error: "is not a config key: the split column is the one the dataset was imported with (--split-col); remove it, and set dataset.split.by: column to use that column" })
      .optional(),
  })
  .strict()
  .refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, {
    error: "train + val + test must add up to 1",
    path: ["train"],
  });

const datasetSchema = z
  .object({
    name: z.string({ error: "expected the name of a registered dataset" }).min(1),
    image_size: count(16).default(224),
    labels: labelsSchema.default({ set: "all", other_ratio: 0.1, unlabeled: "drop" }),
    split: splitSchema.default({ by: "patient", train: 0.8, val: 0.1, test: 0.1, seed: 0, stratified: true }),
    subsample: z
      .object({ fraction: fraction().default(1), stratified: z.boolean().default(true) })
      .strict()
      .default({ fraction: 1, stratified: true }),
  })
  .strict();

const modelSchema = z
  .object({
    // default by task: gen2a for classification, fcos for detection
    arch: enumOf(ARCHS).optional(),
    backbone: enumOf(BACKBONES).default("resnet50"),
    // imagenet (local torchvision weights file), a path to a state dict, or none
    pretrained: z.string().min(1).default("imagenet"),
    // warm start from a whole Trainyard model (backbone and heads): RUN or RUN:CHECKPOINT (default best);
    // tensors whose name and shape match are loaded, the rest keep their fresh values (the log says which)
    init_from: z.string().min(1, { error: "expected RUN or RUN:CHECKPOINT" }).nullable().default(null),
    image_head: count(1).default(256),
    metadata: z
      .object({ enabled: z.boolean().default(true), hidden: count(1).default(256) })
      .strict()
      .default({ enabled: true, hidden: 256 }),
    fusion: count(1).default(64),
    dropout: fraction().default(0.2),
    // detectors: FPN width (fcos, retinanet, faster_rcnn) and convolutions per FCOS head branch
    detector: z
      // at least 64: torchvision's heads use GroupNorm(32, channels), which needs two channels per group for one image
      .object({ fpn_channels: count(64).default(256), head_convs: count(1).default(4) })
      .strict()
      .default({ fpn_channels: 256, head_convs: 4 }),
    // risk models: how the views of an exam become one representation (the encoder is shared across views)
    risk: z
      .object({ aggregation: enumOf(VIEW_AGGREGATIONS).default("attention") })
      .strict()
      .default({ aggregation: "attention" }),
  })
  .strict();

export const phaseSchema = z
  .object({
    name: z.string().min(1, { error: "a phase needs a name" }),
    epochs: count(1),
    lr: positive(),
    // "heads", "all", or backbone stage names (stem, layer1..layer4, features.N)
    train: z.array(z.string().min(1)).min(1, { error: "list what trains: [heads], [all] or stage names" }).default(["all"]),
    backbone_lr_mult: positive().default(1),
    bn_update: z.boolean().optional(),
    warmup_epochs: z.number().min(0).default(0),
    schedule: enumOf(SCHEDULES).default("constant"),
    step_size: count(1).default(1),
    gamma: positive().default(0.1),
    plateau_patience: count(0).default(2),
    min_lr: z.number().min(0).default(0),
  })
  .strict()
  // BatchNorm statistics follow the trainable parts unless said otherwise.
  .transform((p) => ({ ...p, bn_update: p.bn_update ?? !p.train.every((t) => t === "heads") }));

const monitor = z.string().regex(/^(train|val)\/[\w/.-]+$/, { error: "expected a metric key such as val/auc_macro" });

const trainingSchema = z
  .object({
    task: enumOf(TASKS).default("multilabel"),
    batch_size: count(1).default(64),
    precision: enumOf(PRECISIONS).default("bf16"),
    optimizer: z
      .object({
        name: enumOf(OPTIMIZERS).default("adamw"),
        weight_decay: z.number().min(0).default(1e-4),
        momentum: z.number().min(0).max(1).default(0.9),
        nesterov: z.boolean().default(false),
      })
      .strict()
      .default({ name: "adamw", weight_decay: 1e-4, momentum: 0.9, nesterov: false }),
    grad_accum_steps: count(1).default(1),
    grad_clip: positive().nullable().default(null),
    class_weights: enumOf(CLASS_WEIGHTS).default("none"),
    phases: z
      .array(phaseSchema)
      .min(1, { error: "at least one phase is needed" })
      // prefault: the default is parsed like user input, so each phase gets its own defaults
      .prefault([
        { name: "heads", epochs: 3, lr: 1e-3, train: ["heads"] },
        { name: "finetune", epochs: 15, lr: 1e-4, train: ["all"], backbone_lr_mult: 0.1, warmup_epochs: 1, schedule: "cosine" },
      ]),
    early_stopping: z
      .object({
        enabled: z.boolean().default(true),
        // default by task (val/auc_macro for classification, val/map50_95 for detection)
        monitor: monitor.optional(),
        mode: enumOf(MONITOR_MODES).default("max"),
        patience: count(1).default(5),
        min_delta: z.number().min(0).default(0),
      })
      .strict()
      .default({ enabled: true, mode: "max", patience: 5, min_delta: 0 }),
    checkpoint: z
      .object({
        monitor: monitor.optional(),
        mode: enumOf(MONITOR_MODES).default("max"),
        top_k: count(0).default(1),
        every_n_epochs: count(0).default(10),
        last: z.boolean().default(true),
      })
      .strict()
      .default({ mode: "max", top_k: 1, every_n_epochs: 10, last: true }),
    seed: count().default(0),
    deterministic: z.boolean().default(false),
    channels_last: z.boolean().default(true),
    compile: z.boolean().default(false),
    log_every_n_steps: count(1).default(10),
    // a training loss that becomes NaN or infinite fails the run at once, with the step, unless this is off
    stop_on_nonfinite: z.boolean().default(true),
    // formats the best model is exported to at the end of the run (runs/<id>/exports/), checked against PyTorch
    export: z.array(enumOf(EXPORT_FORMATS)).default([]),
    detection: z
      .object({
        // a predicted box counts (precision, recall, the gallery's default) from this score on
        score_threshold: fraction().default(0.25),
        // boxes kept per image after non-maximum suppression (COCO evaluates up to 100)
        max_detections: count(1).default(100),
        // validation images whose predictions are sent to the dashboard's gallery at every evaluation
        sample_images: count(0).default(8),
      })
      .strict()
      .default({ score_threshold: 0.25, max_detections: 100, sample_images: 8 }),
    risk: z
      .object({
        // years 1 .. max_followup each get a predicted risk, a loss term and an AUC
        max_followup: count(1).max(20, { error: "expected at most 20 years" }).default(5),
        // an exam lacking one of the dataset's views: left out of the run (drop) or trained with that view masked (allow)
        missing_views: enumOf(MISSING_VIEWS).default("drop"),
      })
      .strict()
      .default({ max_followup: 5, missing_views: "drop" }),
  })
  .strict();

const augmentSchema = z
  .object({
    hflip: fraction().default(0.5),
    vflip: fraction().default(0.2),
    rotate: z.number().min(0).max(180).default(15),
    crop_scale: z
      .tuple([fraction(), fraction()])
      .refine(([a, b]) => a > 0 && a <= b, { error: "expected [min, max] with 0 < min <= max <= 1" })
      .default([0.8, 1]),
    color_jitter: fraction().default(0.2),
    // random gamma in [1/(1+g), 1+g] on [0, 1] intensities; 0 = off
    gamma: fraction().default(0),
  })
  .strict();

const resourcesSchema = z
  .object({
    gpus: count(0).default(1),
    priority: count(0).default(50),
  })
  .strict();

export const experimentSchema = z
  .object({
    name: z
      .string({ error: "expected a run name" })
      .min(1)
      .max(120)
      .regex(/^[\w.+-]+$/, { error: "use letters, digits and . _ + - only" }),
    dataset: datasetSchema,
    model: modelSchema.default(modelSchema.parse({})),
    training: trainingSchema.default(trainingSchema.parse({})),
    augment: augmentSchema.default(augmentSchema.parse({})),
    resources: resourcesSchema.default(resourcesSchema.parse({})),
    tags: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const task = TASK_DECLARATIONS[c.training.task];
    const arch = c.model.arch;
    if (arch !== undefined && !task.archs.includes(arch)) {
      const family = archFamily(arch);
      ctx.addIssue({
        code: "custom",
        path: ["model", "arch"],
        message: `${arch} is a ${family} model but training.task is ${c.training.task}; use one of ${task.archs.join(", ")}` +
          (family === "classification" ? ", or set training.task: multilabel or multiclass" : `, or set training.task: ${family}`),
      });
    }
    // only the classification loss is weighted; detection and risk would train as if it were "none"
    if (c.training.class_weights !== "none" && task.family !== "classification")
      ctx.addIssue({
        code: "custom",
        path: ["training", "class_weights"],
        message: `${c.training.task} does not weight its loss by class (class_weights applies to multilabel and multiclass); remove it or set none`,
      });
    if (c.dataset.labels.other_class === true && !task.otherClass)
      ctx.addIssue({
        code: "custom",
        path: ["dataset", "labels", "other_class"],
        message: `${c.training.task} has no "other" class (${c.training.task === "risk" ? "its target is the follow-up time and event" : "boxes of classes outside the label set are dropped"}); set dataset.labels.other_class: false or leave it out`,
      });
  })
  .transform((c) => resolveTaskDefaults(c));

/** Fills the defaults that depend on the task (arch, monitors, the "other" class). */
function resolveTaskDefaults<C extends {
  training: { task: Task; early_stopping: { monitor?: string }; checkpoint: { monitor?: string } };
  model: { arch?: Arch };
  dataset: { labels: { other_class?: boolean } };
}>(c: C) {
  const task = TASK_DECLARATIONS[c.training.task];
  return {
    ...c,
    dataset: { ...c.dataset, labels: { ...c.dataset.labels, other_class: c.dataset.labels.other_class ?? task.otherClass } },
    model: { ...c.model, arch: c.model.arch ?? task.defaultArch },
    training: {
      ...c.training,
      early_stopping: { ...c.training.early_stopping, monitor: c.training.early_stopping.monitor ?? task.defaultMonitor },
      checkpoint: { ...c.training.checkpoint, monitor: c.training.checkpoint.monitor ?? task.defaultMonitor },
    },
  };
}

/** What a user writes: every key with a default may be left out. */
export type ExperimentInput = z.input<typeof experimentSchema>;
/** The resolved config: every default filled in. This is what a run spec carries. */
export type ExperimentConfig = z.output<typeof experimentSchema>;
export type PhaseConfig = ExperimentConfig["training"]["phases"][number];
