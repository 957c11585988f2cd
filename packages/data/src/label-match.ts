// Match a label file's names to a dataset's diagnoses: exact after trimming and case-folding;
// anything else is reported with the closest known diagnoses.
import { closestNames, normaliseName } from "./closest-names.ts";

export const normaliseLabel = normaliseName;

export interface LabelMatch {
  /** Canonical dataset names, in the requested order, without duplicates. */
  matched: string[];
  unknown: { label: string; closest: string[] }[];
}

export function matchLabels(requested: readonly string[], known: readonly string[]): LabelMatch {
  const byNorm = new Map(known.map((k) => [normaliseLabel(k), k]));
  const matched: string[] = [];
  const unknown: LabelMatch["unknown"] = [];
  for (const raw of requested) {
    const label = raw.trim();
    if (!label) continue;
    const hit = byNorm.get(normaliseLabel(label));
    if (hit) {
      if (!matched.includes(hit)) matched.push(hit);
      continue;
    }
    unknown.push({ label, closest: closestNames(label, byNorm.values()) });
  }
  return { matched, unknown };
}

/** Parse a label file: one diagnosis per line; blank lines and # comments ignored. */
export function parseLabelFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter(Boolean);
}
