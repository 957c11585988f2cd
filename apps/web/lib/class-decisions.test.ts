import { describe, expect, it } from "vitest";
import { decisionRows } from "./class-decisions.ts";

describe("decisionRows", () => {
  it("one row per class of the prefix, in the run's class order, with only the columns present", () => {
    const { rows, columns } = decisionRows(
      { "test/precision/nevus": 0.5, "test/recall/nevus": 0.25, "test/precision/melanoma": 1, "test/recall/melanoma": 0, "test/auc/melanoma": 0.9, "val/precision/nevus": 0.1, "test/auc_macro": 0.8 },
      "test",
      ["melanoma", "nevus"],
    );
    expect(rows.map((r) => r.cls)).toEqual(["melanoma", "nevus"]);
    expect(rows[1].values).toEqual({ precision: 0.5, recall: 0.25 });
    expect(columns.map((c) => c.key)).toEqual(["auc", "precision", "recall"]);
  });
  it("leaves out classes with neither precision nor recall (a detector's ap-only keys)", () => {
    expect(decisionRows({ "val/ap/x": 0.3 }, "val").rows).toEqual([]);
  });
});
