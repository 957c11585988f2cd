// The "other" class: samples with none of the selected diagnoses. In the training split it is capped to
// `ratio` of the final split by downsampling spread evenly across the unselected diagnoses, so no single
// frequent diagnosis dominates it.
import { mulberry32, shuffleInPlace } from "./seeded-random.ts";

/**
 * Choose which "other" candidates to keep.
 * @param candidates sample indices that would be "other", with the diagnosis that buckets each
 * @param labeled number of samples in the same split that carry a selected diagnosis
 */
export function sampleOther(candidates: { index: number; bucket: string }[], labeled: number, ratio: number, seed: number): number[] {
  if (ratio >= 1 || !candidates.length) return candidates.map((c) => c.index);
  if (ratio <= 0) return [];
  const quota = Math.min(candidates.length, Math.floor((ratio / (1 - ratio)) * labeled));
  const rand = mulberry32(seed ^ 0x5eed);
  const buckets = new Map<string, number[]>();
  for (const c of candidates) {
    const list = buckets.get(c.bucket) ?? [];
    list.push(c.index);
    buckets.set(c.bucket, list);
  }
  const queues = [...buckets.keys()].sort().map((k) => shuffleInPlace(buckets.get(k)!, rand));
  // Round robin over diagnoses: each takes one per turn until the quota is met.
  const kept: number[] = [];
  for (let turn = 0; kept.length < quota; turn++) {
    let took = false;
    for (const q of queues) {
      if (turn < q.length && kept.length < quota) {
        kept.push(q[turn]);
        took = true;
      }
    }
    if (!took) break;
  }
  return kept.sort((a, b) => a - b);
}
