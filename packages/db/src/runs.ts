// Typed queries over runs, checkpoints and run events.
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./open.ts";
import { checkpoints, runEvents, runs } from "./schema.ts";

export type RunRow = typeof runs.$inferSelect;
export type NewRun = typeof runs.$inferInsert;
export type CheckpointRow = typeof checkpoints.$inferSelect;
export type RunEventRow = typeof runEvents.$inferSelect;

export const RUN_STATES = ["queued", "running", "completed", "failed", "cancelled", "interrupted"] as const;
export type RunState = (typeof RUN_STATES)[number];
export const FINAL_STATES: readonly RunState[] = ["completed", "failed", "cancelled", "interrupted"];

export function insertRun(db: Db, run: NewRun): RunRow {
  return db.insert(runs).values(run).returning().get();
}

export function getRun(db: Db, id: string): RunRow | undefined {
  return db.select().from(runs).where(eq(runs.id, id)).get();
}

export function listRuns(db: Db, opts: { status?: RunState[]; limit?: number } = {}): RunRow[] {
  const q = db.select().from(runs);
  const filtered = opts.status?.length ? q.where(inArray(runs.status, opts.status)) : q;
  return filtered.orderBy(desc(runs.createdAt)).limit(opts.limit ?? 500).all();
}

/** Queued runs in the order the scheduler considers them: priority first, then FIFO. */
export function queuedRuns(db: Db): RunRow[] {
  return db.select().from(runs).where(eq(runs.status, "queued")).orderBy(desc(runs.priority), asc(runs.createdAt)).all();
}

export function updateRun(db: Db, id: string, patch: Partial<NewRun>): void {
  db.update(runs).set(patch).where(eq(runs.id, id)).run();
}

export function upsertCheckpoint(db: Db, row: typeof checkpoints.$inferInsert): void {
  db.insert(checkpoints)
    .values(row)
    .onConflictDoUpdate({
      target: [checkpoints.runId, checkpoints.name],
      set: { epoch: row.epoch, step: row.step, path: row.path, monitorName: row.monitorName, monitorValue: row.monitorValue, createdAt: sql`(unixepoch('subsec') * 1000)` },
    })
    .run();
}

export function listCheckpoints(db: Db, runId: string): CheckpointRow[] {
  return db.select().from(checkpoints).where(eq(checkpoints.runId, runId)).orderBy(asc(checkpoints.name)).all();
}

export function getCheckpoint(db: Db, runId: string, name: string): CheckpointRow | undefined {
  return db.select().from(checkpoints).where(and(eq(checkpoints.runId, runId), eq(checkpoints.name, name))).get();
}

export function listRunEvents(db: Db, runId: string, opts: { types?: string[]; afterId?: number; limit?: number } = {}): RunEventRow[] {
  const conds = [eq(runEvents.runId, runId)];
  if (opts.types?.length) conds.push(inArray(runEvents.type, opts.types));
  if (opts.afterId) conds.push(sql`${runEvents.id} > ${opts.afterId}`);
  return db.select().from(runEvents).where(and(...conds)).orderBy(desc(runEvents.id)).limit(opts.limit ?? 200).all().reverse();
}
