// Turn manifest columns into a DatasetTable and its validation report. Several rows per image (one per
// diagnosis), several diagnoses per row (delimited) and several images per case (labels shared across
// the case) are all accepted.
import type { CacheFit, DatasetTable } from "./dataset-table.ts";
import { diagnosisCounts } from "./dataset-table.ts";
import { completeFeatureSchema, encodedDimension, inferFeatureSchema, isMissing, parseFeatureSchema, type FeatureSchema } from "./feature-schema.ts";
import type { BoxesReport } from "./dataset-boxes.ts";
import type { ImageCheck } from "./image-check.ts";
import { ManifestError, type ManifestColumns } from "./manifest-read.ts";
import { groupsCrossingSplits } from "./split.ts";
import { buildSurvival, chooseSurvivalColumns, survivalReport, type SurvivalColumns, type SurvivalOptions, type SurvivalReport } from "./survival-targets.ts";

export { ManifestError } from "./manifest-read.ts";

export interface ManifestOptions extends SurvivalOptions {
  imageCol?: string;
  groupCol?: string;
  labelCol?: string;
  splitCol?: string;
  /** Rows of one case share their diagnoses (a case may have several images). */
  caseCol?: string;
  /** Separator between several diagnoses in one cell (default "|"). */
  labelDelimiter?: string;
  /** Appended to image ids without an extension (e.g. ".jpg"); detected from the image folder when absent. */
  imageExt?: string;
  /** A reviewed or declared schema (parsed JSON); inferred when absent. */
  schema?: unknown;
  cacheFit?: CacheFit;
  /**
   * The diagnoses come from a boxes file (each image's box classes) unless labelCol names a column: no
   * diagnosis column is guessed, and one that looks like it is left out of the inferred metadata (a
   * model must not read its own target as an input).
   */
  labelsFromBoxes?: boolean;
}

/** Whether the options import follow-up targets (training.task risk). */
export const importsSurvival = (opts: ManifestOptions) => Boolean(opts.timeCol);

export interface ChosenColumns {
  image: string;
  group: string;
  /** Null when the diagnoses come from the boxes. */
  label: string | null;
  split: string | null;
  case: string | null;
  /** Follow-up columns (time, event, view), none of them metadata; null without --time-col. */
  survival: SurvivalColumns | null;
  metadata: string[];
}

const GUESSES = {
  image: ["image_id", "image", "image_path", "path", "Image Index", "filename", "file"],
  group: ["patient_id", "Patient ID", "patient", "lesion_id", "group", "subject_id"],
  label: ["dx", "diagnosis", "diagnoses", "label", "labels", "Finding Labels", "finding_labels"],
};

/** Cap on list lengths stored with the dataset row; the full report lives in the dataset's folder. */
export const REPORT_LIST_CAP = 1000;

export interface ImportReport {
  format: "csv" | "parquet";
  rows: number;
  images: number;
  /** label is null when the diagnoses come from the boxes. */
  columns: { image: string; group: string; label: string | null; split: string | null; case: string | null };
  imagesFound: number;
  missingImages: string[];
  unreadableImages: { path: string; error: string }[];
  /** Images usable in runs (found and readable). */
  usableImages: number;
  /** Image ids on more than one row (rows merged; their diagnoses united). */
  duplicateImageIds: { id: string; rows: number }[];
  duplicateRows: number;
  groups: number;
  imagesPerGroup: { min: number; max: number; mean: number; median: number; histogram: Record<string, number>; largest: { group: string; images: number }[] };
  diagnoses: Record<string, number>;
  unlabeledImages: number;
  labelsPerImage: Record<string, number>;
  metadata: { name: string; kind: string | null; missingRate: number; distinct: number; skipped: string | null }[];
  encodedDim: number;
  split: null | {
    column: string;
    counts: Record<string, number>;
    /** Values that are not train / val / test (or their aliases). */
    unknownValues: string[];
    crossingGroups: { group: string; splits: string[]; images: number }[];
    crossingImages: number;
  };
  /** Boxes (imported with a boxes file), else null. */
  boxes: BoxesReport | null;
  /** Follow-up targets (imported with --time-col and --event-col), else null. */
  survival: SurvivalReport | null;
  /** Lists cut to REPORT_LIST_CAP entries (name -> full length). */
  truncated?: Record<string, number>;
}

