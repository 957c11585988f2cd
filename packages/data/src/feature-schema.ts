// The feature schema: how each metadata column of a manifest is encoded. Declared in a JSON file or
// inferred from the manifest (and then reviewed by the user before the import completes).
import { closestNames } from "./closest-names.ts";

export const FEATURE_KINDS = ["continuous", "categorical", "boolean", "multiselect"] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

export interface FeatureSpec {
  /** The manifest column. */
  name: string;
  kind: FeatureKind;
  /** categorical: the known values (encoding adds an "unknown" slot); learned at import when absent. */
  categories?: string[];
  /** multiselect: the declared options (multi-hot); learned at import when absent. */
  options?: string[];
  /** multiselect: separator between the selected options in one cell (default "|"). */
  delimiter?: string;
}

export interface FeatureSchema {
  version: 1;
  features: FeatureSpec[];
}

export class FeatureSchemaError extends Error {}

const TRUE = new Set(["true", "t", "yes", "y", "1"]);
const FALSE = new Set(["false", "f", "no", "n", "0"]);

const MISSING = new Set(["", "nan", "na", "n/a", "null", "none", "unknown", "?"]);

export const isMissing = (v: string | null | undefined): boolean => v == null || (v.length <= 9 && MISSING.has(v.trim().toLowerCase()));

/** true / false / null (unknown) for a boolean cell. */
export function parseBoolean(v: string | null | undefined): boolean | null {
  if (isMissing(v)) return null;
  const s = v!.trim().toLowerCase();
  return TRUE.has(s) ? true : FALSE.has(s) ? false : null;
}

export function splitOptions(v: string | null | undefined, delimiter = "|"): string[] {
  if (isMissing(v)) return [];
  return v!.split(delimiter).map((s) => s.trim()).filter(Boolean);
}

/** Encoded width of one feature (the Gen2A model sizes its metadata MLP from the sum). */
export function featureWidth(f: FeatureSpec): number {
  switch (f.kind) {
    case "continuous":
      return 2; // value, missing flag
    case "categorical":
      return (f.categories?.length ?? 0) + 1; // + unknown
    case "boolean":
      return 2; // is-true, is-false: unknown is neither
    case "multiselect":
      return f.options?.length ?? 0;
  }
}

export const encodedDimension = (features: readonly FeatureSpec[]): number => features.reduce((n, f) => n + featureWidth(f), 0);

export interface InferredColumn {
  name: string;
  /** Why a column was left out of the inferred schema (null when it is in). */
  skipped: string | null;
}

/**
 * Infer a schema from raw metadata columns: booleans (only yes/no-like values), numbers (continuous),
 * delimited lists over a small vocabulary (multiselect), few distinct values (categorical). Columns
 * with too many distinct text values (ids, free text) or no values are skipped, with the reason.
 */
export function inferFeatureSchema(
  metadata: Record<string, readonly (string | null)[]>,
  { maxCategories = 64, multiDelimiter = "|" } = {},
): { schema: FeatureSchema; columns: InferredColumn[] } {
  const features: FeatureSpec[] = [];
  const columns: InferredColumn[] = [];
  const CAP = 10_000;
  for (const [name, values] of Object.entries(metadata)) {
    // classify on distinct values (cheap); past CAP distinct values only "still numeric?" is followed
    const distinct = new Set<string>();
    let present = 0;
    let numeric = true;
    for (const raw of values) {
      if (raw == null || isMissing(raw)) continue;
      present++;
      if (distinct.size < CAP) distinct.add(raw);
      else if (numeric && !Number.isFinite(Number(raw))) numeric = false;
    }
    const overflow = distinct.size >= CAP;
    let booleanLike = !overflow;
    let delimited = 0;
    for (const v of distinct) {
      if (numeric && !Number.isFinite(Number(v))) numeric = false;
      if (booleanLike && parseBoolean(v) === null) booleanLike = false;
      if (v.includes(multiDelimiter)) delimited++;
    }
    const skip = (why: string) => columns.push({ name, skipped: why });
    if (!present) {
      skip("no values");
      continue;
    }
    const bools = [...distinct].map((v) => parseBoolean(v));
    if (booleanLike && bools.includes(true) && bools.includes(false) && new Set(bools).size === 2 && distinct.size <= 4) {
      features.push({ name, kind: "boolean" });
    } else if (numeric) {
      features.push({ name, kind: "continuous" });
    } else if (delimited > 0) {
      const options = new Set<string>();
      for (const v of distinct) for (const o of splitOptions(v, multiDelimiter)) options.add(o);
      if (options.size > maxCategories) {
        skip(`${options.size} distinct options (more than ${maxCategories})`);
        continue;
      }
      features.push({ name, kind: "multiselect", options: [...options].sort(), delimiter: multiDelimiter });
    } else if (distinct.size <= maxCategories) {
      features.push({ name, kind: "categorical", categories: [...distinct].sort() });
    } else {
      skip(`${overflow ? `over ${CAP}` : distinct.size} distinct values (more than ${maxCategories}): an id or free text?`);
      continue;
    }
    columns.push({ name, skipped: null });
  }
  return { schema: { version: 1, features }, columns };
}

