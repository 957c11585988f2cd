// Typed queries over runs, checkpoints and run events.
import { and, asc, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import type { RunState } from "@trainyard/protocol/run-states";
import type { Db } from "./open.ts";
import { checkpoints, runEvents, runs } from "./schema.ts";

export type RunRow = typeof runs.$inferSelect;
export type NewRun = typeof runs.$inferInsert;
export type CheckpointRow = typeof checkpoints.$inferSelect;
export type RunEventRow = typeof runEvents.$inferSelect;

export function insertRun(db: Db, run: NewRun): RunRow {
  return db.insert(runs).values(run).returning().get();
}

export function getRun(db: Db, id: string): RunRow | undefined {
  return db.select().from(runs).where(eq(runs.id, id)).get();
}

export const RUN_SORT_KEYS = ["createdAt", "startedAt", "endedAt", "name", "status", "priority", "best", "owner"] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

export interface RunQuery {
  status?: RunState[];
  owner?: string;
  dataset?: string;
  /** Case-insensitive substring of the run's id or name. */
  search?: string;
  sort?: RunSortKey;
  dir?: "asc" | "desc";
  limit?: number;
  offset?: number;
}

function runFilter(q: RunQuery): SQL | undefined {
  const conds: SQL[] = [];
  if (q.status?.length) conds.push(inArray(runs.status, q.status));
  if (q.owner) conds.push(eq(runs.owner, q.owner));
  if (q.dataset) conds.push(eq(runs.datasetName, q.dataset));
  if (q.search) {
    const pattern = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(or(sql`${runs.name} LIKE ${pattern} ESCAPE '\\'`, sql`${runs.id} LIKE ${pattern} ESCAPE '\\'`)!);
  }
  return conds.length ? and(...conds) : undefined;
}

const SORT_COLUMNS = {
  createdAt: runs.createdAt,
  startedAt: runs.startedAt,
  endedAt: runs.endedAt,
  name: runs.name,
  status: runs.status,
  priority: runs.priority,
  best: runs.bestValue,
  owner: runs.owner,
} as const;

/** One page of runs, filtered and sorted (newest first by default); ties broken by id for stable paging. */
export function listRuns(db: Db, q: RunQuery = {}): RunRow[] {
  const order = q.dir === "asc" ? asc : desc;
  return db
    .select()
    .from(runs)
    .where(runFilter(q))
    .orderBy(order(SORT_COLUMNS[q.sort ?? "createdAt"]), order(runs.id))
    .limit(q.limit ?? 500)
    .offset(q.offset ?? 0)
    .all();
}

export function countRuns(db: Db, q: RunQuery = {}): number {
  return db.select({ n: sql<number>`count(*)` }).from(runs).where(runFilter(q)).get()?.n ?? 0;
}

/**
 * The queue order, defined once: priority first, then FIFO by the time a run was (re)queued, so a resumed
 * run queues behind the runs already waiting. The scheduler and the runs table's positions both use it.
 */
export const QUEUE_ORDER_SQL = "priority DESC, coalesce(queued_at, created_at) ASC, id ASC";

/** Queued runs in the order the scheduler considers them. */
export function queuedRuns(db: Db): RunRow[] {
  return db.select().from(runs).where(eq(runs.status, "queued")).orderBy(sql.raw(QUEUE_ORDER_SQL)).all();
}

/** Removes a run and, by cascade, its metrics, events and checkpoint records. */
export function deleteRun(db: Db, id: string): void {
  db.delete(runs).where(eq(runs.id, id)).run();
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
