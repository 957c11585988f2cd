// Sweeps: validate, create, list, show, pause / resume / cancel, parameter importance.
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { ConfigError } from "@trainyard/config";
import { getSweep, trialOfRun } from "@trainyard/db";
import { assertMayChange, badRequest, notFound, publicProcedure, router, type Context } from "./trpc.ts";
import { RunStateError, type Daemon } from "../daemon.ts";

const sweepId = z.object({ id: z.string().min(1).max(64) });
const createInput = z.object({
  yaml: z.string().min(1, { error: "the sweep config is empty" }).max(400_000),
  overrides: z.array(z.string().max(1000)).max(100).default([]),
});

async function onState<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RunStateError) throw new TRPCError({ code: /^no sweep/.test(e.message) ? "NOT_FOUND" : "CONFLICT", message: e.message });
    throw e;
  }
}

function mayChange(ctx: Context, id: string, action: string): void {
  const row = getSweep(ctx.daemon.store.db, id);
  if (!row) notFound(`no sweep "${id}"`);
  assertMayChange(ctx, { id: `sweep ${row.id}`, owner: row.owner }, action);
}

/**
 * The ids of sweeps that changed, as they change: a sweep or trial row written by the controller, or a trial's
 * run changing state (queued, running, pruned, ...). Each wake yields every id that changed since the last
 * one, once; with `id`, only that sweep's. Nothing of the sweep is sent: the page re-reads it (sweeps.get).
 */
async function* sweepChanges(daemon: Daemon, only: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<{ id: string }> {
  const pending = new Set<string>();
  let wake: (() => void) | null = null;
  const note = (id: string) => {
    if (only !== undefined && id !== only) return;
    pending.add(id);
    wake?.();
  };
  const seen = new Map<string, string>();
  const offSweeps = daemon.sweeps.watch(note);
  const offRuns = daemon.bus.subscribe(null, (e) => {
    // a run's summary is published on every progress step: only a change of state matters to a sweep
    if (e.type !== "run" || seen.get(e.run.id) === e.run.status) return;
    seen.set(e.run.id, e.run.status);
    const trial = trialOfRun(daemon.store.db, e.run.id);
    if (trial) note(trial.sweepId);
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    while (!signal?.aborted) {
      if (!pending.size) await new Promise<void>((r) => (wake = r));
      wake = null;
      const ids = [...pending];
      pending.clear();
      for (const id of ids) yield { id };
    }
  } finally {
    offSweeps();
    offRuns();
    signal?.removeEventListener("abort", onAbort);
  }
}

export const sweepsRouter = router({
  list: publicProcedure.query(({ ctx }) => ctx.daemon.sweeps.list()),

  get: publicProcedure.input(sweepId).query(({ ctx, input }) => ctx.daemon.sweeps.summary(input.id) ?? notFound(`no sweep "${input.id}"`)),

  /** Validate without creating: the resolved sweep (search space, trials, notes) or the field issues. */
  validate: publicProcedure.input(createInput).query(({ ctx, input }) => {
    try {
      const s = ctx.daemon.sweeps.resolve(input.yaml, input.overrides);
      return { ok: true as const, issues: [], sweep: { name: s.name, method: s.method, maxTrials: s.maxTrials, parallel: s.parallel, gridSize: s.gridSize, space: s.space, notes: s.notes, maxTrialEpochs: s.maxTrials * s.earlyStopping.maxEpochs } };
    } catch (e) {
      if (e instanceof ConfigError) return { ok: false as const, issues: e.issues, sweep: null };
      throw e;
    }
  }),

  create: publicProcedure.input(createInput).mutation(({ ctx, input }) => {
    try {
      return ctx.daemon.sweeps.create(input.yaml, input.overrides, ctx.user.name);
    } catch (e) {
      if (e instanceof ConfigError) badRequest(e);
      throw e;
    }
  }),

  pause: publicProcedure.input(sweepId).mutation(({ ctx, input }) => {
    mayChange(ctx, input.id, "pause");
    return onState(() => ctx.daemon.sweeps.pause(input.id));
  }),

  resume: publicProcedure.input(sweepId).mutation(({ ctx, input }) => {
    mayChange(ctx, input.id, "resume");
    return onState(() => ctx.daemon.sweeps.resume(input.id));
  }),

  cancel: publicProcedure.input(sweepId).mutation(({ ctx, input }) => {
    mayChange(ctx, input.id, "cancel");
    return onState(() => ctx.daemon.sweeps.cancel(input.id));
  }),

  /** Live: the id of each sweep as it changes (with an id: that sweep only). */
  watch: publicProcedure.input(z.object({ id: z.string().min(1).max(64).optional() }).optional()).subscription(async function* ({ ctx, input, signal }) {
    yield* sweepChanges(ctx.daemon, input?.id, signal);
  }),

  importance: publicProcedure.input(sweepId).query(({ ctx, input }) => onState(() => ctx.daemon.sweeps.importance(input.id))),
});
