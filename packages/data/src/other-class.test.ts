import { describe, expect, it } from "vitest";
import { sampleOther } from "./other-class.ts";

// 900 "other" candidates: one frequent unselected diagnosis and two rare ones
const candidates = [
  ...Array.from({ length: 800 }, (_, i) => ({ index: i, bucket: "eczema" })),
  ...Array.from({ length: 60 }, (_, i) => ({ index: 800 + i, bucket: "psoriasis" })),
  ...Array.from({ length: 40 }, (_, i) => ({ index: 860 + i, bucket: "wart" })),
];

describe("sampleOther", () => {
  it("caps other at the ratio of the final split", () => {
    const kept = sampleOther(candidates, 900, 0.1, 0);
    expect(kept.length).toBe(100); // 100 / (900 + 100) = 0.1
  });

  it("spreads the quota across diagnoses instead of following their frequency", () => {
    const kept = new Set(sampleOther(candidates, 900, 0.1, 0));
    const per = (lo: number, hi: number) => [...kept].filter((i) => i >= lo && i < hi).length;
    expect(per(0, 800)).toBe(34);
    expect(per(800, 860)).toBe(33);
    expect(per(860, 900)).toBe(33);
  });

  it("is deterministic for a seed", () => {
    expect(sampleOther(candidates, 900, 0.1, 5)).toEqual(sampleOther(candidates, 900, 0.1, 5));
    expect(sampleOther(candidates, 900, 0.1, 5)).not.toEqual(sampleOther(candidates, 900, 0.1, 6));
  });

  it("ratio 0 keeps none, ratio 1 keeps all", () => {
    expect(sampleOther(candidates, 900, 0, 0)).toEqual([]);
    expect(sampleOther(candidates, 900, 1, 0).length).toBe(900);
  });
});
