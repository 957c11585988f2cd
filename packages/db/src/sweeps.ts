// Typed queries over sweeps and their trials (the daemon's sweep controller is their only writer).
import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type Database from "better-sqlite3";
import type { Db } from "./open.ts";
import { readSeriesColumns } from "./metric-blocks.ts";
import { sweeps, sweepTrials } from "./schema.ts";

export type SweepRow = typeof sweeps.$inferSelect;
export type NewSweep = typeof sweeps.$inferInsert;
export type SweepTrialRow = typeof sweepTrials.$inferSelect;
export type NewSweepTrial = typeof sweepTrials.$inferInsert;

export function insertSweep(db: Db, sweep: NewSweep): SweepRow {
  return db.insert(sweeps).values(sweep).returning().get();
}

export function getSweep(db: Db, id: string): SweepRow | undefined {
  return db.select().from(sweeps).where(eq(sweeps.id, id)).get();
}

export function listSweeps(db: Db, q: { status?: string[]; limit?: number } = {}): SweepRow[] {
  const rows = db.select().from(sweeps).orderBy(desc(sweeps.createdAt), desc(sweeps.id)).limit(q.limit ?? 500).all();
  return q.status ? rows.filter((r) => q.status!.includes(r.status)) : rows;
}

export function updateSweep(db: Db, id: string, patch: Partial<NewSweep>): void {
  db.update(sweeps).set(patch).where(eq(sweeps.id, id)).run();
}

export function insertSweepTrial(db: Db, trial: NewSweepTrial): SweepTrialRow {
  return db.insert(sweepTrials).values(trial).returning().get();
}

export function listSweepTrials(db: Db, sweepId: string): SweepTrialRow[] {
  return db.select().from(sweepTrials).where(eq(sweepTrials.sweepId, sweepId)).orderBy(asc(sweepTrials.number)).all();
}

/** Trials not yet told to Optuna. */
export function openSweepTrials(db: Db, sweepId: string): SweepTrialRow[] {
  return db.select().from(sweepTrials).where(and(eq(sweepTrials.sweepId, sweepId), isNull(sweepTrials.outcome))).orderBy(asc(sweepTrials.number)).all();
}

export function updateSweepTrial(db: Db, sweepId: string, number: number, patch: Partial<NewSweepTrial>): void {
  db.update(sweepTrials).set(patch).where(and(eq(sweepTrials.sweepId, sweepId), eq(sweepTrials.number, number))).run();
}

export function trialOfRun(db: Db, runId: string): SweepTrialRow | undefined {
  return db.select().from(sweepTrials).where(eq(sweepTrials.runId, runId)).get();
}

/** The epoch-end values of one metric of a run, in epoch order (the last finite value logged in each epoch). */
export function epochValues(sqlite: Database.Database, runId: string, key: string): { epoch: number; value: number }[] {
  const c = readSeriesColumns(sqlite, runId, key, undefined, undefined, false);
  const byEpoch = new Map<number, number>();
  for (let i = 0; i < c.length; i++) if (Number.isFinite(c.value[i])) byEpoch.set(c.epoch[i], c.value[i]);
  return [...byEpoch].sort((a, b) => a[0] - b[0]).map(([epoch, value]) => ({ epoch, value }));
}
