// Read a manifest file (CSV or Parquet) into string columns: the one shape the rest of the import
// works on. Cells are strings or null (missing).
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { CsvError, parseCsvColumns } from "./csv-columns.ts";
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";

export interface ManifestColumns {
  format: "csv" | "parquet";
  header: string[];
  /** One array per header entry, all of length `rows`. */
  columns: (string | null)[][];
  rows: number;
}

export class ManifestError extends Error {}

export interface ReadManifestOptions {
  /** CSV field delimiter (default ","; "\t" for TSV). */
  delimiter?: string;
  /** What the file is, for messages (default: the manifest, given with --manifest). */
  what?: { noun: string; flag: string };
}

const MANIFEST = { noun: "manifest", flag: "--manifest" };

export async function readManifestColumns(file: string, opts: ReadManifestOptions = {}): Promise<ManifestColumns> {
  const isParquet = /\.parquet$|\.pq$/i.test(file) || sniffParquet(file);
  const what = opts.what ?? MANIFEST;
  return isParquet ? readParquet(file, what) : readCsv(file, opts.delimiter ?? (/\.tsv$/i.test(file) ? "\t" : ","), what);
}

function sniffParquet(file: string): boolean {
  try {
    const fd = openSync(file, "r");
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    return head.toString("latin1") === "PAR1";
  } catch {
    return false;
  }
}

function readCsv(file: string, delimiter: string, what: { noun: string; flag: string }): ManifestColumns {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ManifestError(`cannot read the ${what.noun} ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}; check ${what.flag}`);
  }
  let parsed: ReturnType<typeof parseCsvColumns>;
  try {
    parsed = parseCsvColumns(text, delimiter);
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    throw new ManifestError(`${file}: ${e.message}${delimiter === "," ? " (if the file is not comma-separated, pass --delimiter)" : ""}`);
  }
  const { header, columns, rows } = parsed;
  if (!rows) throw new ManifestError(`${file}: the ${what.noun} has ${header.length ? "a header but no rows" : "no header and no rows"}`);
  if (header.length === 1 && delimiter === "," && /[;\t|]/.test(header[0]))
    throw new ManifestError(`${file}: the header has one column "${header[0]}"; the file looks ${/\t/.test(header[0]) ? "tab" : /;/.test(header[0]) ? "semicolon" : "pipe"}-separated: pass --delimiter`);
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new ManifestError(`${file}: column "${dup}" appears twice in the header; rename one`);
  return { format: "csv", header, columns, rows };
}

function cellToString(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v.trim() || null;
  if (typeof v === "number") return Number.isNaN(v) ? null : String(v);
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return v.toISOString();
  // list columns (e.g. several diagnoses per row) travel "|"-joined, the default label delimiter
  if (Array.isArray(v)) return v.map(cellToString).filter((x) => x !== null).join("|") || null;
  return JSON.stringify(v);
}

async function readParquet(file: string, what: { noun: string; flag: string }): Promise<ManifestColumns> {
  let rows: unknown[][] = [];
  let header: string[];
  try {
    const buf = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buf);
    header = parquetSchema(metadata).children.map((c) => c.element.name);
    await parquetRead({ file: buf, metadata, rowFormat: "array", onComplete: (r) => (rows = r) });
  } catch (e) {
    const msg = (e as Error).message;
    throw new ManifestError(`${file}: cannot read it as Parquet: ${msg}${/compression|codec/i.test(msg) ? " (re-save it with snappy or no compression)" : ""}`);
  }
  if (!rows.length) throw new ManifestError(`${file}: the ${what.noun} has no rows`);
  const columns = header.map((_, c) => rows.map((r) => cellToString(r[c])));
  return { format: "parquet", header, columns, rows: rows.length };
}
