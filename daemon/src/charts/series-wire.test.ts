import { describe, expect, it } from "vitest";
import { roundSignificant, seriesForWire } from "./series-wire.ts";

describe("series on the wire", () => {
  it("keeps seven significant digits and prints them short", () => {
    expect(roundSignificant(0.123456789)).toBe(0.1234568);
    expect(JSON.stringify(roundSignificant(0.30000000000000004))).toBe("0.3");
    expect(roundSignificant(-12345.678912)).toBe(-12345.68);
    expect(roundSignificant(812.3456789)).toBe(812.3457);
    expect(roundSignificant(3.2e-7 + 1e-20)).toBe(3.2e-7);
    expect(roundSignificant(123456789012)).toBe(123456800000);
    expect(roundSignificant(1.23456789e-30)).toBe(1.234568e-30);
    expect(roundSignificant(0)).toBe(0);
    expect(roundSignificant(Number.NaN)).toBeNaN();
    // a spike keeps its size: the error is below 5e-7 relative for every magnitude
    for (const v of [9.99999951, 1e-5 * Math.PI, 4.2e12 / 7, -Math.E * 1e3]) expect(Math.abs(roundSignificant(v) - v) / Math.abs(v)).toBeLessThan(5e-7);
  });

  it("rounds values and times, leaves steps, epochs and counts exact, and does not touch the cached input", () => {
    const b = { step: [1, 2], epoch: [1, 1], time: [1763800003.6000001, 1763800004.12345], last: [0.111111111, 2], min: [0.1, 2], max: [0.2, 2], mean: [0.15, 2], count: [3, 1], smooth: [0.123456789, 2], total: 4 };
    const w = seriesForWire(b);
    expect(w).toEqual({ step: [1, 2], epoch: [1, 1], time: [1763800003.6, 1763800004.123], last: [0.1111111, 2], min: [0.1, 2], max: [0.2, 2], mean: [0.15, 2], count: [3, 1], smooth: [0.1234568, 2], total: 4 });
    expect(b.last[0]).toBe(0.111111111);
    expect(seriesForWire({ ...b, smooth: null }).smooth).toBeNull();
  });
});
