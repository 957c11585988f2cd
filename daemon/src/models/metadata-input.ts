// The metadata a prediction request carries, checked against the model's encoder and encoded by the one encoder
// (@trainyard/data encodeMetadata) exactly as the run's training rows were. An empty field is "missing", as in a
// manifest; a value of the wrong kind is refused with the field and the kind it takes.
import { encodeMetadata, isMissing, parseBoolean, type EncodedFeature, type MetadataEncoder } from "@trainyard/data";
import type { PredictionMetadata } from "@trainyard/protocol";
import { PredictionError } from "./prediction-target.ts";

const describe = (f: EncodedFeature): string => {
  switch (f.kind) {
    case "continuous":
      return "a number";
    case "boolean":
      return "true or false";
    case "categorical":
      return `one of ${f.categories.map((c) => JSON.stringify(c)).join(", ")}`;
    case "multiselect":
      return `a list of ${f.options.map((c) => JSON.stringify(c)).join(", ")} (joined by "${f.delimiter}" or a JSON array)`;
  }
};

/** The request's values as manifest cells (strings; null for missing), refusing unknown fields and wrong kinds. */
export function metadataCells(encoder: MetadataEncoder | null, values: PredictionMetadata): { cells: Record<string, string | null>; missing: string[] } {
  const features = encoder?.features ?? [];
  const known = new Set(features.map((f) => f.name));
  const unknown = Object.keys(values).filter((k) => !known.has(k));
  if (unknown.length)
    throw new PredictionError(
      features.length
        ? `unknown metadata field${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; the model takes ${features.map((f) => `${f.name} (${f.kind})`).join(", ")}`
        : `this model takes no metadata, but the request has ${unknown.map((u) => `"${u}"`).join(", ")}`,
    );
  const cells: Record<string, string | null> = {};
  const missing: string[] = [];
  for (const f of features) {
    const raw = values[f.name];
    const wrong = () => new PredictionError(`metadata field "${f.name}" is ${f.kind}: expected ${describe(f)}, got ${JSON.stringify(raw)}`);
    if (raw === undefined || raw === null || (typeof raw === "string" && isMissing(raw))) {
      cells[f.name] = null;
      missing.push(f.name);
      continue;
    }
    switch (f.kind) {
      case "continuous": {
        const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
        if (!Number.isFinite(n)) throw wrong();
        cells[f.name] = String(n);
        break;
      }
      case "boolean": {
        const b = typeof raw === "boolean" ? raw : typeof raw === "string" ? parseBoolean(raw) : typeof raw === "number" && (raw === 0 || raw === 1) ? raw === 1 : null;
        if (b === null) throw wrong();
        cells[f.name] = String(b);
        break;
      }
      case "categorical": {
        if (typeof raw !== "string" && typeof raw !== "number") throw wrong();
        const v = String(raw).trim();
        if (!f.categories.includes(v)) throw wrong();
        cells[f.name] = v;
        break;
      }
      case "multiselect": {
        const list = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(f.delimiter).map((s) => s.trim()).filter(Boolean) : null;
        if (!list || list.some((o) => !f.options.includes(o))) throw wrong();
        cells[f.name] = list.join(f.delimiter);
        break;
      }
    }
  }
  return { cells, missing };
}

/** float32 [1, dim] for the model's metadata input. */
export function encodeRequestMetadata(encoder: MetadataEncoder, cells: Record<string, string | null>): Float32Array {
  return encodeMetadata(encoder, Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, [v]])), [0]);
}
