import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { getDataset, listDatasets, listLabelSets, upsertLabelSet } from "@trainyard/db";
import { matchLabels } from "@trainyard/data";
import { publicProcedure, router, notFound } from "./trpc.ts";
import { DatasetImportError, importDataset } from "../datasets/import-dataset.ts";
import { createDemoDataset } from "../datasets/demo.ts";

const importInput = z.object({
  name: z.string().min(1).max(100),
  manifest: z.string().min(1).max(4096),
  images: z.string().min(1).max(4096),
  imageCol: z.string().max(200).optional(),
  groupCol: z.string().max(200).optional(),
  labelCol: z.string().max(200).optional(),
  splitCol: z.string().max(200).optional(),
  labelDelimiter: z.string().min(1).max(5).optional(),
  replace: z.boolean().default(false),
});

export const datasetsRouter = router({
  list: publicProcedure.query(({ ctx }) =>
    listDatasets(ctx.daemon.store.db).map((d) => ({
      name: d.name,
      status: d.status,
      numSamples: d.numSamples,
      numGroups: d.numGroups,
      diagnoses: d.diagnoses,
      createdAt: d.createdAt,
    })),
  ),
  get: publicProcedure.input(z.object({ name: z.string().min(1).max(200) })).query(({ ctx, input }) => {
    const d = getDataset(ctx.daemon.store.db, input.name);
    if (!d) notFound(`no dataset "${input.name}"`);
    return { name: d.name, status: d.status, numSamples: d.numSamples, numGroups: d.numGroups, diagnoses: d.diagnoses, features: d.features, report: d.report, error: d.error, createdAt: d.createdAt };
  }),
  import: publicProcedure.input(importInput).mutation(({ ctx, input }) => {
    try {
      const row = importDataset(ctx.daemon, input.name, { ...input, imagesDir: input.images }, { replace: input.replace });
      return { name: row.name, numSamples: row.numSamples, numGroups: row.numGroups, diagnoses: row.diagnoses, report: row.report };
    } catch (e) {
      if (e instanceof DatasetImportError) throw new TRPCError({ code: "BAD_REQUEST", message: e.message });
      throw e;
    }
  }),
  /** Generate and import the built-in demo dataset (and its label set), replacing an older copy. */
  createDemo: publicProcedure.mutation(async ({ ctx }) => createDemoDataset(ctx.daemon)),
  addLabelSet: publicProcedure
    .input(z.object({ name: z.string().regex(/^[\w.-]{1,100}$/, { error: "use letters, digits and . _ - (at most 100)" }), labels: z.array(z.string().max(500)).max(10_000), dataset: z.string().max(200).optional() }))
    .mutation(({ ctx, input }) => {
      const labels = [...new Set(input.labels.map((l) => l.trim()).filter(Boolean))];
      if (!labels.length) throw new TRPCError({ code: "BAD_REQUEST", message: `label set "${input.name}" is empty: write one diagnosis per line` });
      if (input.dataset) {
        const d = getDataset(ctx.daemon.store.db, input.dataset);
        if (!d) notFound(`no dataset "${input.dataset}"`);
        const { unknown } = matchLabels(labels, Object.keys(d.diagnoses));
        if (unknown.length)
          throw new TRPCError({ code: "BAD_REQUEST", message: unknown.map((u) => `"${u.label}" is not a diagnosis of ${d.name}${u.closest.length ? ` (closest: ${u.closest.join(", ")})` : ""}`).join("; ") });
      }
      upsertLabelSet(ctx.daemon.store.db, input.name, labels, null);
      return { name: input.name, labels };
    }),
  labelSets: publicProcedure.query(({ ctx }) => listLabelSets(ctx.daemon.store.db).map((l) => ({ name: l.name, labels: l.labels }))),
});
