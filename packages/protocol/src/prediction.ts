// What `POST /api/predict` answers (daemon, CLI and the dashboard's /try page read the same shape).
import { z } from "zod";

/** One metadata field a model takes, as its encoder describes it (the /try page builds its form from these). */
export const PredictionFieldSchema = z.object({
  name: z.string(),
  kind: z.enum(["continuous", "categorical", "boolean", "multiselect"]),
  /** categorical: the values it knows; multiselect: the options. */
  choices: z.array(z.string()).optional(),
  /** multiselect: the separator between selected options. */
  delimiter: z.string().optional(),
});
export type PredictionField = z.infer<typeof PredictionFieldSchema>;

/** What a target is, for a caller choosing one: no paths. */
export const PredictionTargetInfoSchema = z.object({
  ref: z.string(),
  task: z.enum(["multilabel", "multiclass", "detection", "risk"]),
  classes: z.array(z.string()),
  imageSize: z.number().int(),
  fields: z.array(PredictionFieldSchema),
});
export type PredictionTargetInfo = z.infer<typeof PredictionTargetInfoSchema>;

export const PredictedBoxSchema = z.object({
  /** Source-image pixels, x0 y0 x1 y1. */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  label: z.string(),
  score: z.number(),
});

export const PredictionSchema = z.object({
  target: PredictionTargetInfoSchema,
  image: z.object({ width: z.number().int(), height: z.number().int(), format: z.enum(["png", "jpeg"]) }),
  /** Fields left empty (encoded as missing, as in training). */
  missing: z.array(z.string()),
  ms: z.object({ decode: z.number(), model: z.number(), total: z.number() }),
  result: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("probabilities"), probabilities: z.array(z.object({ label: z.string(), probability: z.number() })) }),
    z.object({ kind: z.literal("boxes"), threshold: z.number(), boxes: z.array(PredictedBoxSchema) }),
    z.object({ kind: z.literal("risks"), risks: z.array(z.object({ year: z.number().int(), risk: z.number() })) }),
  ]),
});
export type Prediction = z.infer<typeof PredictionSchema>;

/** Metadata as the request carries it: field -> value (numbers, booleans and strings; arrays for multiselect). */
export const PredictionMetadataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]));
export type PredictionMetadata = z.infer<typeof PredictionMetadataSchema>;

/** Upload limits the daemon applies (defaults; TRAINYARD_PREDICT_MAX_BYTES / _MAX_PIXELS override). */
export const PREDICT_MAX_BYTES = 20 * 1024 * 1024;
export const PREDICT_MAX_PIXELS = 50_000_000;