/**
 * Validate a schema (parsed JSON from a file or the dashboard) against the manifest's metadata columns.
 * Every problem is listed with the feature it is in and what to do.
 */
export function parseFeatureSchema(input: unknown, metadataColumns: readonly string[], source = "schema"): FeatureSchema {
  const problems: string[] = [];
  const obj = input as { version?: unknown; features?: unknown } | null;
  const list = Array.isArray(input) ? input : obj && typeof obj === "object" ? obj.features : undefined;
  if (!Array.isArray(list)) throw new FeatureSchemaError(`${source}: expected {"version": 1, "features": [{"name": ..., "kind": ...}, ...]}`);
  const seen = new Set<string>();
  const features: FeatureSpec[] = [];
  list.forEach((raw: unknown, i: number) => {
    const at = `${source}: features[${i}]`;
    const f = raw as Partial<FeatureSpec> & Record<string, unknown>;
    if (!f || typeof f !== "object" || typeof f.name !== "string" || !f.name) {
      problems.push(`${at}: needs a "name" (a manifest column)`);
      return;
    }
    const where = `${at} ("${f.name}")`;
    if (!metadataColumns.includes(f.name)) {
      const closest = closestNames(f.name, metadataColumns);
      problems.push(`${where}: no such metadata column in the manifest${closest.length ? `; closest: ${closest.join(", ")}` : ""}`);
      return;
    }
    if (seen.has(f.name)) problems.push(`${where}: declared twice`);
    seen.add(f.name);
    if (!FEATURE_KINDS.includes(f.kind as FeatureKind)) {
      problems.push(`${where}: "kind" must be one of ${FEATURE_KINDS.join(", ")} (got ${JSON.stringify(f.kind)})`);
      return;
    }
    const strings = (key: "categories" | "options") => {
      const v = f[key];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
        problems.push(`${where}: "${key}" must be a list of strings`);
        return undefined;
      }
      return [...new Set(v.map((x) => x.trim()).filter(Boolean))];
    };
    const spec: FeatureSpec = { name: f.name, kind: f.kind as FeatureKind };
    if (spec.kind === "categorical") {
      const c = strings("categories");
      if (c) spec.categories = c;
    }
    if (spec.kind === "multiselect") {
      const o = strings("options");
      if (o) spec.options = o;
      if (f.delimiter !== undefined && (typeof f.delimiter !== "string" || !f.delimiter)) problems.push(`${where}: "delimiter" must be a non-empty string`);
      spec.delimiter = typeof f.delimiter === "string" && f.delimiter ? f.delimiter : "|";
    }
    features.push(spec);
  });
  if (problems.length) throw new FeatureSchemaError(problems.join("\n"));
  return { version: 1, features };
}

/** Fill what a schema left to the data: categorical categories and multiselect options. */
export function completeFeatureSchema(schema: FeatureSchema, metadata: Record<string, readonly (string | null)[]>): FeatureSchema {
  return {
    version: 1,
    features: schema.features.map((f) => {
      const values = metadata[f.name] ?? [];
      if (f.kind === "categorical" && !f.categories) {
        const set = new Set<string>();
        for (const v of values) if (!isMissing(v)) set.add(v!.trim());
        return { ...f, categories: [...set].sort() };
      }
      if (f.kind === "multiselect" && !f.options) {
        const set = new Set<string>();
        for (const v of values) for (const o of splitOptions(v, f.delimiter)) set.add(o);
        return { ...f, options: [...set].sort() };
      }
      return f;
    }),
  };
}
