// Patient-level split: every image of a group lands in the same split, deterministically for a seed.
import { keyedHash } from "./seeded-random.ts";

export const SPLIT_CODES = { train: 0, val: 1, test: 2 } as const;
export const SPLIT_NAMES = ["train", "val", "test"] as const;
export type SplitName = keyof typeof SPLIT_CODES;

export interface SplitRatios {
  train: number;
  val: number;
  test: number;
}

export interface SplitOptions extends SplitRatios {
  seed: number;
  /** Stratify groups by their primary label, so rare diagnoses reach every split. */
  strata?: readonly string[] | null;
}

/**
 * Assign each group a split. Groups are taken in `order` (hash order for the seed); within each
 * stratum (strata in name order) the first val-share go to val, the next test-share to test, the rest
 * to train. Rounding remainders carry across strata so the totals follow the ratios.
 * @param stratumOf stratum index per group (into `strataNames`), -1 for groups not taking part
 */
export function assignGroupSplits(order: Int32Array, stratumOf: Int32Array, strataNames: readonly string[], ratios: SplitRatios): Uint8Array {
  const S = strataNames.length;
  const sizes = new Int32Array(S);
  for (let k = 0; k < order.length; k++) {
    const s = stratumOf[order[k]];
    if (s >= 0) sizes[s]++;
  }
  const nVal = new Int32Array(S);
  const nTest = new Int32Array(S);
  let carryVal = 0;
  let carryTest = 0;
  const byName = Array.from({ length: S }, (_, s) => s).sort((a, b) => (strataNames[a] < strataNames[b] ? -1 : strataNames[a] > strataNames[b] ? 1 : 0));
  for (const s of byName) {
    if (!sizes[s]) continue;
    const wantVal = sizes[s] * ratios.val + carryVal;
    const wantTest = sizes[s] * ratios.test + carryTest;
    nVal[s] = Math.round(wantVal);
    nTest[s] = Math.min(sizes[s] - nVal[s], Math.round(wantTest));
    carryVal = wantVal - nVal[s];
    carryTest = wantTest - nTest[s];
  }
  const seen = new Int32Array(S);
  const out = new Uint8Array(stratumOf.length);
  for (let k = 0; k < order.length; k++) {
    const g = order[k];
    const s = stratumOf[g];
    if (s < 0) continue;
    const pos = seen[s]++;
    out[g] = pos < nVal[s] ? SPLIT_CODES.val : pos < nVal[s] + nTest[s] ? SPLIT_CODES.test : SPLIT_CODES.train;
  }
  return out;
}

/** Returns one split code per sample (0 train, 1 val, 2 test). */
export function splitByGroup(groups: readonly string[], opts: SplitOptions): Uint8Array {
  const code = new Map<string, number>();
  const names: string[] = [];
  const strataCode = new Map<string, number>();
  const strataNames: string[] = [];
  const stratumOfList: number[] = [];
  groups.forEach((g, i) => {
    if (code.has(g)) return;
    code.set(g, names.length);
    names.push(g);
    const s = opts.strata?.[i] ?? "";
    if (!strataCode.has(s)) {
      strataCode.set(s, strataNames.length);
      strataNames.push(s);
    }
    stratumOfList.push(strataCode.get(s)!);
  });
  const hash = names.map((g) => keyedHash(opts.seed, g));
  const order = Int32Array.from(names.keys()).sort((a, b) => hash[a] - hash[b] || (names[a] < names[b] ? -1 : 1));
  const perGroup = assignGroupSplits(order, Int32Array.from(stratumOfList), strataNames, opts);
  return Uint8Array.from(groups, (g) => perGroup[code.get(g)!]);
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
