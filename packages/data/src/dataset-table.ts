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
  /** Boxes per image for detection; null when the dataset was imported without a boxes file. */
  boxes: DatasetBoxes | null;
  /** Follow-up targets per image for risk prediction; null when imported without --time-col / --event-col. */
  survival: DatasetSurvival | null;
}

/** Follow-up targets of a dataset (training.task risk), one entry per table row. */
export interface DatasetSurvival {
  /** Case (exam) per row: the rows of a case are its views (the case column, else each image is its own case). */
  cases: string[];
  /** View per row (null: imported without --view-col). */
  views: string[] | null;
  /** The dataset's view names, sorted: the model's view slots (["image"] without --view-col). */
  viewNames: string[];
  /** Follow-up in years per row (equal across a case's rows). */
  time: number[];
  /** 1 event, 0 censored, per row (equal across a case's rows). */
  event: number[];
  /** The true log-hazard per row where the dataset knows it (the synthetic demo only), else null. */
  oracle: number[] | null;
}

/**
 * Boxes of a dataset, in CSR form over the table's rows: the boxes of row i are k in
 * [offsets[i], offsets[i + 1]), box k at coords[4k .. 4k + 4) = x0, y0, x1, y1 (edges, x right, y down)
 * in pixels of the source image as displayed (after EXIF orientation), class classes[labels[k]].
 * A row without boxes is a "no findings" image.
 */
export interface DatasetBoxes {
  /** Class names, sorted (every class the boxes file declares or uses). */
  classes: string[];
  offsets: number[];
  coords: number[];
  labels: number[];
  /**
   * Source size per row as [w0, h0, w1, h1, ...] (after EXIF orientation), as read at import: the frame
   * the coordinates are in; 0, 0 where the image could not be read. A cache whose geometry says another
   * size was built from a changed file.
   */
  sizes: number[];
}

export const TABLE_FILE = "table.json";

export function writeDatasetTable(dir: string, table: DatasetTable): void {
  writeFileAtomic(join(dir, TABLE_FILE), JSON.stringify(table));
}

export function readDatasetTable(dir: string): DatasetTable {
  const t = JSON.parse(readFileSync(join(dir, TABLE_FILE), "utf8")) as Omit<DatasetTable, "version"> & { version: number };
  // version 1 tables (before exclusion and fit were stored) read as "nothing excluded, crop"
  // tables written before boxes (or follow-up targets) existed have none
  return { ...t, version: 2, excluded: t.excluded ?? [], cacheFit: t.cacheFit ?? "crop", boxes: t.boxes ?? null, survival: t.survival ?? null };
}

export function diagnosisCounts(table: Pick<DatasetTable, "diagnoses">): Record<string, number> {
  const counts = new Map<string, number>();
  for (const ds of table.diagnoses) for (const d of ds) counts.set(d, (counts.get(d) ?? 0) + 1);
  return Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

/** Sorted unique class names of each row's boxes: an image's findings (empty: no findings). */
export function boxDiagnoses(boxes: DatasetBoxes, rows: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const seen = new Set<number>();
    for (let k = boxes.offsets[i]; k < boxes.offsets[i + 1]; k++) seen.add(boxes.labels[k]);
    // classes are sorted, so sorting the indices sorts the names
    out.push([...seen].sort((a, b) => a - b).map((c) => boxes.classes[c]));
  }
  return out;
}