function pick(header: string[], wanted: string | undefined, guesses: string[], what: string, flag: string): string {
  if (wanted) {
    if (!header.includes(wanted)) throw new ManifestError(`${what} column "${wanted}" (${flag}) is not in the manifest; columns: ${header.join(", ")}`);
    return wanted;
  }
  const hit = guesses.find((g) => header.includes(g)) ?? guesses.map((g) => g.toLowerCase()).map((g) => header.find((h) => h.toLowerCase() === g)).find(Boolean);
  if (!hit) throw new ManifestError(`cannot tell which column holds the ${what}; pass ${flag} (columns: ${header.join(", ")})`);
  return hit;
}

export function chooseColumns(header: string[], opts: ManifestOptions): ChosenColumns {
  const image = pick(header, opts.imageCol, GUESSES.image, "image", "--image-col");
  const group = pick(header, opts.groupCol, GUESSES.group, "patient / group id", "--group-col");
  const survival = chooseSurvivalColumns(header, opts);
  // with boxes or follow-up targets, diagnoses come from a column only when one is named
  const label = (opts.labelsFromBoxes || survival) && !opts.labelCol ? null : pick(header, opts.labelCol, GUESSES.label, "diagnosis", "--label-col");
  const split = opts.splitCol ? pick(header, opts.splitCol, [], "split", "--split-col") : null;
  const kase = opts.caseCol ? pick(header, opts.caseCol, [], "case", "--case-col") : null;
  // the follow-up and event are the target: never metadata
  const used = [image, group, label, split, kase, ...(survival ? [...survival.time, survival.event, survival.view] : [])];
  return { image, group, label, split, case: kase, survival, metadata: header.filter((h) => !used.includes(h)) };
}

/** With the diagnoses from the boxes (or none, for follow-up targets): the column that would have been guessed as the diagnosis. */
function diagnosisLikeColumn(header: string[], cols: ChosenColumns): string | null {
  if (cols.label !== null) return null;
  try {
    const hit = pick(header, undefined, GUESSES.label, "diagnosis", "--label-col");
    return cols.metadata.includes(hit) ? hit : null;
  } catch {
    return null;
  }
}

// Diagnosis names compare after NFC normalisation (a label file typed on another system still matches).
const cleanLabel = (s: string) => {
  const t = s.trim();
  return /^[\x00-\x7f]*$/.test(t) ? t : t.normalize("NFC");
};

export const SPLIT_ALIASES: Record<string, "train" | "val" | "test"> = {
  train: "train", training: "train", tr: "train",
  val: "val", valid: "val", validation: "val", dev: "val",
  test: "test", testing: "test", holdout: "test",
};

/** Metadata columns of the manifest (one value per image row), for inference and review before import. */
export function inspectManifest(m: ManifestColumns, opts: ManifestOptions) {
  const { table, columns, schemaColumns } = buildDatasetTable(m, { ...opts, schema: undefined });
  return { columns, schema: { version: 1 as const, features: table.features }, schemaColumns, table };
}

/**
 * Build the table (without touching images) and the manifest part of the report. `schema`, when
 * given, is validated against the metadata columns; otherwise one is inferred.
 */
export interface BuiltTable {
  table: DatasetTable;
  columns: ChosenColumns;
  /** Metadata columns and why each was left out of the schema (null when it is in). */
  schemaColumns: { name: string; skipped: string | null }[];
  /** Manifest rows per image (more than one: merged rows). */
  rowsPerImage: number[];
}

