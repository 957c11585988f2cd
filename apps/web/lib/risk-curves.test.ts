import { describe, expect, it } from "vitest";
import { aucByYearXY, calibrationXY, compareEvaluation, curveClassLabel, riskHeadline, yearDomain } from "./risk-curves.ts";

describe("AUC by year", () => {
  it("x is the year 1..K in order, y the AUC", () => {
    expect(aucByYearXY([[2, 0.71], [1, 0.74], [3, 0.69]])).toEqual({ x: [1, 2, 3], y: [0.74, 0.71, 0.69] });
  });
  it("a year the trainer left out (AUC undefined) is a gap, not a line through it", () => {
    const { x, y } = aucByYearXY([[1, 0.7], [3, 0.65], [4, null], [5, 0.6]]);
    expect(x).toEqual([1, 2, 3, 4, 5]);
    expect(y.map((v) => (Number.isNaN(v) ? "gap" : v))).toEqual([0.7, "gap", 0.65, "gap", 0.6]);
  });
  it("no defined year: nothing to draw", () => {
    expect(aucByYearXY([])).toEqual({ x: [], y: [] });
    expect(aucByYearXY([[1, null]])).toEqual({ x: [], y: [] });
  });
  it("the year axis leaves a quarter year each side", () => {
    expect(yearDomain([1, 2, 5])).toEqual([0.75, 5.25]);
    expect(yearDomain([])).toBeUndefined();
  });
});

describe("calibration", () => {
  it("quartiles ordered by mean predicted risk; a point that is not a number is dropped", () => {
    expect(calibrationXY([[0.3, 0.35], [0.05, 0.02], [0.6, null], [0.12, 0.1]])).toEqual({ x: [0.05, 0.12, 0.3], y: [0.02, 0.1, 0.35] });
  });
  it("labels the curve by the year it predicts", () => {
    expect(curveClassLabel("year5")).toBe("year 5");
    expect(curveClassLabel("all")).toBe("all");
  });
});

describe("the compare view's evaluation of a run", () => {
  it("test when the run has one, else the latest validation", () => {
    const evals = [{ split: "val", epoch: 1 }, { split: "val", epoch: 2 }, { split: "test", epoch: 2 }];
    expect(compareEvaluation(evals)).toEqual({ split: "test", epoch: 2 });
    expect(compareEvaluation(evals.slice(0, 2))).toEqual({ split: "val", epoch: 2 });
    expect(compareEvaluation([])).toBeUndefined();
  });
});

describe("risk headline", () => {
  it("test numbers once the test split is evaluated, the true hazard's C-index beside", () => {
    const h = riskHeadline({ "val/c_index": 0.6, "test/c_index": 0.71, "test/c_index_uno": 0.69, "test/auc_year_mean": 0.73, "test/c_index_oracle": 0.8 });
    expect(h).toEqual({ split: "test", cIndex: 0.71, cIndexUno: 0.69, aucMean: 0.73, oracle: 0.8 });
  });
  it("the latest validation until then; no oracle on a real dataset", () => {
    expect(riskHeadline({ "val/c_index": 0.6, "val/auc_year_mean": 0.62, "train/loss": 1 })).toEqual({ split: "val", cIndex: 0.6, cIndexUno: undefined, aucMean: 0.62, oracle: undefined });
  });
  it("nothing before the first evaluation (or for a run of another task)", () => {
    expect(riskHeadline({ "train/loss": 1, "val/auc_macro": 0.8 })).toBeNull();
    expect(riskHeadline({ "val/c_index": Number.NaN })).toBeNull();
  });
});
