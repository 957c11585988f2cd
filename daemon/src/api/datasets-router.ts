import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { ConfigError } from "@trainyard/config";
import { FeatureSchemaError, ManifestError, encodedDimension, inspectManifest, matchLabels, readManifestColumns, detectImageExt } from "@trainyard/data";
import { getDataset, listDatasets, listLabelSets, upsertLabelSet, getImageCache, type DatasetRow } from "@trainyard/db";
import { publicProcedure, router, notFound, badRequest } from "./trpc.ts";
import { DatasetImportError } from "../datasets/import-dataset.ts";
import { importJobs } from "../datasets/import-jobs.ts";
import { computePreview } from "../datasets/preview.ts";
import { createDemoDataset, DEMO_TASKS } from "../datasets/demo.ts";
import { datasetBoxes, datasetSurvival } from "../runs/label-resolution.ts";
import { TASKS } from "@trainyard/protocol/tasks";
import { resolve } from "node:path";
import { existsSync } from "node:fs";

const column = z.string().min(1).max(200).optional();
const manifestInput = z.object({
  manifest: z.string().min(1, { error: "give the manifest's path" }).max(4096),
  images: z.string().max(4096).optional(),
  delimiter: z.string().min(1).max(2).optional(),
  imageCol: column,
  groupCol: column,
  labelCol: column,
  splitCol: column,
  caseCol: column,
  /** Follow-up in years, or "START,END": two date columns (training.task risk); needs eventCol. */
  timeCol: z.string().min(1).max(401).optional(),
  /** 1 event, 0 censored (true/false, yes/no); needs timeCol. */
  eventCol: column,
  /** The view of each image (L-CC, R-MLO, ...); needs caseCol. */
  viewCol: column,
  labelDelimiter: z.string().min(1).max(5).optional(),
  /** A boxes file comes with the import: the diagnoses come from its classes unless labelCol is given. */
  labelsFromBoxes: z.boolean().optional(),
});

const boxesInput = z.object({
  path: z.string().min(1, { error: "give the boxes file or folder" }).max(4096),
  format: z.enum(["csv", "coco", "yolo"]).optional(),
  imageCol: column,
  coords: z.tuple([z.string().min(1).max(200), z.string().min(1).max(200), z.string().min(1).max(200), z.string().min(1).max(200)]).optional(),
  labelCol: column,
  names: z.string().min(1).max(4096).optional(),
});

const importInput = manifestInput.extend({
  name: z.string().regex(/^[\w.-]{1,100}$/, { error: "use letters, digits and . _ - (at most 100)" }),
  images: z.string().min(1, { error: "give the image folder" }).max(4096),
  /** A feature schema ({version, features}) — the reviewed inferred one, or a file's content. */
  schema: z.unknown().optional(),
  /** Default: crop, or pad for a dataset with boxes (which refuses crop). */
  fit: z.enum(["crop", "pad"]).optional(),
  boxes: boxesInput.optional(),
  imageCheck: z.enum(["decode", "exists", "none"]).default("decode"),
  replace: z.boolean().default(false),
});

const splitInput = z.object({
  by: z.enum(["patient", "column"]).default("patient"),
  train: z.number().min(0).max(1).default(0.8),
  val: z.number().min(0).max(1).default(0.1),
  test: z.number().min(0).max(1).default(0.1),
  seed: z.number().int().min(0).default(0),
  stratified: z.boolean().default(true),
}).refine((s) => Math.abs(s.train + s.val + s.test - 1) < 1e-6, { error: "train + val + test must add up to 1", path: ["train"] });

const previewInput = z.object({
  dataset: z.string().min(1).max(200),
  labels: z.union([z.string().min(1).max(200), z.array(z.string().max(500)).max(10_000)]),
  otherClass: z.boolean().default(true),
  otherRatio: z.number().min(0).max(1).default(0.1),
  unlabeled: z.enum(["drop", "keep"]).default("drop"),
  split: splitInput.default({ by: "patient", train: 0.8, val: 0.1, test: 0.1, seed: 0, stratified: true }),
  subsampleFraction: z.number().gt(0).max(1).optional(),
  subsampleStratified: z.boolean().optional(),
  imageSize: z.number().int().min(8).max(4096).optional(),
  task: z.enum(TASKS).optional(),
  /** Risk: training.risk.missing_views. */
  missingViews: z.enum(["drop", "allow"]).optional(),
});

