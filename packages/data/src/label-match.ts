// Match a label file's names to a dataset's diagnoses: exact after trimming and case-folding;
// anything else is reported with the closest known diagnoses.
import { distance } from "fastest-levenshtein";

export const normaliseLabel = (s: string) => s.trim().normalize("NFC").toLocaleLowerCase();

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
    const n = normaliseLabel(label);
    const closest = [...byNorm.entries()]
      .map(([k, v]) => ({ v, d: distance(n, k) - (k.includes(n) || n.includes(k) ? 2 : 0) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 3)
      .map((c) => c.v);
    unknown.push({ label, closest });
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
