// The try-a-model page's arithmetic: the request's metadata from the form's values (empty fields left out, so
// the daemon encodes them as missing), the probability bars in reading order, and the targets on offer. Pure.
import type { Prediction, PredictionField } from "@trainyard/protocol";

/** A form value per field: text for number / categorical / boolean inputs, the ticked options for multiselect. */
export type FieldValues = Record<string, string | string[]>;

/** The metadata JSON the daemon takes: numbers as numbers, "true"/"false" as booleans, empty fields omitted. */
export function metadataPayload(fields: readonly PredictionField[], values: FieldValues): Record<string, string | number | boolean | string[]> {
  const out: Record<string, string | number | boolean | string[]> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      if (v.length) out[f.name] = v;
      continue;
    }
    const text = v.trim();
    if (!text) continue;
    if (f.kind === "continuous") out[f.name] = Number.isFinite(Number(text)) ? Number(text) : text; // the daemon names a bad number
    else if (f.kind === "boolean") out[f.name] = text === "true" ? true : text === "false" ? false : text;
    else out[f.name] = text;
  }
  return out;
}

/** Probabilities, most likely first (ties in the model's class order). */
export function probabilityBars(result: Prediction["result"]): { label: string; probability: number }[] {
  if (result.kind !== "probabilities") return [];
  return result.probabilities.map((p, i) => ({ ...p, i })).sort((a, b) => b.probability - a.probability || a.i - b.i).map(({ label, probability }) => ({ label, probability }));
}

/** A percentage for a bar's caption: one decimal, "<0.1%" for what rounds to nothing but is not zero. */
export function percent(p: number): string {
  if (p > 0 && p < 0.0005) return "<0.1%";
  return `${(p * 100).toFixed(1)}%`;
}

/** Runs a prediction can use: completed, with a best checkpoint (the `best` summary says one was kept). */
export function predictableRuns<T extends { status: string; best: unknown }>(runs: readonly T[]): T[] {
  return runs.filter((r) => r.status === "completed" && r.best != null);
}
