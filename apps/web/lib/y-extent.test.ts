import { describe, expect, it } from "vitest";
import { integerTicks, joinedExtent, linearTicks, logTicks, quantile, scanRange, yExtent } from "./y-extent.ts";

describe("yExtent", () => {
  const values = Array.from({ length: 100 }, (_, i) => 1 + (i % 10) / 10);
  values[50] = 1000; // one diverged step

  it("includes every finite value by default", () => {
    expect(yExtent([values, [Number.NaN, Infinity]], { ignoreOutliers: false, log: false })).toEqual([1, 1000]);
  });

  it("ignoring outliers clips to the 5th-95th percentile band, padded", () => {
    const [lo, hi] = yExtent([values], { ignoreOutliers: true, log: false })!;
    expect(hi).toBeLessThan(3);
    expect(lo).toBeLessThan(1.05);
    expect(lo).toBeGreaterThan(0.8);
  });

  it("a log axis drops non-positive values", () => {
    expect(yExtent([[-1, 0, 0.01, 10]], { ignoreOutliers: false, log: true })).toEqual([0.01, 10]);
    expect(yExtent([[-1, 0]], { ignoreOutliers: false, log: true })).toBeNull();
  });

  it("never returns an empty range", () => {
    const [lo, hi] = yExtent([[0.5, 0.5]], { ignoreOutliers: false, log: false })!;
    expect(hi).toBeGreaterThan(lo);
  });

  it("quantile interpolates between neighbours", () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });
});

describe("joinedExtent", () => {
  it("gives exactly yExtent over both groups of arrays, linear or log, flat or empty", () => {
    const bands = [[0.5, 2, NaN, -1], [3, Infinity, 1]];
    const smooth = [[0.2, 4.5], [NaN]];
    for (const log of [false, true]) {
      for (const [a, b] of [[bands, smooth], [bands, []], [[], smooth], [[[2, 2]], [[2]]], [[], []], [[[-3, 0]], []]] as number[][][][]) {
        expect(joinedExtent(scanRange(a, log), scanRange(b, log), log), JSON.stringify({ a, b, log })).toEqual(yExtent([...a, ...b], { ignoreOutliers: false, log }));
      }
    }
  });
});

describe("ticks", () => {
  it("linear ticks are round numbers inside the range", () => {
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
  it("terminates on a range tiny against its magnitude", () => {
    const t = linearTicks(1_763_800_000.1, 1_763_800_000.1000001, 4);
    expect(t.length).toBeGreaterThan(0);
    expect(t.length).toBeLessThanOrEqual(51);
  });
  it("log ticks are powers of ten", () => {
    expect(logTicks(0.001, 1)).toEqual([0.001, 0.01, 0.1, 1]);
  });
});

describe("integerTicks", () => {
  it("labels whole years only, never 1.5", () => {
    expect(integerTicks(0.75, 5.25, 8)).toEqual([1, 2, 3, 4, 5]);
    expect(integerTicks(0.75, 20.25, 4)).toEqual([5, 10, 15, 20]);
    expect(integerTicks(0.75, 1.25, 5)).toEqual([1]);
    expect(integerTicks(0.6, 0.9, 5)).toEqual([1]);
  });
});
