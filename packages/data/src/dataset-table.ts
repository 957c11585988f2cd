// A dataset's samples as columns (one entry per image), stored as one JSON file in the dataset's folder.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";
import type { FeatureSpec } from "./feature-schema.ts";

export type { FeatureSpec } from "./feature-schema.ts";

/** How an image becomes a square: centre crop after the shorter side is resized, or pad (letterbox). */
export type CacheFit = "crop" | "pad";

export interface DatasetTable {
  version: 2;
  imageIds: string[];
  /** Paths relative to the dataset's image folder. */
  imagePaths: string[];
  /** Patient (or lesion) id per image: the unit that never crosses splits. */
  groups: string[];
  /** Diagnoses per image (several for multi-label manifests). */
  diagnoses: string[][];
  /** Raw metadata columns (null = missing). */
  metadata: Record<string, (string | null)[]>;
  /** The feature schema (completed: categories and options filled in). */
  features: FeatureSpec[];
  /** Split column values when the manifest carries one. */
  splitColumn: (string | null)[] | null;
  /** Rows whose image was missing or unreadable at import: never part of a run. */
  excluded: number[];
  cacheFit: CacheFit;
}

export const TABLE_FILE = "table.json";

export function writeDatasetTable(dir: string, table: DatasetTable): void {
  writeFileAtomic(join(dir, TABLE_FILE), JSON.stringify(table));
}

export function readDatasetTable(dir: string): DatasetTable {
  const t = JSON.parse(readFileSync(join(dir, TABLE_FILE), "utf8")) as Omit<DatasetTable, "version"> & { version: number };
  // version 1 tables (before exclusion and fit were stored) read as "nothing excluded, crop"
  return { ...t, version: 2, excluded: t.excluded ?? [], cacheFit: t.cacheFit ?? "crop" };
}

export function diagnosisCounts(table: Pick<DatasetTable, "diagnoses">): Record<string, number> {
  const counts = new Map<string, number>();
  for (const ds of table.diagnoses) for (const d of ds) counts.set(d, (counts.get(d) ?? 0) + 1);
  return Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}
