// The experiment config: the one source of truth for its shape and defaults (daemon, web, CLI).
// Defaults mirror the DermaDetect Gen2A port: ResNet50 at 224 px, 3 frozen epochs at the base LR,
// then 15 unfrozen epochs at the fine-tune LR, "other" class on at ratio 0.1.
import { z } from "zod";
import { ARCHS, DETECTION_ARCHS, TASKS, TASK_DECLARATIONS, archFamily, type Arch, type Task } from "@trainyard/protocol/tasks";
import { backboneStages } from "./backbone-stages.ts";
import { expandProgressiveUnfreezing, unfreezingProblems } from "./progressive-unfreezing.ts";

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
  "convnext_tiny", "vit_b_16", "mobilenet_v3_large", "baseline_cnn", "vit_conv_stem",
] as const;
/** Backbones whose transformer layers can be recomputed in the backward pass (training.gradient_checkpointing). */
export const GRADIENT_CHECKPOINTING_BACKBONES = ["vit_conv_stem", "vit_b_16"] as const;
/** How a multilabel run's per-class decision thresholds are chosen: fixed, or on the validation set. */
export const THRESHOLD_TUNING = ["none", "f1", "youden"] as const;
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

// Options of a backbone live under model.<backbone>; refused under another backbone, defaulted for their own.
const vitConvStemSchema = z
  .object({
    // defaults: 5,169,760 parameters at 224 px (4,616,800 at 64 px), see docs/trainer.md
    dim: count(8).default(192),
    depth: count(1).default(10),
    heads: count(1).default(3),
    mlp_dim: count(1).default(768),
    dropout: fraction().default(0.1),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.dim % o.heads)
      ctx.addIssue({
        code: "custom", path: ["heads"],
        message: `${o.heads} heads do not divide dim ${o.dim}; each head gets dim / heads channels: use heads ${divisors(o.dim).join(", ")} or change dim`,
      });
  });

const baselineCnnSchema = z
  .object({
    // conv-BN-ReLU-maxpool blocks; channels: one width per block (default 32, 64, 128, ... doubling)
    conv_blocks: count(1).max(8, { error: "expected at most 8 blocks" }).optional(),
    channels: z.array(count(1)).min(1, { error: "expected one width per block" }).max(8, { error: "expected at most 8 blocks" }).optional(),
    // a Linear-ReLU layer of this width after the pooling (null: none)
    classifier_hidden: count(1).nullable().default(null),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.conv_blocks !== undefined && o.channels && o.channels.length !== o.conv_blocks)
      ctx.addIssue({ code: "custom", path: ["channels"], message: `${o.channels.length} widths for ${o.conv_blocks} conv_blocks; give one width per block, or leave one of the two out` });
  })
  .transform((o) => {
    const blocks = o.conv_blocks ?? o.channels?.length ?? 4;
    return { conv_blocks: blocks, channels: o.channels ?? Array.from({ length: blocks }, (_, i) => 32 * 2 ** i), classifier_hidden: o.classifier_hidden };
  });

export const BACKBONE_OPTIONS = { baseline_cnn: baselineCnnSchema, vit_conv_stem: vitConvStemSchema } as const;
export type BackboneWithOptions = keyof typeof BACKBONE_OPTIONS;

function divisors(n: number): number[] {
  return Array.from({ length: Math.min(n, 16) }, (_, i) => i + 1).filter((d) => n % d === 0);
}

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
    baseline_cnn: baselineCnnSchema.optional(),
    vit_conv_stem: vitConvStemSchema.optional(),
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

const DEFAULT_PHASES = z.array(phaseSchema).parse([
  { name: "heads", epochs: 3, lr: 1e-3, train: ["heads"] },
  { name: "finetune", epochs: 15, lr: 1e-4, train: ["all"], backbone_lr_mult: 0.1, warmup_epochs: 1, schedule: "cosine" },
]);

