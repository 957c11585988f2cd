// The "other" class: samples with none of the selected diagnoses. In the training split it is capped to
// `ratio` of the final split by downsampling spread evenly across the unselected diagnoses (round robin:
// each diagnosis gives one sample per turn), so no single frequent diagnosis dominates it.
import { mulberry32 } from "./seeded-random.ts";

/** How many "other" samples make them `ratio` of the split: other / (labeled + other) = ratio. */
export function otherQuota(candidates: number, labeled: number, ratio: number): number {
  if (ratio >= 1) return candidates;
  if (ratio <= 0) return 0;
  return Math.min(candidates, Math.floor((ratio / (1 - ratio)) * labeled));
}

/**
 * What round robin over the buckets (in the given order) takes from each until `quota` is met, computed
 * directly: every bucket gives min(size, L) for the largest full turn L, and the remainder comes one
 * each from the first buckets that still have samples.
 */
export function roundRobinCounts(sizes: ArrayLike<number>, quota: number): Int32Array {
  const taken = (L: number) => {
    let s = 0;
    for (let b = 0; b < sizes.length; b++) s += Math.min(sizes[b], L);
    return s;
  };
  let lo = 0, hi = 0;
  for (let b = 0; b < sizes.length; b++) hi = Math.max(hi, sizes[b]);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (taken(mid) <= quota) lo = mid;
    else hi = mid - 1;
  }
  const counts = Int32Array.from(sizes as ArrayLike<number>, (s) => Math.min(s, lo));
  let rest = quota - taken(lo);
  for (let b = 0; b < sizes.length && rest > 0; b++) if (sizes[b] > lo) {
    counts[b]++;
    rest--;
  }
  return counts;
}

/**
 * Keep `otherQuota` candidates spread across buckets (given in a fixed order, e.g. by diagnosis name),
 * a seeded random choice inside each bucket. Returns the kept indices (unsorted).
 */
export function sampleOtherBuckets(buckets: readonly Int32Array[], labeled: number, ratio: number, seed: number): Int32Array {
  const total = buckets.reduce((n, b) => n + b.length, 0);
  const quota = otherQuota(total, labeled, ratio);
  if (quota >= total) return Int32Array.from(buckets.flatMap((b) => Array.from(b)));
  const counts = roundRobinCounts(buckets.map((b) => b.length), quota);
  const rand = mulberry32(seed ^ 0x5eed);
  const kept = new Int32Array(quota);
  let k = 0;
  buckets.forEach((bucket, b) => {
    const take = counts[b];
    if (!take) return;
    const pool = take === bucket.length ? bucket : Int32Array.from(bucket);
    // the first `take` steps of a forward Fisher-Yates shuffle: a uniform choice of `take` samples
    for (let i = 0; i < take; i++) {
      if (take < pool.length) {
        const j = i + Math.floor(rand() * (pool.length - i));
        const t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
      }
      kept[k++] = pool[i];
    }
  });
  return kept;
}

/** Convenience form over {index, bucket} pairs (buckets ordered by name); returns sorted indices. */
export function sampleOther(candidates: { index: number; bucket: string }[], labeled: number, ratio: number, seed: number): number[] {
  const byBucket = new Map<string, number[]>();
  for (const c of candidates) {
    const list = byBucket.get(c.bucket) ?? [];
    list.push(c.index);
    byBucket.set(c.bucket, list);
  }
  const names = [...byBucket.keys()].sort();
  return Array.from(sampleOtherBuckets(names.map((n) => Int32Array.from(byBucket.get(n)!)), labeled, ratio, seed)).sort((a, b) => a - b);
}
