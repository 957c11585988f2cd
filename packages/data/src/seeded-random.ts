// Deterministic randomness for splits, sampling and demo data: same seed, same result, any machine.
import { createHash } from "node:crypto";

/** mulberry32: small, fast, good enough for shuffles and synthetic data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 52-bit hash of (seed, key): group order does not depend on manifest order. */
export function keyedHash(seed: number, key: string): number {
  const h = createHash("sha1").update(`${seed}\0${key}`).digest();
  return h.readUIntBE(0, 6);
}

export function shuffleInPlace<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
