// Typed queries over the model registry: models, their numbered versions, aliases and the history of alias moves.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "./open.ts";
import { aliasMoves, modelAliases, models, modelVersions } from "./schema.ts";

export type ModelRow = typeof models.$inferSelect;
export type ModelVersionRow = typeof modelVersions.$inferSelect;
export type NewModelVersion = Omit<typeof modelVersions.$inferInsert, "modelId" | "version">;
export type ModelAliasRow = typeof modelAliases.$inferSelect;
export type AliasMoveRow = typeof aliasMoves.$inferSelect;

export function listModels(db: Db): ModelRow[] {
  return db.select().from(models).orderBy(asc(models.name)).all();
}

export function getModel(db: Db, name: string): ModelRow | undefined {
  return db.select().from(models).where(eq(models.name, name)).get();
}

/**
 * Adds the next version of model `name` (creating the model with its first version), numbered in the same
 * transaction so two registrations never get the same number.
 */
export function insertModelVersion(db: Db, name: string, model: { description?: string | null; owner: string }, row: NewModelVersion): { model: ModelRow; version: ModelVersionRow } {
  return db.transaction((tx) => {
    const m = tx.select().from(models).where(eq(models.name, name)).get() ?? tx.insert(models).values({ name, description: model.description ?? null, owner: model.owner }).returning().get();
    const next = (tx.select({ n: sql<number | null>`max(${modelVersions.version})` }).from(modelVersions).where(eq(modelVersions.modelId, m.id)).get()?.n ?? 0) + 1;
    const version = tx.insert(modelVersions).values({ ...row, modelId: m.id, version: next }).returning().get();
    return { model: m, version };
  });
}

export function listModelVersions(db: Db, modelId: number): ModelVersionRow[] {
  return db.select().from(modelVersions).where(eq(modelVersions.modelId, modelId)).orderBy(asc(modelVersions.version)).all();
}

export function getModelVersion(db: Db, modelId: number, version: number): ModelVersionRow | undefined {
  return db.select().from(modelVersions).where(and(eq(modelVersions.modelId, modelId), eq(modelVersions.version, version))).get();
}

export function latestModelVersion(db: Db, modelId: number): ModelVersionRow | undefined {
  return db.select().from(modelVersions).where(eq(modelVersions.modelId, modelId)).orderBy(desc(modelVersions.version)).limit(1).get();
}

/** The registered versions that came from a run (what blocks its deletion), with their model names. */
export function versionsOfRun(db: Db, runId: string): { model: string; version: number }[] {
  return db
    .select({ model: models.name, version: modelVersions.version })
    .from(modelVersions)
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(eq(modelVersions.runId, runId))
    .orderBy(asc(models.name), asc(modelVersions.version))
    .all();
}

export function listModelAliases(db: Db, modelId: number): ModelAliasRow[] {
  return db.select().from(modelAliases).where(eq(modelAliases.modelId, modelId)).orderBy(asc(modelAliases.alias)).all();
}

export function getModelAlias(db: Db, modelId: number, alias: string): ModelAliasRow | undefined {
  return db.select().from(modelAliases).where(and(eq(modelAliases.modelId, modelId), eq(modelAliases.alias, alias))).get();
}

/** Points `alias` at `version` and records the move (from the version it named before, if any), in one transaction. */
export function moveModelAlias(db: Db, modelId: number, alias: string, version: number, movedBy: string): AliasMoveRow {
  return db.transaction((tx) => {
    const before = tx.select().from(modelAliases).where(and(eq(modelAliases.modelId, modelId), eq(modelAliases.alias, alias))).get();
    tx.insert(modelAliases).values({ modelId, alias, version }).onConflictDoUpdate({ target: [modelAliases.modelId, modelAliases.alias], set: { version } }).run();
    return tx.insert(aliasMoves).values({ modelId, alias, fromVersion: before?.version ?? null, toVersion: version, movedBy }).returning().get();
  });
}

/** Every alias move of a model, oldest first. */
export function listAliasMoves(db: Db, modelId: number): AliasMoveRow[] {
  return db.select().from(aliasMoves).where(eq(aliasMoves.modelId, modelId)).orderBy(asc(aliasMoves.id)).all();
}
