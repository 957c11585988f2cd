import { describe, expect, it } from "vitest";
import { smoothBuckets, smoothTensorBoard } from "./smoothing.ts";

const pts = (ys: number[]) => ys.map((y, x) => ({ x, y }));
const ys = (p: { y: number }[]) => p.map((q) => q.y);

describe("smoothTensorBoard (TensorBoard's classic smoothing)", () => {
  it("matches the debiased EMA worked by hand: [1, 2, 3] at 0.5 → 1, 5/3, 17/7", () => {
    // last_n = 0.5 last_{n-1} + 0.5 y_n; smoothed = last_n / (1 - 0.5^n)
    const out = ys(smoothTensorBoard(pts([1, 2, 3]), 0.5));
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(5 / 3, 12);
    expect(out[2]).toBeCloseTo(17 / 7, 12);
  });

  it("matches TensorBoard's formula on a longer noisy series at 0.9", () => {
    const input = Array.from({ length: 50 }, (_, i) => Math.sin(i) + i / 10);
    let last = 0;
    const expected = input.map((y, i) => {
      last = last * 0.9 + 0.1 * y;
      return last / (1 - Math.pow(0.9, i + 1));
    });
    const out = ys(smoothTensorBoard(pts(input), 0.9));
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it("weight 0 is the identity", () => {
    expect(ys(smoothTensorBoard(pts([3, 1, 4, 1, 5]), 0))).toEqual([3, 1, 4, 1, 5]);
  });

  it("leaves a constant series alone (tensorboard#786)", () => {
    expect(ys(smoothTensorBoard(pts([0.1, 0.1, 0.1]), 0.99))).toEqual([0.1, 0.1, 0.1]);
  });

  it("passes non-finite values through without counting them", () => {
    const out = ys(smoothTensorBoard(pts([1, Number.NaN, 3]), 0.5));
    expect(out[0]).toBe(1);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1.75 / 0.75, 12); // second finite point: n = 2
  });

  it("clamps the weight to [0, 1] and treats NaN as 0", () => {
    expect(ys(smoothTensorBoard(pts([1, 5]), Number.NaN))).toEqual([1, 5]);
    expect(ys(smoothTensorBoard(pts([1, 5]), -2))).toEqual([1, 5]);
  });
});

describe("smoothBuckets", () => {
  it("equals TensorBoard's smoothing when every bucket holds one point", () => {
    const input = [0.9, 0.7, 0.8, 0.4, 0.45, 0.3, 0.35];
    const out = smoothBuckets(input, input.map(() => 1), 0.6);
    const tb = ys(smoothTensorBoard(pts(input), 0.6));
    tb.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
  });

  it("equals the full-resolution EMA at bucket ends when points inside a bucket are equal", () => {
    // full series [1, 1, 3, 3] at 0.5 ends at 1 and 2.6; buckets of two points each must agree
    const full = ys(smoothTensorBoard(pts([1, 1, 3, 3]), 0.5));
    const b = smoothBuckets([1, 3], [2, 2], 0.5);
    expect(b[0]).toBeCloseTo(full[1], 12);
    expect(b[1]).toBeCloseTo(full[3], 12);
    expect(b[1]).toBeCloseTo(2.6, 12);
  });

  it("smooths by point count, not bucket count: a 100-point bucket moves the EMA almost all the way", () => {
    const b = smoothBuckets([0, 1], [1, 100], 0.9);
    expect(b[1]).toBeGreaterThan(0.99);
    const sampled = smoothBuckets([0, 1], [1, 1], 0.9); // what smoothing sampled points would give
    expect(sampled[1]).toBeLessThan(0.6);
  });

  it("gives the plain formula's values bit for bit (w^k reused, debias dropped once it rounds to 1)", () => {
    // the formula as written, one Math.pow per term: what the faster loop must reproduce exactly
    const plain = (mean: number[], count: number[], w: number) => {
      let last = 0;
      let n = 0;
      return mean.map((v, i) => {
        if (!Number.isFinite(v)) return v;
        const k = Math.max(1, count[i]);
        last = last * Math.pow(w, k) + (1 - Math.pow(w, k)) * v;
        n += k;
        return w === 1 ? last : last / (1 - Math.pow(w, n));
      });
    };
    const mean = Array.from({ length: 2000 }, (_, i) => (i === 700 ? NaN : Math.sin(i / 37) + (i % 11) / 7));
    // one bucket size, then two alternating (points that do not divide evenly), then single points and a few others
    const count = mean.map((_, i) => (i < 1000 ? 256 : i < 1500 ? 12 + (i % 2) : i < 1990 ? 1 : 3 + (i % 3)));
    for (const w of [0, 0.3, 0.6, 0.9, 0.99, 0.999, 0.99999, 1]) expect(Array.from(smoothBuckets(mean, count, w)), `w = ${w}`).toEqual(plain(mean, count, w));
  });
});