// training.progressive_unfreezing (progressive-unfreezing.ts): expanded into training.phases
const progressiveUnfreezingSchema = z
  .object({
    // the epochs (1-based) from which the next stage group trains too; strictly increasing
    schedule: z.array(count(1)).min(1, { error: "list at least one epoch at which a stage group unfreezes" }),
    epochs: count(1),
    lr: positive(),
    // the order stages unfreeze in, one entry (a stage or a list of stages) per step; default: the backbone's, last first
    stages: z.array(z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).min(1).optional(),
    backbone_lr_mult: positive().default(1),
    lr_schedule: enumOf(SCHEDULES).default("constant"),
    warmup_epochs: z.number().min(0).default(0),
  })
  .strict();

// training.limit_*_batches: null = every batch; a whole number = that many batches; a share in (0, 1) of them
const batchLimit = () =>
  z
    .number({ error: (iss) => `expected a whole number of batches, a share between 0 and 1, or null, got ${describe(iss.input)}` })
    .positive({ error: "expected a whole number of batches (>= 1) or a share between 0 and 1" })
    .refine((v) => v < 1 || Number.isInteger(v), { error: "expected a whole number of batches (>= 1) or a share between 0 and 1" })
    .nullable()
    .default(null);

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
    // default (resolveTaskDefaults): DEFAULT_PHASES, or the expansion of progressive_unfreezing
    phases: z.array(phaseSchema).min(1, { error: "at least one phase is needed" }).optional(),
    progressive_unfreezing: progressiveUnfreezingSchema.optional(),
    // multilabel: a class is predicted from this probability on (precision/recall/f1/accuracy); tune: chosen
    // per class on each validation evaluation (f1: its best F1, youden: its best TPR - FPR), test uses the best
    // checkpoint's. multiclass decides by argmax.
    decision_threshold: z
      .object({ value: fraction().default(0.5), tune: enumOf(THRESHOLD_TUNING).default("none") })
      .strict()
      .default({ value: 0.5, tune: "none" }),
    // debug knobs (Lightning's limit_train_batches / limit_val_batches and profiler)
    limit_train_batches: batchLimit(),
    limit_val_batches: batchLimit(),
    // a torch.profiler trace of `steps` training steps after `skip` (runs/<id>/profile/trace.json)
    profile: z.object({ steps: count(1).default(5), skip: count(0).default(1) }).strict().nullable().default(null),
    // recompute transformer layers in the backward pass instead of storing their activations
    gradient_checkpointing: z.boolean().default(false),
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

/** Where a run's trainer runs (daemon/src/executors/): a child of the daemon, or a Slurm job. */
export const EXECUTORS = ["local", "slurm"] as const;
/** Slurm's --time as a run may give it: HH:MM:SS, or D-HH:MM:SS with HH below 24. */
export function isTimeLimit(t: string): boolean {
  const m = /^(?:(\d+)-)?(\d+):([0-5]\d):([0-5]\d)$/.exec(t);
  return !!m && (m[1] === undefined ? m[2].length <= 3 : Number(m[2]) < 24 && m[2].length <= 2);
}

const resourcesSchema = z
  .object({
    gpus: count(0).default(1),
    priority: count(0).default(50),
    // null: the daemon's executor (`trainyard daemon --executor`, local unless set)
    executor: enumOf(EXECUTORS).nullable().default(null),
    nodes: count(1).default(1),
    // null: resources.gpus on each node
    gpus_per_node: count(0).nullable().default(null),
    time_limit: z
      .string({ error: (iss) => `expected a time limit like "02:00:00" or "1-12:00:00", got ${describe(iss.input)}` })
      .refine(isTimeLimit, {
        error: (iss) => `expected a time limit HH:MM:SS or D-HH:MM:SS (Slurm's --time), got ${describe(iss.input)}`,
      })
      .nullable()
      .default(null),
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
    checkBackboneOptions(c, ctx);
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
    checkTaskIgnoredKeys(c, ctx);
  })
  .transform((c) => resolveTaskDefaults(c));