export function buildDatasetTable(m: ManifestColumns, opts: ManifestOptions): BuiltTable {
  const cols = chooseColumns(m.header, opts);
  const col = (name: string) => m.columns[m.header.indexOf(name)];
  const ids = col(cols.image), groupsCol = col(cols.group);
  const labelsCol = cols.label !== null ? col(cols.label) : null;
  const splitCol = cols.split ? col(cols.split) : null;
  const caseCol = cols.case ? col(cols.case) : null;
  const metaCols = cols.metadata.map(col);
  const delimiter = opts.labelDelimiter ?? "|";

  const byImage = new Map<string, number>();
  const rowsPerImage: number[] = [];
  const table: DatasetTable = {
    version: 2, imageIds: [], imagePaths: [], groups: [], diagnoses: [],
    metadata: Object.fromEntries(cols.metadata.map((c) => [c, []])),
    features: [], splitColumn: splitCol ? [] : null, excluded: [], cacheFit: opts.cacheFit ?? "crop", boxes: null, survival: null,
  };
  const rowOf = new Int32Array(m.rows);
  const metaLists = cols.metadata.map((c) => table.metadata[c]);
  const caseOf: string[] = [];
  for (let r = 0; r < m.rows; r++) {
    const id = ids[r];
    if (!id) throw new ManifestError(`row ${r + 2}: the image column "${cols.image}" is empty; every row needs an image`);
    const cell = labelsCol ? labelsCol[r] : null;
    const labels = !cell ? [] : cell.includes(delimiter) ? cell.split(delimiter).map(cleanLabel).filter(Boolean) : [cleanLabel(cell)];
    const seen = byImage.get(id);
    rowOf[r] = seen ?? table.imageIds.length;
    if (seen !== undefined) {
      rowsPerImage[seen]++;
      for (const l of labels) if (!table.diagnoses[seen].includes(l)) table.diagnoses[seen].push(l);
      continue;
    }
    byImage.set(id, table.imageIds.length);
    rowsPerImage.push(1);
    table.imageIds.push(id);
    table.imagePaths.push(opts.imageExt && !/\.\w{2,5}$/.test(id) ? id + opts.imageExt : id);
    table.groups.push(groupsCol[r] ?? `image:${id}`);
    table.diagnoses.push([...new Set(labels)]);
    for (let c = 0; c < metaLists.length; c++) metaLists[c].push(metaCols[c][r]);
    table.splitColumn?.push(splitCol![r]);
    if (caseCol) caseOf.push(caseCol[r] ?? `image:${id}`);
  }
  if (caseCol) {
    // every image of a case carries every diagnosis of the case
    const perCase = new Map<string, Set<string>>();
    caseOf.forEach((c, i) => {
      const set = perCase.get(c) ?? new Set<string>();
      for (const d of table.diagnoses[i]) set.add(d);
      perCase.set(c, set);
    });
    caseOf.forEach((c, i) => (table.diagnoses[i] = [...perCase.get(c)!]));
  }
  if (cols.survival) table.survival = buildSurvival(m, cols.survival, table, rowOf, opts.survivalOracle);

  let schema: FeatureSchema;
  let schemaColumns: { name: string; skipped: string | null }[];
  if (opts.schema !== undefined && opts.schema !== null) {
    schema = parseFeatureSchema(opts.schema, cols.metadata);
    const declared = new Set(schema.features.map((f) => f.name));
    schemaColumns = cols.metadata.map((name) => ({ name, skipped: declared.has(name) ? null : "not in the schema" }));
  } else {
    const inferred = inferFeatureSchema(table.metadata);
    schema = inferred.schema;
    schemaColumns = inferred.columns;
    const dxLike = diagnosisLikeColumn(m.header, cols);
    if (dxLike) {
      schema = { ...schema, features: schema.features.filter((f) => f.name !== dxLike) };
      schemaColumns = schemaColumns.map((c) => (c.name === dxLike ? { ...c, skipped: `looks like the diagnosis; pass --label-col ${dxLike} to use it as the labels` } : c));
    }
  }
  table.features = completeFeatureSchema(schema, table.metadata).features;
  return { table, columns: cols, schemaColumns, rowsPerImage };
}

function capped<T>(list: T[], name: string, truncated: Record<string, number>, cap: number): T[] {
  if (list.length <= cap) return list;
  truncated[name] = list.length;
  return list.slice(0, cap);
}