function boxSummary(d: DatasetRow): { total: number; classes: Record<string, number>; noFindings: number } | null {
  const b = datasetBoxes(d);
  return b && { total: b.total, classes: b.perClass, noFindings: b.noFindings };
}

function userError(e: unknown): never {
  if (e instanceof ConfigError) badRequest(e);
  if (e instanceof DatasetImportError || e instanceof ManifestError || e instanceof FeatureSchemaError) throw new TRPCError({ code: "BAD_REQUEST", message: e.message });
  throw e;
}

export const datasetsRouter = router({
  list: publicProcedure.query(({ ctx }) =>
    listDatasets(ctx.daemon.store.db).map((d) => ({
      name: d.name,
      status: d.status,
      numSamples: d.numSamples,
      numGroups: d.numGroups,
      numDiagnoses: Object.keys(d.diagnoses).length,
      diagnoses: d.diagnoses,
      createdAt: d.createdAt,
      // null: imported without boxes (a detection run needs them); else the kept boxes and their classes
      boxes: boxSummary(d),
      // null: imported without follow-up targets (a risk run needs them); else the report's survival section
      survival: datasetSurvival(d),
    })),
  ),

  /** Import jobs of the last hour (running first), without their reports. */
  imports: publicProcedure.query(({ ctx }) => importJobs(ctx.daemon).list().sort((a, b) => Number(b.status === "running") - Number(a.status === "running") || b.startedAt - a.startedAt)),

  get: publicProcedure.input(z.object({ name: z.string().min(1).max(200) })).query(({ ctx, input }) => {
    const d = getDataset(ctx.daemon.store.db, input.name);
    if (!d) notFound(`no dataset "${input.name}"`);
    const features = d.features as Parameters<typeof encodedDimension>[0];
    return {
      name: d.name, status: d.status, numSamples: d.numSamples, numGroups: d.numGroups, diagnoses: d.diagnoses,
      features, encodedDim: encodedDimension(features), report: d.report as unknown as import("@trainyard/data").ImportReport,
      manifestPath: d.manifestPath, imagesDir: d.imagesDir, error: d.error, createdAt: d.createdAt,
      hasSplitColumn: Boolean((d.report as { split?: unknown }).split),
      boxes: boxSummary(d),
      survival: datasetSurvival(d),
    };
  }),

  /** Read a manifest without importing: the columns chosen, the inferred schema to review, a sample. */
  inspect: publicProcedure.input(manifestInput).query(async ({ input }) => {
    try {
      const manifest = resolve(input.manifest);
      if (!existsSync(manifest)) throw new DatasetImportError(`manifest ${manifest} does not exist`);
      const m = await readManifestColumns(manifest, { delimiter: input.delimiter });
      const first = inspectManifest(m, input);
      const imageExt = input.images ? detectImageExt(resolve(input.images), first.table.imageIds) : undefined;
      const { columns, schema, schemaColumns, table } = imageExt ? inspectManifest(m, { ...input, imageExt }) : first;
      return {
        format: m.format,
        rows: m.rows,
        images: table.imageIds.length,
        header: m.header,
        columns,
        imageExt: imageExt ?? null,
        schema,
        schemaColumns,
        encodedDim: encodedDimension(schema.features),
        sample: Array.from({ length: Math.min(5, m.rows) }, (_, r) => Object.fromEntries(m.header.map((h, c) => [h, m.columns[c][r]]))),
      };
    } catch (e) {
      userError(e);
    }
  }),

  /** Start an import in the background; follow it with importJob / watchImport. */
  import: publicProcedure.input(importInput).mutation(({ ctx, input }) => {
    try {
      const { name, images, fit, replace, schema, labelsFromBoxes: _fromBoxes, ...rest } = input;
      return importJobs(ctx.daemon).start(name, { ...rest, imagesDir: images, cacheFit: fit, schema: schema ?? null }, replace);
    } catch (e) {
      userError(e);
    }
  }),

  importJob: publicProcedure.input(z.object({ id: z.string().min(1).max(64) })).query(({ ctx, input }) => {
    const job = importJobs(ctx.daemon).get(input.id);
    if (!job) notFound(`no import job "${input.id}" (jobs are kept in memory for an hour after they end)`);
    return job;
  }),

  watchImport: publicProcedure.input(z.object({ id: z.string().min(1).max(64) })).subscription(async function* ({ ctx, input, signal }) {
    if (!importJobs(ctx.daemon).get(input.id)) notFound(`no import job "${input.id}"`);
    yield* importJobs(ctx.daemon).watch(input.id, signal);
  }),

  /** Per-class counts per split and final sample counts for these settings (what a run would train on). */
  preview: publicProcedure.input(previewInput).query(({ ctx, input }) => {
    try {
      return computePreview(ctx.daemon, input);
    } catch (e) {
      userError(e);
    }
  }),

  /** The preview for a whole experiment config (CLI `trainyard run CONFIG --dry-run`). */
  previewConfig: publicProcedure
    .input(z.object({ yaml: z.string().min(1).max(200_000), overrides: z.array(z.string().max(1000)).max(100).default([]) }))
    .query(({ ctx, input }) => {
      try {
        const { config, classes } = ctx.daemon.resolveSubmission(input.yaml, input.overrides);
        const l = config.dataset.labels;
        const preview = computePreview(ctx.daemon, {
          task: config.training.task,
          dataset: config.dataset.name,
          labels: l.other_class ? classes.slice(0, -1) : classes,
          otherClass: l.other_class,
          otherRatio: l.other_ratio,
          unlabeled: l.unlabeled,
          split: config.dataset.split,
          subsampleFraction: config.dataset.subsample.fraction,
          subsampleStratified: config.dataset.subsample.stratified,
          imageSize: config.dataset.image_size,
          missingViews: config.training.risk.missing_views,
        });
        const row = getDataset(ctx.daemon.store.db, config.dataset.name)!;
        const cache = getImageCache(ctx.daemon.store.db, row.id, config.dataset.image_size);
        return { name: config.name, imageSize: config.dataset.image_size, cache: cache?.status ?? "not built", ...preview };
      } catch (e) {
        userError(e);
      }
    }),

  /** Generate and import a built-in demo dataset (classification: with its label set; detection: with boxes; risk: exams with follow-up), replacing an older copy. */
  createDemo: publicProcedure
    .input(z.object({ task: z.enum(DEMO_TASKS).default("classification") }).optional())
    .mutation(async ({ ctx, input }) => createDemoDataset(ctx.daemon, input?.task ?? "classification")),

  addLabelSet: publicProcedure
    .input(z.object({ name: z.string().regex(/^[\w.-]{1,100}$/, { error: "use letters, digits and . _ - (at most 100)" }), labels: z.array(z.string().max(500)).max(10_000), dataset: z.string().max(200).optional() }))
    .mutation(({ ctx, input }) => {
      const requested = [...new Set(input.labels.map((l) => l.trim()).filter(Boolean))];
      if (!requested.length) throw new TRPCError({ code: "BAD_REQUEST", message: `label set "${input.name}" is empty: write one diagnosis per line` });
      let labels = requested;
      if (input.dataset) {
        const d = getDataset(ctx.daemon.store.db, input.dataset);
        if (!d) notFound(`no dataset "${input.dataset}"`);
        const { matched, unknown } = matchLabels(requested, Object.keys(d.diagnoses));
        if (unknown.length)
          throw new TRPCError({ code: "BAD_REQUEST", message: unknown.map((u) => `"${u.label}" is not a diagnosis of ${d.name}${u.closest.length ? ` (closest: ${u.closest.join(", ")})` : ""}`).join("; ") });
        labels = matched; // the dataset's own spelling
      }
      upsertLabelSet(ctx.daemon.store.db, input.name, labels, input.dataset ? `dataset:${input.dataset}` : null);
      return { name: input.name, labels };
    }),

  labelSets: publicProcedure.query(({ ctx }) => listLabelSets(ctx.daemon.store.db).map((l) => ({ name: l.name, labels: l.labels, source: l.source }))),
});
