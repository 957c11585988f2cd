import { describe, expect, it } from "vitest";
import { anyEvaluationActive, headlineMetrics } from "./evaluations.ts";

describe("headlineMetrics", () => {
  it("split-level keys only, headline ones first", () => {
    const m = { "test/loss": 0.4, "test/auc/melanoma": 0.9, "test/zeta": 1, "test/auc_macro": 0.8, "test/map": 0.6, "val/auc_macro": 0.7 };
    expect(headlineMetrics(m, "test", 3)).toEqual([["test/auc_macro", 0.8], ["test/map", 0.6], ["test/loss", 0.4]]);
    expect(headlineMetrics(null, "test")).toEqual([]);
  });
});

describe("anyEvaluationActive", () => {
  it("queued or running keeps polling", () => {
    expect(anyEvaluationActive([{ status: "completed" }, { status: "queued" }])).toBe(true);
    expect(anyEvaluationActive([{ status: "failed" }])).toBe(false);
  });
});
