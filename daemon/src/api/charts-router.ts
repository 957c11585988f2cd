// Dashboard reads that span runs or need full resolution: bucketed series of many runs in one call and,
// separately, TensorBoard smoothing computed over every stored point; full CSV exports, ROC / PR curves, final / best /
// test metrics, epoch durations, and the runs table's server-side paging, filtering and sorting.
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import {
  distinctKeys, epochDurations, getRun, listCurveEvaluations, pageRuns, queuePositions,
  listSampleEvaluations, readCurves, readSamples, RUN_SORT_COLUMNS, runTags, summarizeMetrics, firstNonFinite, type BucketOptions } from "@trainyard/db";
import { FINAL_STATES, RUN_STATES, type RunState } from "@trainyard/protocol/run-states";
import type { WireSeries, WireSmoothing } from "@trainyard/protocol/series-wire";
import type { ChartReadJob, ChartReadResult } from "../charts/chart-read-jobs.ts";
import type { Daemon } from "../daemon.ts";
import { publicProcedure, router, notFound } from "./trpc.ts";
import { runImages, sampleImageUrl, sourceSize } from "./sample-images.ts";
import { toSummary } from "../runs/run-summary.ts";

const id = z.string().min(1).max(64);
const key = z.string().min(1).max(200);

// A finished run does not change until it is resumed, so its chart reads are cached by request and by
// when it ended (a resumed run ends again later, which retires its old entries); a running run is always read.
const CACHE_LIMIT = 4000;
const readCache = new Map<string, ChartReadResult>();
const summaryCache = new Map<string, ReturnType<typeof summarizeMetrics>>();
/** Reads under way for cacheable series, so an identical request waits for them instead of reading again. */
const inflight = new Map<string, Promise<ChartReadResult>>();

function cacheGet(cacheKey: string): ChartReadResult | undefined {
  const hit = readCache.get(cacheKey);
  if (hit) {
    readCache.delete(cacheKey); // most recently used goes last
    readCache.set(cacheKey, hit);
  }
  return hit;
}

function cacheSet(cacheKey: string, value: ChartReadResult): void {
  readCache.set(cacheKey, value);
  if (readCache.size > CACHE_LIMIT) readCache.delete(readCache.keys().next().value!);
}

const seriesInput = z.object({
  runs: z.array(id).min(1).max(100),
  keys: z.array(key).min(1).max(64),
  maxPoints: z.number().int().min(2).max(4000).default(1000),
  fromStep: z.number().optional(),
  toStep: z.number().optional(),
});

/**
 * One kind of chart read for runs × keys: cached ones from the cache, the rest on the chart-read workers,
 * at `priority` (the buckets a page paints first go before smoothing reads). runId → key → result.
 */
async function chartReads<T extends ChartReadResult>(
  daemon: Daemon,
  kind: ChartReadJob["kind"],
  input: z.infer<typeof seriesInput>,
  opts: BucketOptions,
  signal: AbortSignal | undefined,
  warmOnly = false,
): Promise<Record<string, Record<string, T>>> {
  const wanted: { runId: string; key: string; cacheKey: string | null }[] = [];
  for (const runId of input.runs) {
    const run = getRun(daemon.store.db, runId);
    if (!run) continue;
    const final = FINAL_STATES.includes(run.status as RunState);
    for (const k of input.keys) {
      const cacheKey = final ? JSON.stringify([kind, runId, run.endedAt ?? 0, k, opts.fromStep ?? null, opts.toStep ?? null, opts.maxPoints, opts.smoothing ?? 0]) : null;
      wanted.push({ runId, key: k, cacheKey });
    }
  }
  const found: (ChartReadResult | Promise<ChartReadResult> | undefined)[] = wanted.map((w) => (w.cacheKey ? cacheGet(w.cacheKey) ?? inflight.get(w.cacheKey) : undefined));
  // a warm-up reads only what a later request can take from the cache: finished runs' series
  const misses = wanted.flatMap((w, i) => (found[i] || (warmOnly && !w.cacheKey) ? [] : [i]));
  if (misses.length) {
    const reading = daemon.chartReads.read(
      misses.map((i) => ({ kind, runId: wanted[i].runId, key: wanted[i].key, opts })),
      // a warm-up read has no browser waiting on it: nobody may abort it, the next request will use it
      { signal: warmOnly ? undefined : signal, priority: kind === "buckets" ? 1 : 0 },
    );
    misses.forEach((i, j) => {
      const cacheKey = wanted[i].cacheKey;
      const one = reading.then((r) => {
        if (cacheKey) cacheSet(cacheKey, r[j]);
        return r[j];
      });
      found[i] = one;
      if (!warmOnly || !cacheKey) return;
      // the page's own request for the same series waits for its warm-up instead of reading again (only
      // warm-ups are shared: they cannot be aborted, so whoever waits on one gets an answer)
      inflight.set(cacheKey, one);
      void one.catch(() => undefined).finally(() => inflight.delete(cacheKey));
    });
  }
  if (warmOnly) return {};
  const results = await Promise.all(found);
  const out: Record<string, Record<string, T>> = {};
  wanted.forEach((w, i) => ((out[w.runId] ??= {})[w.key] = results[i] as T));
  return out;
}

