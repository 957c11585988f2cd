import { describe, expect, it } from "vitest";
import { bucketize } from "./buckets.ts";

describe("bucketize", () => {
  const series = Array.from({ length: 10_000 }, (_, i) => ({ step: i + 1, value: i === 4321 ? 99 : i === 7777 ? -50 : Math.sin(i / 100) }));

  it("returns at most maxPoints buckets", () => {
    expect(bucketize(series, 500).length).toBeLessThanOrEqual(500);
  });

  it("keeps the extremes: a one-step spike and dip survive as some bucket's max and min", () => {
    const b = bucketize(series, 200);
    expect(Math.max(...b.map((x) => x.max))).toBe(99);
    expect(Math.min(...b.map((x) => x.min))).toBe(-50);
    // and the bucket that holds the spike still draws its last value on the line, not the spike
    const holder = b.find((x) => x.max === 99)!;
    expect(holder.last).not.toBe(99);
  });

  it("counts every point and keeps each bucket's mean and last step", () => {
    const b = bucketize(series, 200);
    expect(b.reduce((n, x) => n + x.count, 0)).toBe(10_000);
    expect(b.at(-1)!.step).toBe(10_000);
    const small = bucketize([{ step: 1, value: 1 }, { step: 2, value: 3 }, { step: 3, value: 5 }, { step: 4, value: 7 }], 2);
    expect(small.map((x) => x.mean)).toEqual([2, 6]);
  });

  it("leaves short series point for point", () => {
    const short = [{ step: 5, value: 1 }, { step: 9, value: 2 }];
    expect(bucketize(short, 10).map((b) => [b.step, b.last, b.count])).toEqual([[5, 1, 1], [9, 2, 1]]);
  });

  it("does not let NaN poison the extremes or the mean", () => {
    const b = bucketize([{ step: 1, value: 1 }, { step: 2, value: Number.NaN }, { step: 3, value: 3 }, { step: 4, value: 4 }], 2);
    expect(b[0].min).toBe(1);
    expect(b[0].mean).toBe(1);
  });
});
