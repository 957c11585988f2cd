// Metadata encoder: the one implementation (the trainer only reads the float32 matrix it produces).
// Continuous: standardised with train-split statistics, missing -> 0 plus a missing flag.
// Categorical: one-hot over the declared categories plus an "unknown" slot for unseen or missing values.
// Boolean: two columns (is-true, is-false), so unknown is neither rather than "false".
// Multiselect: multi-hot over the declared options (unlisted options are ignored).
import { isMissing, parseBoolean, splitOptions, type FeatureSpec } from "./feature-schema.ts";

export type EncodedFeature =
  | { name: string; kind: "continuous"; mean: number; std: number; columns: [string, string] }
  | { name: string; kind: "categorical"; categories: string[]; columns: string[] }
  | { name: string; kind: "boolean"; columns: [string, string] }
  | { name: string; kind: "multiselect"; options: string[]; delimiter: string; columns: string[] };

export interface MetadataEncoder {
  features: EncodedFeature[];
  dim: number;
}

/** Fit on the training rows only. */
export function fitEncoder(features: readonly FeatureSpec[], metadata: Record<string, readonly (string | null)[]>, trainRows: ArrayLike<number>): MetadataEncoder {
  const encoded: EncodedFeature[] = features.map((f): EncodedFeature => {
    const values = metadata[f.name] ?? [];
    switch (f.kind) {
      case "continuous": {
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
      case "categorical": {
        const categories = f.categories ?? [];
        return { name: f.name, kind: "categorical", categories, columns: [...categories.map((c) => `${f.name}=${c}`), `${f.name}=unknown`] };
      }
      case "boolean":
        return { name: f.name, kind: "boolean", columns: [`${f.name}=true`, `${f.name}=false`] };
      case "multiselect": {
        const options = f.options ?? [];
        return { name: f.name, kind: "multiselect", options, delimiter: f.delimiter ?? "|", columns: options.map((o) => `${f.name}:${o}`) };
      }
    }
  });
  return { features: encoded, dim: encoded.reduce((n, f) => n + f.columns.length, 0) };
}

/** Encode the given rows into a row-major float32 matrix [rows.length, encoder.dim]. */
export function encodeMetadata(encoder: MetadataEncoder, metadata: Record<string, readonly (string | null)[]>, rows: ArrayLike<number>): Float32Array {
  const dim = encoder.dim;
  const out = new Float32Array(rows.length * dim);
  let col = 0;
  for (const f of encoder.features) {
    const values = metadata[f.name] ?? [];
    const slot = new Map((f.kind === "categorical" ? f.categories : f.kind === "multiselect" ? f.options : []).map((c, k) => [c, k]));
    for (let i = 0; i < rows.length; i++) {
      const v = values[rows[i]];
      const at = i * dim + col;
      switch (f.kind) {
        case "continuous":
          if (isMissing(v)) out[at + 1] = 1;
          else out[at] = (Number(v) - f.mean) / f.std;
          break;
        case "categorical": {
          const k = isMissing(v) ? undefined : slot.get(v!.trim());
          out[at + (k ?? f.categories.length)] = 1;
          break;
        }
        case "boolean": {
          const b = parseBoolean(v);
          if (b !== null) out[at + (b ? 0 : 1)] = 1;
          break;
        }
        case "multiselect":
          for (const o of splitOptions(v, f.delimiter)) {
            const k = slot.get(o);
            if (k !== undefined) out[at + k] = 1;
          }
          break;
      }
    }
    col += f.columns.length;
  }
  return out;
}
