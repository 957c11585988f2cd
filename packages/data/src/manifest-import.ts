// Read a CSV manifest into a DatasetTable and a validation report. Several rows per image (one per
// diagnosis) and several diagnoses per row (delimited) are both accepted.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { diagnosisCounts, type DatasetTable } from "./dataset-table.ts";
import { inferFeatures } from "./metadata-encoder.ts";

export interface ManifestOptions {
  manifest: string;
  imagesDir: string;
  imageCol?: string;
  groupCol?: string;
  labelCol?: string;
  splitCol?: string;
  labelDelimiter?: string;
  /** Appended to the image id when the column holds ids without an extension (e.g. ".jpg"). */
  imageExt?: string;
}

export interface ImportReport {
  rows: number;
  images: number;
  groups: number;
  missingImages: string[];
  duplicateRows: number;
  imagesPerGroup: { min: number; max: number; mean: number };
  diagnoses: Record<string, number>;
  metadata: { name: string; kind: string; missingRate: number }[];
}

export class ManifestError extends Error {}

function pickColumn(header: string[], wanted: string | undefined, guesses: string[], what: string, flag: string): string {
  if (wanted) {
    if (!header.includes(wanted)) throw new ManifestError(`${what} column "${wanted}" is not in the manifest; columns: ${header.join(", ")}`);
    return wanted;
  }
  const hit = guesses.find((g) => header.includes(g));
  if (!hit) throw new ManifestError(`cannot tell which column holds the ${what}; pass ${flag} (columns: ${header.join(", ")})`);
  return hit;
}

export function readManifest(opts: ManifestOptions): { table: DatasetTable; report: ImportReport } {
  let records: Record<string, string>[];
  try {
    records = parse(readFileSync(opts.manifest), { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    throw new ManifestError(`${opts.manifest}: ${(e as Error).message}`);
  }
  if (!records.length) throw new ManifestError(`${opts.manifest}: the manifest has no rows`);
  const header = Object.keys(records[0]);
  const imageCol = pickColumn(header, opts.imageCol, ["image_id", "image", "path", "Image Index", "filename"], "image", "--image-col");
  const groupCol = pickColumn(header, opts.groupCol, ["patient_id", "Patient ID", "lesion_id", "group"], "patient / group id", "--group-col");
  const labelCol = pickColumn(header, opts.labelCol, ["dx", "diagnosis", "label", "Finding Labels", "labels"], "diagnosis", "--label-col");
  const splitCol = opts.splitCol ? pickColumn(header, opts.splitCol, [], "split", "--split-col") : null;
  const delimiter = opts.labelDelimiter ?? "|";
  const metaCols = header.filter((h) => ![imageCol, groupCol, labelCol, splitCol].includes(h));

  const byImage = new Map<string, number>();
  const table: DatasetTable = { version: 1, imageIds: [], imagePaths: [], groups: [], diagnoses: [], metadata: Object.fromEntries(metaCols.map((c) => [c, []])), features: [], splitColumn: splitCol ? [] : null };
  let duplicateRows = 0;
  for (const r of records) {
    const id = r[imageCol];
    const labels = (r[labelCol] ?? "").split(delimiter).map((s) => s.trim()).filter(Boolean);
    const seen = byImage.get(id);
    if (seen !== undefined) {
      duplicateRows++;
      for (const l of labels) if (!table.diagnoses[seen].includes(l)) table.diagnoses[seen].push(l);
      continue;
    }
    byImage.set(id, table.imageIds.length);
    table.imageIds.push(id);
    table.imagePaths.push(opts.imageExt && !/\.\w+$/.test(id) ? id + opts.imageExt : id);
    table.groups.push(r[groupCol] || `image:${id}`);
    table.diagnoses.push(labels);
    for (const c of metaCols) table.metadata[c].push(r[c] === "" ? null : r[c]);
    table.splitColumn?.push(r[splitCol!] ?? null);
  }
  table.features = inferFeatures(table.metadata);

  const missingImages = table.imagePaths.filter((p) => !existsSync(join(opts.imagesDir, p)));
  const perGroup = new Map<string, number>();
  for (const g of table.groups) perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
  const sizes = [...perGroup.values()];
  const report: ImportReport = {
    rows: records.length,
    images: table.imageIds.length,
    groups: perGroup.size,
    missingImages,
    duplicateRows,
    imagesPerGroup: { min: Math.min(...sizes), max: Math.max(...sizes), mean: table.imageIds.length / perGroup.size },
    diagnoses: diagnosisCounts(table),
    metadata: metaCols.map((c) => ({
      name: c,
      kind: table.features.find((f) => f.name === c)?.kind ?? "ignored",
      missingRate: table.metadata[c].filter((v) => v == null).length / table.imageIds.length,
    })),
  };
  return { table, report };
}
