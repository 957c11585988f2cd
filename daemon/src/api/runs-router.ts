import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { ConfigError } from "@trainyard/config";
import { countRuns, getRun, listCheckpoints, listRunEvents, listRuns, distinctKeys, readSeries, RUN_SORT_KEYS, runMetrics, type RunRow } from "@trainyard/db";
import { RUN_STATES } from "@trainyard/protocol/run-states";
import { assertMayChange, publicProcedure, router, badRequest, notFound, type Context } from "./trpc.ts";
import { RunStateError } from "../daemon.ts";
import { toSummary } from "../runs/run-summary.ts";
import { streamFrom, type LiveEvent } from "../runs/event-bus.ts";

const runId = z.object({ id: z.string().min(1).max(64) });
const submitInput = z.object({
  yaml: z.string().min(1, { error: "the config is empty" }).max(200_000),
  overrides: z.array(z.string().max(1000)).max(100).default([]),
});

/** Filters, sort and page of the runs table; every field optional (no input = newest 500). */
const listInput = z
  .object({
    status: z.array(z.enum(RUN_STATES)).max(RUN_STATES.length).optional(),
    owner: z.string().min(1).max(64).optional(),
    dataset: z.string().min(1).max(200).optional(),
    search: z.string().max(200).optional(),
    sort: z.enum(RUN_SORT_KEYS).optional(),
    dir: z.enum(["asc", "desc"]).optional(),
    limit: z.number().int().min(1).max(5000).optional(),
    offset: z.number().int().min(0).max(10_000_000).optional(),
  })
  .strict()
  .optional();

/** Looks the run up and applies the owner-or-admin rule. */
function runToChange(ctx: Context, id: string, action: string): RunRow {
  const run = getRun(ctx.daemon.store.db, id);
  if (!run) notFound(`no run "${id}"`);
  assertMayChange(ctx, run, action);
  return run;
}

function conflictOnState<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RunStateError) throw new TRPCError({ code: "CONFLICT", message: e.message });
    throw e;
  }
}

export const runsRouter = router({
  list: publicProcedure.input(listInput).query(({ ctx, input }) => listRuns(ctx.daemon.store.db, input ?? {}).map((r) => toSummary(r))),

  /** The same filters as list, with the total for paging. */
  page: publicProcedure.input(listInput).query(({ ctx, input }) => {
    const q = { limit: 50, ...input };
    return { items: listRuns(ctx.daemon.store.db, q).map((r) => toSummary(r)), total: countRuns(ctx.daemon.store.db, q), offset: q.offset ?? 0, limit: q.limit };
  }),

  get: publicProcedure.input(runId).query(({ ctx, input }) => {
    const run = getRun(ctx.daemon.store.db, input.id);
    if (!run) notFound(`no run "${input.id}"`);
    return {
      ...toSummary(run),
      config: run.config,
      configYaml: run.configYaml,
      stderrTail: run.stderrTail,
      exitCode: run.exitCode,
      signal: run.signal,
      checkpoints: listCheckpoints(ctx.daemon.store.db, run.id).map((c) => ({
        name: c.name,
        epoch: c.epoch,
        step: c.step,
        monitorName: c.monitorName,
        monitorValue: c.monitorValue,
        createdAt: c.createdAt,
        downloadUrl: `/api/runs/${encodeURIComponent(run.id)}/checkpoints/${encodeURIComponent(c.name)}/download`,
      })),
    };
  }),

  /** The run's numbers for scripts: last value of every key, the best checkpoint's values, test/*. */
  metrics: publicProcedure.input(runId).query(({ ctx, input }) => {
    if (!getRun(ctx.daemon.store.db, input.id)) notFound(`no run "${input.id}"`);
    return runMetrics(ctx.daemon.store.sqlite, input.id);
  }),

  /** Validate a config without submitting it: resolved config or the list of field issues. */
  validate: publicProcedure.input(submitInput).query(({ ctx, input }) => {
    try {
      const resolved = ctx.daemon.resolveSubmission(input.yaml, input.overrides);
      return { ok: true as const, issues: [], config: resolved.config, classes: resolved.classes };
    } catch (e) {
      if (e instanceof ConfigError) return { ok: false as const, issues: e.issues, config: null, classes: [] };
      throw e;
    }
  }),

  submit: publicProcedure.input(submitInput).mutation(({ ctx, input }) => {
    try {
      return toSummary(ctx.daemon.submit(input.yaml, input.overrides, ctx.user.name));
    } catch (e) {
      if (e instanceof ConfigError) badRequest(e);
      throw e;
    }
  }),

  cancel: publicProcedure.input(runId).mutation(({ ctx, input }) => {
    const run = runToChange(ctx, input.id, "cancel");
    if (!["queued", "running"].includes(run.status))
      throw new TRPCError({ code: "CONFLICT", message: `run ${run.id} is ${run.status}; only queued or running runs can be cancelled` });
    ctx.daemon.cancel(run.id);
    return toSummary(getRun(ctx.daemon.store.db, run.id)!);
  }),

  /** A cancelled, interrupted or failed run continues from its last checkpoint as a new attempt. */
  resume: publicProcedure.input(runId.extend({ checkpoint: z.string().min(1).max(200).optional() })).mutation(({ ctx, input }) => {
    runToChange(ctx, input.id, "resume");
    return toSummary(conflictOnState(() => ctx.daemon.resume(input.id, input.checkpoint)));
  }),

  /** Removes a run that is not running: its records and its folder (checkpoints included). */
  delete: publicProcedure.input(runId).mutation(({ ctx, input }) => {
    runToChange(ctx, input.id, "delete");
    conflictOnState(() => ctx.daemon.delete(input.id));
    return { id: input.id, deleted: true as const };
  }),

  metricKeys: publicProcedure.input(runId).query(({ ctx, input }) => distinctKeys(ctx.daemon.store.sqlite, input.id)),

  /** Downsampled series (min / max / last per bucket) for each requested key. */
  series: publicProcedure
    .input(
      z.object({
        id: z.string().min(1).max(64),
        keys: z.array(z.string().min(1).max(200)).min(1).max(64),
        maxPoints: z.number().int().min(2).max(10_000).default(2000),
        fromStep: z.number().optional(),
        toStep: z.number().optional(),
      }),
    )
    .query(({ ctx, input }) =>
      Object.fromEntries(input.keys.map((k) => [k, readSeries(ctx.daemon.store.sqlite, input.id, k, input)])),
    ),

  logs: publicProcedure
    .input(z.object({ id: z.string().min(1).max(64), limit: z.number().int().min(1).max(2000).default(200) }))
    .query(({ ctx, input }) =>
      listRunEvents(ctx.daemon.store.db, input.id, { types: ["log"], limit: input.limit }).map((e) => ({
        id: e.id,
        level: e.level ?? "info",
        message: e.message ?? "",
        time: e.time,
      })),
    ),

  /** Live updates for one run: its summary on every change, metric points, log lines, checkpoints. */
  watch: publicProcedure.input(runId).subscription(async function* ({ ctx, input, signal }) {
    const run = getRun(ctx.daemon.store.db, input.id);
    if (!run) notFound(`no run "${input.id}"`);
    yield { type: "run", run: toSummary(run) } as LiveEvent;
    yield* streamFrom(ctx.daemon.bus, input.id, signal);
  }),

  /** Live run summaries for the runs list (status and progress changes of every run). */
  watchList: publicProcedure.subscription(async function* ({ ctx, signal }) {
    yield* streamFrom(ctx.daemon.bus, null, signal, (e) => e.type === "run");
  }),
});
