// A dataset's samples as columns (one entry per image), stored as one JSON file beside the store.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";

export interface FeatureSpec {
  name: string;
  kind: "continuous" | "categorical";
  /** categorical: the values seen at import (encoding adds an "unknown" slot). */
  categories?: string[];
}

export interface DatasetTable {
  version: 1;
  imageIds: string[];
  /** Paths relative to the dataset's image folder. */
  imagePaths: string[];
  /** Patient (or lesion) id per image: the unit that never crosses splits. */
  groups: string[];
  /** Diagnoses per image (several for multi-label manifests). */
  diagnoses: string[][];
  /** Raw metadata columns (null = missing). */
  metadata: Record<string, (string | null)[]>;
  features: FeatureSpec[];
  /** Split column values when the manifest carries one. */
  splitColumn: (string | null)[] | null;
}

export const TABLE_FILE = "table.json";

export function writeDatasetTable(dir: string, table: DatasetTable): void {
  writeFileAtomic(join(dir, TABLE_FILE), JSON.stringify(table));
}

export function readDatasetTable(dir: string): DatasetTable {
  return JSON.parse(readFileSync(join(dir, TABLE_FILE), "utf8")) as DatasetTable;
}

export function diagnosisCounts(table: DatasetTable): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const ds of table.diagnoses) for (const d of ds) counts[d] = (counts[d] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}
