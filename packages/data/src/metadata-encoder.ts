// Metadata encoder: the one implementation (the trainer only reads the float32 matrix it produces).
// Continuous: standardised with train-split statistics, missing -> 0 plus a missing flag.
// Categorical: one-hot over the declared categories plus an "unknown" slot for unseen or missing values.
import type { FeatureSpec } from "./dataset-table.ts";

export type EncodedFeature =
  | { name: string; kind: "continuous"; mean: number; std: number; columns: [string, string] }
  | { name: string; kind: "categorical"; categories: string[]; columns: string[] };

export interface MetadataEncoder {
  features: EncodedFeature[];
  dim: number;
}

const isMissing = (v: string | null | undefined) => v == null || v.trim() === "" || /^(nan|na|null|unknown)$/i.test(v.trim());

/** Infer a feature schema from raw columns: numeric columns are continuous, the rest categorical. */
export function inferFeatures(metadata: Record<string, (string | null)[]>, maxCategories = 100): FeatureSpec[] {
  const out: FeatureSpec[] = [];
  for (const [name, values] of Object.entries(metadata)) {
    const present = values.filter((v) => !isMissing(v)) as string[];
    if (!present.length) continue;
    if (present.every((v) => Number.isFinite(Number(v)))) out.push({ name, kind: "continuous" });
    else {
      const categories = [...new Set(present.map((v) => v.trim()))].sort();
      if (categories.length <= maxCategories) out.push({ name, kind: "categorical", categories });
    }
  }
  return out;
}

/** Fit on the training rows only. */
export function fitEncoder(features: FeatureSpec[], metadata: Record<string, (string | null)[]>, trainRows: ArrayLike<number>): MetadataEncoder {
  const encoded: EncodedFeature[] = features.map((f) => {
    const values = metadata[f.name] ?? [];
    if (f.kind === "continuous") {
      let n = 0, sum = 0, sq = 0;
      for (let i = 0; i < trainRows.length; i++) {
        const v = values[trainRows[i]];
        if (isMissing(v)) continue;
        const x = Number(v);
        n++; sum += x; sq += x * x;
      }
      const mean = n ? sum / n : 0;
      const std = n > 1 ? Math.sqrt(Math.max(sq / n - mean * mean, 0)) || 1 : 1;
      return { name: f.name, kind: "continuous", mean, std, columns: [f.name, `${f.name}:missing`] };
    }
    const categories = f.categories ?? [];
    return { name: f.name, kind: "categorical", categories, columns: [...categories.map((c) => `${f.name}=${c}`), `${f.name}=unknown`] };
  });
  return { features: encoded, dim: encoded.reduce((n, f) => n + f.columns.length, 0) };
}

/** Encode the given rows into a row-major float32 matrix [rows.length, encoder.dim]. */
export function encodeMetadata(encoder: MetadataEncoder, metadata: Record<string, (string | null)[]>, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * encoder.dim);
  let col = 0;
  for (const f of encoder.features) {
    const values = metadata[f.name] ?? [];
    if (f.kind === "continuous") {
      for (let i = 0; i < rows.length; i++) {
        const v = values[rows[i]];
        if (isMissing(v)) out[i * encoder.dim + col + 1] = 1;
        else out[i * encoder.dim + col] = (Number(v) - f.mean) / f.std;
      }
    } else {
      const index = new Map(f.categories.map((c, k) => [c, k]));
      for (let i = 0; i < rows.length; i++) {
        const v = values[rows[i]];
        const k = isMissing(v) ? undefined : index.get(v!.trim());
        out[i * encoder.dim + col + (k ?? f.categories.length)] = 1;
      }
    }
    col += f.columns.length;
  }
  return out;
}
