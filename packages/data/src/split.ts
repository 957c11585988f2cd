// Patient-level split: every image of a group lands in the same split, deterministically for a seed.
import { keyedHash } from "./seeded-random.ts";

export const SPLIT_CODES = { train: 0, val: 1, test: 2 } as const;
export type SplitName = keyof typeof SPLIT_CODES;

export interface SplitOptions {
  train: number;
  val: number;
  test: number;
  seed: number;
  /** Stratify groups by their primary label, so rare diagnoses reach every split. */
  strata?: readonly string[] | null;
}

/** Returns one split code per sample (0 train, 1 val, 2 test). */
export function splitByGroup(groups: readonly string[], opts: SplitOptions): Uint8Array {
  const groupStratum = new Map<string, string>();
  groups.forEach((g, i) => {
    if (!groupStratum.has(g)) groupStratum.set(g, opts.strata?.[i] ?? "");
  });
  const byStratum = new Map<string, string[]>();
  for (const [g, s] of groupStratum) {
    const list = byStratum.get(s) ?? [];
    list.push(g);
    byStratum.set(s, list);
  }
  const assignment = new Map<string, number>();
  // Carry the rounding remainder across strata so the totals follow the ratios.
  let carryVal = 0;
  let carryTest = 0;
  for (const [, list] of [...byStratum.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    list.sort((a, b) => keyedHash(opts.seed, a) - keyedHash(opts.seed, b) || (a < b ? -1 : 1));
    const wantVal = list.length * opts.val + carryVal;
    const wantTest = list.length * opts.test + carryTest;
    const nVal = Math.round(wantVal);
    const nTest = Math.min(list.length - nVal, Math.round(wantTest));
    carryVal = wantVal - nVal;
    carryTest = wantTest - nTest;
    list.forEach((g, i) => assignment.set(g, i < nVal ? 1 : i < nVal + nTest ? 2 : 0));
  }
  return Uint8Array.from(groups, (g) => assignment.get(g)!);
}

/** Groups that appear in more than one split of a given assignment (e.g. a manifest's own split). */
export function groupsCrossingSplits(groups: readonly string[], splits: readonly (string | null)[]): Map<string, string[]> {
  const seen = new Map<string, Set<string>>();
  groups.forEach((g, i) => {
    const s = splits[i] ?? "(none)";
    const set = seen.get(g) ?? new Set<string>();
    set.add(s);
    seen.set(g, set);
  });
  const out = new Map<string, string[]>();
  for (const [g, set] of seen) if (set.size > 1) out.set(g, [...set].sort());
  return out;
}
