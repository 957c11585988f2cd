// Typed queries over evaluations (the daemon's evaluation job is their only writer).
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "./open.ts";
import { evaluations } from "./schema.ts";

export type EvaluationRow = typeof evaluations.$inferSelect;
export type NewEvaluation = typeof evaluations.$inferInsert;

export function insertEvaluation(db: Db, row: NewEvaluation): EvaluationRow {
  return db.insert(evaluations).values(row).returning().get();
}

export function getEvaluation(db: Db, id: string): EvaluationRow | undefined {
  return db.select().from(evaluations).where(eq(evaluations.id, id)).get();
}

/** A run's evaluations, newest first. */
export function listEvaluations(db: Db, runId: string): EvaluationRow[] {
  return db.select().from(evaluations).where(eq(evaluations.runId, runId)).orderBy(desc(evaluations.createdAt), desc(evaluations.id)).all();
}

/** Evaluations waiting for a slot, oldest first. */
export function queuedEvaluations(db: Db): EvaluationRow[] {
  return db.select().from(evaluations).where(eq(evaluations.status, "queued")).orderBy(asc(evaluations.createdAt), asc(evaluations.id)).all();
}

export function updateEvaluation(db: Db, id: string, patch: Partial<NewEvaluation>): void {
  db.update(evaluations).set(patch).where(eq(evaluations.id, id)).run();
}

/** After a daemon crash: evaluations it was running go back to the queue (an evaluation has no partial state). */
export function requeueRunningEvaluations(db: Db): EvaluationRow[] {
  const rows = db.select().from(evaluations).where(and(inArray(evaluations.status, ["running"]))).all();
  for (const r of rows) updateEvaluation(db, r.id, { status: "queued", startedAt: null, error: null });
  return rows;
}
