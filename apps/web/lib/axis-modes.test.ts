import { describe, expect, it } from "vitest";
import { formatX, xValues } from "./axis-modes.ts";

const src = { step: [10, 20, 30, 40], epoch: [1, 1, 2, 2], time: [1000, 1360, 2800, 4600] };

describe("xValues", () => {
  it("step mode is the step", () => {
    expect([...xValues(src, "step")]).toEqual([10, 20, 30, 40]);
  });
  it("relative mode is hours since the first point", () => {
    expect([...xValues(src, "relative")]).toEqual([0, 0.1, 0.5, 1]);
  });
  it("wall mode is milliseconds since the Unix epoch", () => {
    expect([...xValues(src, "wall")]).toEqual([1_000_000, 1_360_000, 2_800_000, 4_600_000]);
  });
  it("epoch mode spreads an epoch's points within (e-1, e] and ends each epoch on the integer", () => {
    const x = [...xValues(src, "epoch")];
    expect(x[1]).toBe(1);
    expect(x[3]).toBe(2);
    expect(x[0]).toBeGreaterThan(0);
    expect(x[0]).toBeLessThan(1);
    expect(x[2]).toBeGreaterThan(1);
    expect(x[2]).toBeLessThan(2);
    // increasing, as a line needs
    for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]);
  });
});

describe("formatX", () => {
  it("formats each mode", () => {
    expect(formatX(12_500, "step")).toBe("12.5k");
    expect(formatX(250_000, "step")).toBe("250k");
    expect(formatX(0.5, "relative")).toBe("30 min");
    expect(formatX(2.5, "relative")).toBe("2.50 h");
    expect(formatX(3, "epoch")).toBe("3");
  });
});
