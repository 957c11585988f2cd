import { describe, expect, it } from "vitest";
import { decodeSeries, decodeSmoothing, encodeSeries, encodeSmoothing } from "./series-wire.ts";

const b = {
  step: [1, 2, 1e12 + 3],
  epoch: [1, 1, 2],
  time: [1763800003.6000001, 1763800004.12345, 1763800005.000001],
  last: [0.111111111, -2, Number.POSITIVE_INFINITY],
  min: [0.1, -2, Number.NaN],
  max: [0.2, 50, Number.NaN],
  mean: [0.15, 2, 0],
  count: [3, 1, 16_000_000],
  smooth: null,
  total: 16_000_004,
};

describe("series on the wire", () => {
  it("keeps steps and wall times exact, values at float32, epochs and counts exact", () => {
    const w = encodeSeries(b);
    expect(Object.values(w).every((v) => typeof v === "number" || typeof v === "string")).toBe(true);
    const got = decodeSeries(JSON.parse(JSON.stringify(w)));
    expect(got.step).toEqual(b.step);
    expect(got.time).toEqual(b.time);
    expect(got.epoch).toEqual(b.epoch);
    expect(got.count).toEqual(b.count);
    expect(got.total).toBe(b.total);
    expect(got.smooth).toBeNull();
    expect(got.last).toEqual(b.last.map(Math.fround));
    expect(got.max).toEqual(b.max.map(Math.fround));
    expect(got.min[2]).toBeNaN();
    // a spike keeps its size: float32 is within 6e-8 relative
    for (const [i, v] of b.last.slice(0, 2).entries()) expect(Math.abs(got.last[i] - v) / Math.abs(v)).toBeLessThan(6e-8);
  });

  it("round-trips an empty series and the smoothing, and refuses a column of the wrong size", () => {
    const empty = { ...b, step: [], epoch: [], time: [], last: [], min: [], max: [], mean: [], count: [], total: 0 };
    expect(decodeSeries(encodeSeries(empty))).toEqual(empty);
    expect(decodeSmoothing(encodeSmoothing({ total: 9, smooth: [0.5, 0.25] }))).toEqual({ total: 9, smooth: [0.5, 0.25] });
    expect(() => decodeSeries({ ...encodeSeries(b), last: encodeSeries(empty).last })).toThrow(/series column is 0 bytes, expected 12/);
  });

  it("is far smaller than the same buckets as JSON numbers", () => {
    const n = 400;
    const big = {
      step: Array.from({ length: n }, (_, i) => 256 * i + 255), epoch: Array.from({ length: n }, (_, i) => 1 + (i >> 4)),
      time: Array.from({ length: n }, (_, i) => 1.7638e9 + i * 9.2165432), last: Array.from({ length: n }, (_, i) => Math.exp(-i / 300) + 0.01 * Math.sin(i)),
      min: Array.from({ length: n }, (_, i) => Math.exp(-i / 300) - 0.1), max: Array.from({ length: n }, (_, i) => Math.exp(-i / 300) + 0.1),
      mean: Array.from({ length: n }, (_, i) => Math.exp(-i / 300)), count: Array.from({ length: n }, () => 256), smooth: null, total: 256 * n,
    };
    expect(JSON.stringify(encodeSeries(big)).length).toBeLessThan(0.6 * JSON.stringify(big).length);
  });
});
