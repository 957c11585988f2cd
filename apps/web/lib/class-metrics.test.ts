import { describe, expect, it } from "vitest";
import { classRows } from "./class-metrics.ts";

describe("per-class AP table rows", () => {
  it("gathers ap50, ap, precision and recall per class at val and test", () => {
    const { rows, hasTest } = classRows({
      "val/map50": 0.5,
      "val/ap50/nodule": 0.6, "val/ap/nodule": 0.3, "val/precision/nodule": 0.7, "val/recall/nodule": 0.5,
      "val/ap50/mass": 0.4,
      "test/ap50/mass": 0.35, "test/recall/mass": 0.2,
      "val/auc/mass": 0.9,
    });
    expect(hasTest).toBe(true);
    expect(rows).toEqual([
      { cls: "mass", val: { ap50: 0.4 }, test: { ap50: 0.35, recall: 0.2 } },
      { cls: "nodule", val: { ap50: 0.6, ap: 0.3, precision: 0.7, recall: 0.5 }, test: {} },
    ]);
  });
  it("keeps class names with slashes whole and reports no test columns without test keys", () => {
    const { rows, hasTest } = classRows({ "val/ap50/a/b": 0.1 });
    expect(rows).toEqual([{ cls: "a/b", val: { ap50: 0.1 }, test: {} }]);
    expect(hasTest).toBe(false);
  });
});