export const chartsRouter = router({
  /**
   * Per-bucket min / max / last / mean / count for each run and key over [fromStep, toStep], at most
   * maxPoints buckets per series, as base64 columns (packages/db/src/series-wire.ts; the smoothing is
   * charts.smoothing's). Built from stored group
   * aggregates where bucket edges line up with them: the cheap read a page paints first.
   */
  series: publicProcedure.input(seriesInput).query(({ ctx, input, signal }) =>
    chartReads<WireSeries>(ctx.daemon, "buckets", input, { fromStep: input.fromStep, toStep: input.toStep, maxPoints: input.maxPoints }, signal),
  ),

  /**
   * Starts the charts.series read of finished runs' series and answers at once; the result waits in the
   * cache for the identical charts.series request. The dashboard's server render sends it for the compare
   * page, so the read overlaps the browser loading the page's code. Running runs are not read ahead.
   */
  warm: publicProcedure.input(seriesInput).query(async ({ ctx, input }) => {
    await chartReads(ctx.daemon, "buckets", input, { fromStep: input.fromStep, toStep: input.toStep, maxPoints: input.maxPoints }, undefined, true);
    return { started: true };
  }),

  /**
   * TensorBoard's debiased EMA over every stored point of each series, at the last point of each bucket
   * charts.series gives for the same runs, keys, range and maxPoints (`total` tells the client whether
   * the two reads saw the same points).
   */
  smoothing: publicProcedure.input(seriesInput.extend({ smoothing: z.number().gt(0).max(0.999) })).query(({ ctx, input, signal }) =>
    chartReads<WireSmoothing>(ctx.daemon, "smoothing", input, { fromStep: input.fromStep, toStep: input.toStep, maxPoints: input.maxPoints, smoothing: input.smoothing }, signal),
  ),

  /** Metric keys of several runs (union, sorted), for the compare view's chart list. */
  keys: publicProcedure.input(z.object({ runs: z.array(id).min(1).max(100) })).query(({ ctx, input }) =>
    [...new Set(input.runs.flatMap((r) => distinctKeys(ctx.daemon.store.sqlite, r)))].sort(),
  ),

  /** The evaluations that printed ROC / PR curves (split, epoch, classes). */
  curveEvaluations: publicProcedure.input(z.object({ id })).query(({ ctx, input }) => listCurveEvaluations(ctx.daemon.store.sqlite, input.id)),

  /** The evaluations that sampled validation images with their predicted boxes (detection runs), oldest first. */
  sampleEvaluations: publicProcedure.input(z.object({ id })).query(({ ctx, input }) => {
    if (!getRun(ctx.daemon.store.db, input.id)) notFound(`no run "${input.id}"`);
    return listSampleEvaluations(ctx.daemon.store.sqlite, input.id);
  }),

  /**
   * One sampled evaluation: per image its row, predicted boxes [x0, y0, x1, y1, score, class] and true
   * boxes [x0, y0, x1, y1, class] in source-image pixels, the image's URL (cropped to the content, so a
   * box maps onto it by displayed width / source width) and its source size (null when the cache has no
   * geometry).
   */
  samples: publicProcedure
    .input(z.object({ id, split: z.string().min(1).max(20), epoch: z.number().int() }))
    .query(({ ctx, input }) => {
      const run = getRun(ctx.daemon.store.db, input.id);
      if (!run) notFound(`no run "${input.id}"`);
      const found = readSamples(ctx.daemon.store.sqlite, input.id, input.split, input.epoch);
      if (!found) notFound(`run ${input.id} sampled no images at ${input.split} epoch ${input.epoch}`);
      const images = runImages(ctx.daemon, run);
      return {
        ...found,
        items: found.items.map((item) => ({ ...item, image: sampleImageUrl(run.id, item.row), source: "error" in images ? null : sourceSize(images, item.row) })),
      };
    }),

  /** ROC and PR curves of one evaluation, one per kind and class. */
  curves: publicProcedure
    .input(z.object({ id, split: z.string().min(1).max(20), epoch: z.number().int() }))
    .query(({ ctx, input }) => readCurves(ctx.daemon.store.sqlite, input.id, input.split, input.epoch)),

  /** Last value and extremes of every val/ and test/ key, with each run's summary and config: compare tables. */
  summaries: publicProcedure.input(z.object({ runs: z.array(id).min(1).max(100) })).query(({ ctx, input }) =>
    input.runs.flatMap((runId) => {
      const run = getRun(ctx.daemon.store.db, runId);
      if (!run) return [];
      const final = FINAL_STATES.includes(run.status as RunState);
      let metrics = final ? summaryCache.get(`${runId}|${run.endedAt}`) : undefined;
      if (!metrics) {
        metrics = summarizeMetrics(ctx.daemon.store.sqlite, runId, ["val/", "test/"]);
        if (final) summaryCache.set(`${runId}|${run.endedAt}`, metrics);
        if (summaryCache.size > 2000) summaryCache.delete(summaryCache.keys().next().value!);
      }
      return [{ run: toSummary(run), config: run.config, metrics }];
    }),
  ),

  /** Seconds per epoch (from the wall time of train/loss points). */
  /** Where the run's charted keys first became NaN or infinite: the run page marks those steps. */
  nonFinite: publicProcedure.input(z.object({ id, keys: z.array(z.string().min(1).max(200)).max(200) })).query(({ ctx, input }) => {
    if (!getRun(ctx.daemon.store.db, input.id)) notFound(`no run "${input.id}"`);
    return firstNonFinite(ctx.daemon.store.sqlite, input.id, input.keys);
  }),

  epochTimes: publicProcedure.input(z.object({ id })).query(({ ctx, input }) => {
    if (!getRun(ctx.daemon.store.db, input.id)) notFound(`no run "${input.id}"`);
    return epochDurations(ctx.daemon.store.sqlite, input.id);
  }),

  /** One page of the runs table, filtered and sorted server-side, with queue positions. */
  runsPage: publicProcedure
    .input(
      z.object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(100),
        text: z.string().max(200).optional(),
        regex: z.string().max(200).optional(),
        status: z.array(z.enum(RUN_STATES)).optional(),
        tag: z.string().max(100).optional(),
        sort: z.enum(RUN_SORT_COLUMNS).default("created"),
        dir: z.enum(["asc", "desc"]).default("desc"),
      }),
    )
    .query(({ ctx, input }) => {
      let page: { total: number; ids: string[] };
      try {
        page = pageRuns(ctx.daemon.store.sqlite, input);
      } catch (e) {
        if (e instanceof SyntaxError) throw new TRPCError({ code: "BAD_REQUEST", message: `regex: ${e.message}` });
        throw e;
      }
      const queue = queuePositions(ctx.daemon.store.sqlite);
      const rows = page.ids.flatMap((runId) => {
        const run = getRun(ctx.daemon.store.db, runId);
        if (!run) return [];
        const tags = (run.config as { tags?: unknown }).tags;
        return [{ ...toSummary(run), queuePosition: queue.get(run.id) ?? null, tags: Array.isArray(tags) ? tags.map(String) : [] }];
      });
      return { total: page.total, offset: input.offset, rows, tags: runTags(ctx.daemon.store.sqlite) };
    }),
});
