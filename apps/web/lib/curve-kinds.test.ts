import { describe, expect, it } from "vitest";
import { curveKinds, curvesHeading } from "./curve-kinds.ts";

describe("curve charts", () => {
  it("shows the kinds an evaluation has: ROC and PR for classification, PR at IoU 0.5 for detection", () => {
    expect(curveKinds([{ kind: "pr" }, { kind: "roc" }, { kind: "pr" }]).map((k) => k.kind)).toEqual(["roc", "pr"]);
    const det = curveKinds([{ kind: "pr50" }]);
    expect(det).toEqual([{ kind: "pr50", title: "Precision–recall at IoU 0.5", xLabel: "recall" }]);
    expect(curveKinds([{ kind: "calibration" }, { kind: "roc" }]).map((k) => k.kind)).toEqual(["roc", "calibration"]);
    expect(curveKinds([])).toEqual([]);
  });
  it("names the panel by task family", () => {
    expect(curvesHeading("detection")).toBe("PR curves (IoU 0.5)");
    expect(curvesHeading("classification")).toBe("ROC and PR curves");
  });
});