/** The full validation report; `excluded` on the table is set from the image check. */
export function buildImportReport(
  m: ManifestColumns,
  built: BuiltTable,
  images: ImageCheck,
  cap = REPORT_LIST_CAP,
  boxes: BoxesReport | null = null,
): ImportReport {
  const { table, columns, schemaColumns, rowsPerImage } = built;
  const n = table.imageIds.length;
  const excluded = new Set<number>([...images.missingRows, ...images.unreadableRows.map((u) => u.row)]);
  table.excluded = [...excluded].sort((a, b) => a - b);

  const perGroup = new Map<string, number>();
  for (const g of table.groups) perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
  const sizes = [...perGroup.values()].sort((a, b) => a - b);
  const histogram: Record<string, number> = {};
  for (const s of sizes) {
    const k = s >= 10 ? "10+" : String(s);
    histogram[k] = (histogram[k] ?? 0) + 1;
  }
  const largest = [...perGroup.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5).map(([group, images]) => ({ group, images }));
  const labelsPerImage: Record<string, number> = {};
  let unlabeled = 0;
  for (const ds of table.diagnoses) {
    if (!ds.length) unlabeled++;
    labelsPerImage[String(ds.length)] = (labelsPerImage[String(ds.length)] ?? 0) + 1;
  }
  const features = new Map(table.features.map((f) => [f.name, f]));
  const metadata = columns.metadata.map((name) => {
    const values = table.metadata[name];
    let missing = 0;
    const distinct = new Set<string>();
    for (const v of values) {
      if (isMissing(v)) missing++;
      else if (distinct.size < 10_000) distinct.add(v!);
    }
    return {
      name,
      kind: features.get(name)?.kind ?? null,
      missingRate: n ? missing / n : 0,
      distinct: distinct.size,
      skipped: schemaColumns.find((c) => c.name === name)?.skipped ?? null,
    };
  });

  let split: ImportReport["split"] = null;
  if (table.splitColumn) {
    const counts: Record<string, number> = {};
    const unknown = new Set<string>();
    const canonical = table.splitColumn.map((v) => {
      const key = v ?? "(empty)";
      counts[key] = (counts[key] ?? 0) + 1;
      const c = v ? SPLIT_ALIASES[v.trim().toLowerCase()] : undefined;
      if (!c) unknown.add(key);
      return c ?? key;
    });
    const crossing = groupsCrossingSplits(table.groups, canonical);
    const crossingGroups = [...crossing.entries()]
      .map(([group, splits]) => ({ group, splits, images: perGroup.get(group) ?? 0 }))
      .sort((a, b) => (a.group < b.group ? -1 : 1));
    split = { column: columns.split!, counts, unknownValues: [...unknown].sort(), crossingGroups, crossingImages: crossingGroups.reduce((s, g) => s + g.images, 0) };
  }

  const duplicates: { id: string; rows: number }[] = [];
  rowsPerImage.forEach((r, i) => r > 1 && duplicates.push({ id: table.imageIds[i], rows: r }));
  const truncated: Record<string, number> = {};
  const report: ImportReport = {
    format: m.format,
    rows: m.rows,
    images: n,
    columns: { image: columns.image, group: columns.group, label: columns.label, split: columns.split, case: columns.case },
    imagesFound: n - images.missingRows.length,
    missingImages: capped(images.missingRows.map((r) => table.imagePaths[r]), "missingImages", truncated, cap),
    unreadableImages: capped(images.unreadableRows.map((u) => ({ path: table.imagePaths[u.row], error: u.error })), "unreadableImages", truncated, cap),
    usableImages: n - excluded.size,
    duplicateImageIds: capped(duplicates, "duplicateImageIds", truncated, cap),
    duplicateRows: m.rows - n,
    groups: perGroup.size,
    imagesPerGroup: { min: sizes[0] ?? 0, max: sizes.at(-1) ?? 0, mean: perGroup.size ? n / perGroup.size : 0, median: sizes[Math.floor(sizes.length / 2)] ?? 0, histogram, largest },
    diagnoses: diagnosisCounts(table),
    unlabeledImages: unlabeled,
    labelsPerImage,
    metadata,
    encodedDim: encodedDimension(table.features),
    split,
    boxes: boxes && { ...boxes, rejected: capped(boxes.rejected, "boxes.rejected", truncated, cap) },
    survival: null,
  };
  if (table.survival && columns.survival) {
    const usable = new Uint8Array(n).fill(1);
    for (const r of excluded) usable[r] = 0;
    const c = columns.survival;
    report.survival = survivalReport(table.survival, usable, { time: [...c.time], event: c.event, view: c.view, case: c.case });
  }
  if (split) split.crossingGroups = capped(split.crossingGroups, "split.crossingGroups", truncated, cap);
  if (Object.keys(truncated).length) report.truncated = truncated;
  return report;
}
