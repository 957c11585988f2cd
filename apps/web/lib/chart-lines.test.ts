import { describe, expect, it } from "vitest";
import { nonFiniteMarkers, phaseMarkers, runColor, toChartLine, withSmoothing, type Buckets } from "./chart-lines.ts";

const b: Buckets = { step: [10, 20, 30], epoch: [1, 2, 3], time: [0, 60, 120], last: [1, 2, 3], min: [0.5, 2, 2.5], max: [1, 9, 3], mean: [0.8, 3, 2.8], count: [3, 3, 3], smooth: [0.7, 1.9, 2.4], total: 9 };
const style = { id: "r", label: "r", color: "#000" };

describe("toChartLine", () => {
  it("uses the server's exact smoothing when it was read for the current weight", () => {
    const l = toChartLine(style, b, "step", 0.6, 0.6);
    expect(Array.from(l.smooth!)).toEqual([0.7, 1.9, 2.4]);
    expect(l.exact).toBe(true);
  });
  it("falls back to bucket smoothing (marked inexact) while the weight changes", () => {
    const l = toChartLine(style, b, "step", 0.9, 0.6);
    expect(l.smooth![0]).toBeCloseTo(0.8, 12); // the debiased EMA starts at the first mean
    expect(l.exact).toBe(false);
  });
  it("draws the band from min / max and the raw line from last; no smoothing at 0", () => {
    const l = toChartLine(style, b, "relative", 0, 0);
    expect(l.smooth).toBeNull();
    expect(Array.from(l.hi)).toEqual([1, 9, 3]);
    expect(Array.from(l.x)).toEqual([0, 60 / 3600, 120 / 3600]);
  });
});

describe("withSmoothing", () => {
  const plain = { ...b, smooth: null };
  it("merges the exact smoothing into series read over the same points", () => {
    const got = withSmoothing({ r: { loss: plain } }, { r: { loss: { total: 9, smooth: [0.1, 0.2, 0.3] } } });
    expect(got!.r.loss.smooth).toEqual([0.1, 0.2, 0.3]);
    expect(got!.r.loss.last).toEqual(b.last);
  });
  it("leaves a series without it when the reads saw different points (a live run grew between them)", () => {
    const grown = withSmoothing({ r: { loss: plain, auc: plain } }, { r: { loss: { total: 10, smooth: [0.1, 0.2, 0.3] }, auc: { total: 9, smooth: [0.1] } } });
    expect(grown!.r.loss.smooth).toBeNull();
    expect(grown!.r.auc.smooth).toBeNull();
    expect(withSmoothing({ r: { loss: b } }, undefined)!.r.loss.smooth).toBeNull();
    expect(withSmoothing(undefined, undefined)).toBeUndefined();
  });
});

describe("phaseMarkers", () => {
  it("puts a boundary at its step, or at the epoch it starts on the epoch axis", () => {
    expect(phaseMarkers([{ index: 1, phase: "ft", step: 20 }], b, "step")).toEqual([{ x: 20, label: "ft" }]);
    expect(phaseMarkers([{ index: 1, phase: "ft", step: 20 }], b, "epoch")).toEqual([{ x: 1, label: "ft" }]);
  });
});

describe("runColor", () => {
  it("gives 50 runs 50 different colours", () => {
    expect(new Set(Array.from({ length: 50 }, (_, i) => runColor(i))).size).toBe(50);
  });
});

describe("nonFiniteMarkers", () => {
  it("marks where a key first became NaN, on the step and epoch axes", () => {
    expect(nonFiniteMarkers({ "train/loss": { step: 20, value: "NaN" } }, b, "step")).toEqual([{ x: 20, label: "train/loss NaN" }]);
    expect(nonFiniteMarkers({ "val/loss": { step: 25, value: "Infinity" } }, b, "step")).toEqual([{ x: 30, label: "val/loss Infinity" }]);
    expect(nonFiniteMarkers({}, b, "step")).toEqual([]);
    expect(nonFiniteMarkers({ "train/loss": { step: 20, value: "NaN" } }, undefined, "step")).toEqual([]);
  });
});
