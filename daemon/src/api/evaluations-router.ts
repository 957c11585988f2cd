// Evaluations of a run's checkpoints (evaluations/): list a run's, read one with its curves, queue one, cancel one.
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { getEvaluation, getRun, listEvaluations, updateEvaluation } from "@trainyard/db";
import { evaluationRequest } from "@trainyard/protocol/evaluations";
import { createEvaluation, EvaluationNotFound, EvaluationRequestError, toEvaluationSummary } from "../evaluations/evaluation-requests.ts";
import { assertMayChange, notFound, publicProcedure, router } from "./trpc.ts";

const id = z.string().min(1).max(64);

export const evaluationsRouter = router({
  /** A run's evaluations, newest first (without curves). */
  list: publicProcedure.input(z.object({ runId: id })).query(({ ctx, input }) => {
    if (!getRun(ctx.daemon.store.db, input.runId)) notFound(`no run "${input.runId}"`);
    return listEvaluations(ctx.daemon.store.db, input.runId).map(toEvaluationSummary);
  }),

  /** One evaluation with its curves (roc, pr, confusion, pr50, auc_by_year, calibration: what the task printed). */
  get: publicProcedure.input(z.object({ id })).query(({ ctx, input }) => {
    const row = getEvaluation(ctx.daemon.store.db, input.id);
    if (!row) notFound(`no evaluation "${input.id}"`);
    return { ...toEvaluationSummary(row), curves: row.curves ?? [] };
  }),

  /** Queue an evaluation of a run's checkpoint on a dataset's split; refused with what exists when it cannot work. */
  create: publicProcedure.input(evaluationRequest).mutation(({ ctx, input }) => {
    try {
      return toEvaluationSummary(createEvaluation(ctx.daemon, input, ctx.user.name));
    } catch (e) {
      if (e instanceof EvaluationNotFound) notFound(e.message);
      if (e instanceof EvaluationRequestError) throw new TRPCError({ code: "BAD_REQUEST", message: e.message });
      throw e;
    }
  }),

  /** A queued evaluation is dropped from the queue; a running one is stopped. */
  cancel: publicProcedure.input(z.object({ id })).mutation(({ ctx, input }) => {
    const db = ctx.daemon.store.db;
    const row = getEvaluation(db, input.id);
    if (!row) notFound(`no evaluation "${input.id}"`);
    assertMayChange(ctx, { id: `${row.runId} (evaluation ${row.id})`, owner: row.owner }, "cancel an evaluation of");
    if (row.status === "queued") updateEvaluation(db, row.id, { status: "cancelled", endedAt: Date.now(), error: "cancelled before it started" });
    else if (row.status === "running") ctx.daemon.scheduler.stop(row.id, "cancel");
    else throw new TRPCError({ code: "CONFLICT", message: `evaluation ${row.id} is ${row.status}; only queued or running evaluations can be cancelled` });
    return toEvaluationSummary(getEvaluation(db, row.id)!);
  }),
});
