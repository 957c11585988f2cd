// The names closest to a misspelt one, for "unknown X; closest: ..." messages (label sets, feature columns,
// model names and aliases): edit distance after trimming and case-folding, a containing name counted closer.
import { distance } from "fastest-levenshtein";

export const normaliseName = (s: string) => s.trim().normalize("NFC").toLocaleLowerCase();

/** Up to `limit` of `known`, closest first (ties keep `known`'s order). */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const n = normaliseName(name);
  return [...known]
    .map((k, i) => {
      const kn = normaliseName(k);
      return { k, i, d: distance(n, kn) - (kn.includes(n) || n.includes(kn) ? 2 : 0) };
    })
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .slice(0, limit)
    .map((c) => c.k);
}
