import { describe, expect, it } from "vitest";
import { metricAxis, metricColor, paramAxis, shortKey } from "./sweep-axes.ts";

describe("paramAxis", () => {
  it("puts a log_uniform parameter on a log10 axis over its range, ticks at powers of ten", () => {
    const a = paramAxis({ name: "lr", kind: "float", low: 1e-4, high: 1e-2, log: true, step: null }, [1e-3]);
    expect(a.kind).toBe("log");
    expect(a.place(1e-4)).toBeCloseTo(0);
    expect(a.place(1e-3)).toBeCloseTo(0.5);
    expect(a.place(1e-2)).toBeCloseTo(1);
    expect(a.place(0)).toBeNull();
    expect(a.ticks.map((t) => t.label)).toEqual(["1e-4", "1e-3", "0.01"]);
    expect(a.ticks.map((t) => Number(t.at.toFixed(6)))).toEqual([0, 0.5, 1]);
  });
  it("a uniform one linearly, widened to a trial value outside the space", () => {
    const a = paramAxis({ name: "dropout", kind: "float", low: 0, high: 0.5, log: false, step: null }, [0.25, 1]);
    expect(a.kind).toBe("linear");
    expect(a.place(0.5)).toBeCloseTo(0.5);
    expect(a.place("x")).toBeNull();
    expect(a.ticks[0].label).toBe("0");
    expect(a.ticks.every((t) => t.at >= 0 && t.at <= 1)).toBe(true);
  });
  it("a values list as evenly spaced choices in the space's order", () => {
    const a = paramAxis({ name: "batch", kind: "categorical", choices: [16, 32, 64] }, [32]);
    expect(a.kind).toBe("categorical");
    expect([16, 32, 64].map((v) => a.place(v))).toEqual([0, 0.5, 1]);
    expect(a.place(128)).toBeNull();
    expect(a.ticks.map((t) => t.label)).toEqual(["16", "32", "64"]);
    expect(paramAxis({ name: "opt", kind: "categorical", choices: ["adamw"] }, []).place("adamw")).toBe(0.5);
  });
});

describe("metricAxis", () => {
  it("spans the trials' values, padded when they are one value; null before any", () => {
    const a = metricAxis("val/auc", [0.6, null, 0.8])!;
    expect(a.place(0.6)).toBeCloseTo(0);
    expect(a.place(0.8)).toBeCloseTo(1);
    expect(metricAxis("val/auc", [0.7, 0.7])!.place(0.7)).toBeCloseTo(0.5);
    expect(metricAxis("val/auc", [null])).toBeNull();
  });
});

describe("metricColor", () => {
  it("runs from the worst trial to the best whichever the goal", () => {
    expect(metricColor(1, "max")).toBe("rgb(253, 231, 37)");
    expect(metricColor(0, "max")).toBe("rgb(68, 1, 84)");
    expect(metricColor(0, "min")).toBe(metricColor(1, "max"));
    expect(metricColor(2, "max")).toBe(metricColor(1, "max"));
  });
});

describe("shortKey", () => {
  it("keeps the last segments, with a list index its key", () => {
    expect(shortKey("training.phases.1.lr")).toBe("phases.1.lr");
    expect(shortKey("training.batch_size")).toBe("training.batch_size");
    expect(shortKey("training.optimizer.weight_decay")).toBe("optimizer.weight_decay");
  });
});