// Keys one task family never reads, refused when set to anything but their default (a default cannot be told
// from a key left out): a detector has its own heads (model.detector) and no metadata branch; a risk model's
// target is the follow-up and event, whatever diagnoses a label set would pick.
const MODEL_DEFAULTS = (() => {
  const m = modelSchema.parse({});
  return { image_head: m.image_head, fusion: m.fusion, dropout: m.dropout, hidden: m.metadata.hidden };
})();
function checkTaskIgnoredKeys(c: {
  dataset: { labels: { set: string | string[] } };
  model: { image_head: number; fusion: number; dropout: number; metadata: { hidden: number } };
  training: { task: Task };
}, ctx: ExperimentCheck) {
  const family = TASK_DECLARATIONS[c.training.task].family;
  if (family === "detection") {
    const given: [string[], number, number][] = [
      [["model", "image_head"], c.model.image_head, MODEL_DEFAULTS.image_head],
      [["model", "fusion"], c.model.fusion, MODEL_DEFAULTS.fusion],
      [["model", "dropout"], c.model.dropout, MODEL_DEFAULTS.dropout],
      [["model", "metadata", "hidden"], c.model.metadata.hidden, MODEL_DEFAULTS.hidden],
    ];
    for (const [path, value, fallback] of given)
      if (value !== fallback)
        ctx.addIssue({ code: "custom", path, message: `detection models do not read model.${path.slice(1).join(".")} (it sizes the classifier's and risk models' heads); remove it, or size the detector with model.detector` });
  }
  if (family === "risk" && c.dataset.labels.set !== "all")
    ctx.addIssue({ code: "custom", path: ["dataset", "labels", "set"], message: "training.task risk predicts the follow-up event, not diagnoses: a label set selects nothing here; remove dataset.labels.set" });
}

type ExperimentCheck = z.core.$RefinementCtx;

/** Backbone options, gradient checkpointing, progressive unfreezing and decision thresholds against the backbone and task. */
function checkBackboneOptions(c: {
  dataset: { image_size: number };
  model: { backbone: (typeof BACKBONES)[number]; baseline_cnn?: { conv_blocks: number; classifier_hidden: number | null }; vit_conv_stem?: { depth: number } };
  training: {
    task: Task; phases?: unknown[]; gradient_checkpointing: boolean; decision_threshold: { value: number; tune: string };
    progressive_unfreezing?: Parameters<typeof unfreezingProblems>[0];
  };
}, ctx: ExperimentCheck) {
  const backbone = c.model.backbone;
  for (const key of Object.keys(BACKBONE_OPTIONS) as BackboneWithOptions[])
    if (c.model[key] !== undefined && backbone !== key)
      ctx.addIssue({ code: "custom", path: ["model", key], message: `configures the ${key} backbone but model.backbone is ${backbone}; remove model.${key} or set model.backbone: ${key}` });
  if (backbone === "vit_conv_stem" && c.dataset.image_size % 4)
    ctx.addIssue({ code: "custom", path: ["dataset", "image_size"], message: `vit_conv_stem's stem downsamples 4x: the image size must be divisible by 4 (${c.dataset.image_size - (c.dataset.image_size % 4)} or ${c.dataset.image_size - (c.dataset.image_size % 4) + 4})` });
  const blocks = backbone === "baseline_cnn" ? c.model.baseline_cnn?.conv_blocks ?? 4 : 0;
  if (2 ** blocks > c.dataset.image_size)
    ctx.addIssue({ code: "custom", path: ["model", "baseline_cnn", "conv_blocks"], message: `${blocks} blocks halve a ${c.dataset.image_size} px image below one pixel; use at most ${Math.floor(Math.log2(c.dataset.image_size))} or a larger dataset.image_size` });
  const family = TASK_DECLARATIONS[c.training.task].family;
  if (c.training.gradient_checkpointing && (family === "detection" || !(GRADIENT_CHECKPOINTING_BACKBONES as readonly string[]).includes(backbone)))
    ctx.addIssue({
      code: "custom", path: ["training", "gradient_checkpointing"],
      message: family === "detection"
        ? "detectors do not support gradient checkpointing; turn it off"
        : `backbone ${backbone} does not support gradient checkpointing (its BatchNorm would count each recomputed batch twice); it applies to ${GRADIENT_CHECKPOINTING_BACKBONES.join(", ")}: turn it off or change model.backbone`,
    });
  const dt = c.training.decision_threshold;
  if (c.training.task !== "multilabel" && (dt.value !== 0.5 || dt.tune !== "none"))
    ctx.addIssue({
      code: "custom", path: ["training", "decision_threshold"],
      message: c.training.task === "multiclass"
        ? "a multiclass run predicts the most probable class (argmax), it has no decision threshold; remove training.decision_threshold or use training.task: multilabel"
        : `${c.training.task} has no class decision threshold${c.training.task === "detection" ? " (see training.detection.score_threshold)" : ""}; remove training.decision_threshold`,
    });
  const pu = c.training.progressive_unfreezing;
  if (pu && c.training.phases !== undefined)
    ctx.addIssue({ code: "custom", path: ["training", "progressive_unfreezing"], message: "training.phases and training.progressive_unfreezing both say what trains when; keep one (progressive_unfreezing expands into phases: the new-run form shows them)" });
  else if (pu) {
    const options = stageOptions(c.model);
    for (const p of unfreezingProblems(pu, backbone, options))
      ctx.addIssue({ code: "custom", path: ["training", "progressive_unfreezing", ...p.path], message: p.message });
  }
}

