// The JSON-lines protocol between the daemon's sweep controller and the sweep's Optuna process
// (packages/trainer/trainyard_trainer/sweep_search.py), defined once: the daemon writes one request per line on
// the process's stdin, the process answers each with one line on stdout carrying the same id. The Python side is
// checked against the shared exchanges in fixtures/sweep-protocol.json (test_sweep_search.py and
// sweep-protocol.test.ts both read it).
import { z } from "zod";

export const SWEEP_METHODS = ["grid", "random", "tpe"] as const;
export const PRUNERS = ["asha", "hyperband", "median", "none"] as const;
/** How a trial ended, as Optuna records it. */
export const TELL_STATES = ["complete", "pruned", "fail"] as const;

const scalar = z.union([z.number(), z.string(), z.boolean()]);
const params = z.record(z.string(), scalar);

export const searchParamSchema = z.discriminatedUnion("kind", [
  z.object({ name: z.string(), kind: z.literal("categorical"), choices: z.array(scalar).min(1) }).strict(),
  z.object({ name: z.string(), kind: z.literal("float"), low: z.number(), high: z.number(), log: z.boolean(), step: z.number().nullable() }).strict(),
  z.object({ name: z.string(), kind: z.literal("int"), low: z.number().int(), high: z.number().int(), log: z.boolean(), step: z.number().int() }).strict(),
]);

export const studySpecSchema = z
  .object({
    /** Optuna's JournalStorage file, in the sweep's directory. */
    storage: z.string().min(1),
    name: z.string().min(1),
    method: z.enum(SWEEP_METHODS),
    goal: z.enum(["max", "min"]),
    seed: z.number().int(),
    /** For a grid, every parameter is categorical over its grid values. */
    space: z.array(searchParamSchema).min(1),
    /** TPE's random start-up trials. */
    startup_trials: z.number().int().min(1),
    pruner: z
      .object({ type: z.enum(PRUNERS), min_resource: z.number().int().min(1), max_resource: z.number().int().min(1), reduction_factor: z.number().int().min(2) })
      .strict(),
  })
  .strict();

export const sweepRequestSchema = z.discriminatedUnion("op", [
  /** Create or load the study. `known`: trial numbers the daemon has stored; RUNNING trials outside it come back as orphans. */
  z.object({ id: z.number().int(), op: z.literal("open"), study: studySpecSchema, known: z.array(z.number().int()) }).strict(),
  z.object({ id: z.number().int(), op: z.literal("ask") }).strict(),
  /** An intermediate value at a step (the epoch); the answer says whether to prune. Idempotent per step. */
  z.object({ id: z.number().int(), op: z.literal("report"), number: z.number().int(), step: z.number().int().min(0), value: z.number() }).strict(),
  /** Finish a trial. Idempotent: telling a finished trial again is a no-op. */
  z.object({ id: z.number().int(), op: z.literal("tell"), number: z.number().int(), state: z.enum(TELL_STATES), value: z.number().nullable() }).strict(),
  z.object({ id: z.number().int(), op: z.literal("importance") }).strict(),
]);

const orphan = z.object({ number: z.number().int(), params }).strict();

export const sweepResponseSchemas = {
  open: z.object({ id: z.number().int(), ok: z.literal(true), trials: z.number().int(), orphans: z.array(orphan) }).strict(),
  ask: z.object({ id: z.number().int(), ok: z.literal(true), number: z.number().int(), params }).strict(),
  report: z.object({ id: z.number().int(), ok: z.literal(true), prune: z.boolean() }).strict(),
  tell: z.object({ id: z.number().int(), ok: z.literal(true), already: z.boolean() }).strict(),
  importance: z
    .object({ id: z.number().int(), ok: z.literal(true), importance: z.record(z.string(), z.number()), method: z.string(), reason: z.string().nullable() })
    .strict(),
} as const;

export const sweepErrorSchema = z.object({ id: z.number().int().nullable(), ok: z.literal(false), error: z.string() }).strict();

export type StudySpec = z.infer<typeof studySpecSchema>;
export type SweepRequest = z.infer<typeof sweepRequestSchema>;
export type SweepOp = SweepRequest["op"];
export type SweepResponse<O extends SweepOp> = z.infer<(typeof sweepResponseSchemas)[O]>;
/** A request without its id (the client numbers them). */
export type SweepCall = SweepRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;
