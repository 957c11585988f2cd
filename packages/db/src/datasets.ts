// Typed queries over datasets, their image caches and label sets.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "./open.ts";
import { datasets, imageCaches, labelSets } from "./schema.ts";

export type DatasetRow = typeof datasets.$inferSelect;
export type LabelSetRow = typeof labelSets.$inferSelect;
export type ImageCacheRow = typeof imageCaches.$inferSelect;

export function listDatasets(db: Db): DatasetRow[] {
  return db.select().from(datasets).orderBy(asc(datasets.name)).all();
}

export function getDataset(db: Db, name: string): DatasetRow | undefined {
  return db.select().from(datasets).where(eq(datasets.name, name)).get();
}

export function insertDataset(db: Db, row: typeof datasets.$inferInsert): DatasetRow {
  return db.insert(datasets).values(row).returning().get();
}

export function updateDataset(db: Db, id: number, patch: Partial<typeof datasets.$inferInsert>): void {
  db.update(datasets).set(patch).where(eq(datasets.id, id)).run();
}

export function deleteDataset(db: Db, id: number): void {
  db.delete(datasets).where(eq(datasets.id, id)).run();
}

export function getImageCache(db: Db, datasetId: number, size: number): ImageCacheRow | undefined {
  return db.select().from(imageCaches).where(and(eq(imageCaches.datasetId, datasetId), eq(imageCaches.size, size))).get();
}

export function upsertImageCache(db: Db, row: typeof imageCaches.$inferInsert): void {
  db.insert(imageCaches)
    .values(row)
    .onConflictDoUpdate({ target: [imageCaches.datasetId, imageCaches.size], set: { path: row.path, numImages: row.numImages, status: row.status } })
    .run();
}

export function listLabelSets(db: Db): LabelSetRow[] {
  return db.select().from(labelSets).orderBy(asc(labelSets.name)).all();
}

export function getLabelSet(db: Db, name: string): LabelSetRow | undefined {
  return db.select().from(labelSets).where(eq(labelSets.name, name)).get();
}

export function upsertLabelSet(db: Db, name: string, labels: string[], source: string | null): void {
  db.insert(labelSets).values({ name, labels, source }).onConflictDoUpdate({ target: labelSets.name, set: { labels, source } }).run();
}
