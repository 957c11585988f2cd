// The model registry: register a run's checkpoint, list and show models, move aliases, resolve references,
// build exports (downloads go through GET /api/models/<name>/versions/<v>/export/<format>, model-export-route.ts).
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { publicProcedure, router, type Context } from "./trpc.ts";
import { ModelRegistryError } from "../models/model-refs.ts";
import { listModelSummaries, registerModelVersion, resolveModelVersion, setModelAlias, showModel, versionView } from "../models/registry.ts";
import { builtExports, checkExportFormat, ensureExport, EXPORT_FORMATS, exportableOf } from "../models/model-exports.ts";

/** Registry refusals carry the tRPC code to answer with; everything else is the daemon's own error. */
async function registry<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ModelRegistryError) throw new TRPCError({ code: e.code, message: e.message });
    throw e;
  }
}

const actor = (ctx: Context) => ({ name: ctx.user.name, admin: ctx.user.admin });
const modelName = z.string().min(1).max(100);
const reference = z.object({ ref: z.string().min(1).max(200) });

/** Where a version's export is downloaded (built on the first request). */
export const exportUrl = (model: string, version: number, format: string) =>
  `/api/models/${encodeURIComponent(model)}/versions/${version}/export/${format}`;

const withUrls = (model: string, version: number, built: Record<string, boolean>) =>
  Object.fromEntries(EXPORT_FORMATS.map((f) => [f, { built: built[f] ?? false, url: exportUrl(model, version, f) }]));

export const modelsRouter = router({
  list: publicProcedure.query(({ ctx }) => listModelSummaries(ctx.daemon.store.db)),

  /** A model with every version (lineage, metrics at registration, exports), its aliases and their history. */
  get: publicProcedure.input(z.object({ name: modelName })).query(({ ctx, input }) =>
    registry(() => {
      const detail = showModel(ctx.daemon, input.name, (m, v) => builtExports(ctx.daemon, m, v));
      return { ...detail, versions: detail.versions.map((v) => ({ ...v, exports: withUrls(v.model, v.version, v.exports) })) };
    }),
  ),

  /** "M", "M@3", "M@production" → that version (unknown names and aliases are refused with the closest ones). */
  resolve: publicProcedure.input(reference).query(({ ctx, input }) =>
    registry(() => {
      const r = resolveModelVersion(ctx.daemon.store.db, input.ref);
      const built = builtExports(ctx.daemon, r.model.name, r.version.version);
      return { ...versionView(ctx.daemon, r.model, r.version, [], {}), alias: r.alias, exports: withUrls(r.model.name, r.version.version, built) };
    }),
  ),

  register: publicProcedure
    .input(
      z
        .object({
          runId: z.string().min(1).max(64),
          checkpoint: z.string().min(1).max(200).optional(),
          name: modelName,
          description: z.string().max(5000).optional(),
          tags: z.record(z.string().min(1).max(64), z.string().max(500)).optional(),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) =>
      registry(async () => {
        const r = await registerModelVersion(ctx.daemon, input, actor(ctx));
        return { model: r.model.name, version: r.version.version, ref: r.ref, runId: r.version.runId, checkpoint: r.version.checkpointName, sha256: r.version.checkpointSha256, datasetFingerprint: r.version.datasetFingerprint };
      }),
    ),

  /** Point ALIAS at VERSION (recorded in the alias history). */
  alias: publicProcedure
    .input(z.object({ name: modelName, version: z.union([z.number().int().min(1), z.string().min(1).max(20)]), alias: z.string().min(1).max(64) }).strict())
    .mutation(({ ctx, input }) => registry(() => setModelAlias(ctx.daemon, input.name, String(input.version), input.alias, actor(ctx)))),

  /** Build an export now (if it is not built yet) and say where to download it. */
  export: publicProcedure
    .input(z.object({ ref: z.string().min(1).max(200), format: z.string().min(1).max(20) }).strict())
    .mutation(({ ctx, input }) =>
      registry(async () => {
        const format = checkExportFormat(input.format);
        const r = resolveModelVersion(ctx.daemon.store.db, input.ref);
        await ensureExport(ctx.daemon, exportableOf(r), format);
        return { ref: r.ref, format, url: exportUrl(r.model.name, r.version.version, format) };
      }),
    ),
});