function stageOptions(m: { backbone: string; baseline_cnn?: { conv_blocks: number; classifier_hidden: number | null }; vit_conv_stem?: { depth: number } }) {
  if (m.backbone === "baseline_cnn") return { conv_blocks: m.baseline_cnn?.conv_blocks ?? 4, classifier_hidden: m.baseline_cnn?.classifier_hidden ?? null };
  if (m.backbone === "vit_conv_stem") return { depth: m.vit_conv_stem?.depth ?? 10 };
  return {};
}

/** The stage names of the backbone a (resolved) model section describes: what phases' train lists may name. */
export function modelStages(m: Parameters<typeof stageOptions>[0]): string[] {
  return backboneStages(m.backbone, stageOptions(m));
}

/** Fills the defaults that depend on the task (arch, monitors, the "other" class). */
function resolveTaskDefaults<C extends {
  training: {
    task: Task; early_stopping: { monitor?: string }; checkpoint: { monitor?: string };
    phases?: z.output<typeof phaseSchema>[]; progressive_unfreezing?: z.output<typeof progressiveUnfreezingSchema>;
  };
  model: { arch?: Arch; backbone: (typeof BACKBONES)[number] } & Parameters<typeof stageOptions>[0];
  dataset: { labels: { other_class?: boolean } };
}>(c: C) {
  const task = TASK_DECLARATIONS[c.training.task];
  const backbone = c.model.backbone;
  const options = backbone in BACKBONE_OPTIONS
    ? { [backbone]: c.model[backbone as BackboneWithOptions] ?? BACKBONE_OPTIONS[backbone as BackboneWithOptions].parse({}) }
    : {};
  const model = { ...c.model, ...options, arch: c.model.arch ?? task.defaultArch };
  const pu = c.training.progressive_unfreezing;
  const phases = c.training.phases ?? (pu ? z.array(phaseSchema).parse(expandProgressiveUnfreezing(pu, backbone, stageOptions(model))) : DEFAULT_PHASES);
  return {
    ...c,
    dataset: { ...c.dataset, labels: { ...c.dataset.labels, other_class: c.dataset.labels.other_class ?? task.otherClass } },
    model,
    training: {
      ...c.training,
      phases,
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
