import { describe, expect, it } from "vitest";
import { curveChart, curveKind, paddedRange, curveKinds, curveReference, curveXDomain, curveXY, curvesHeading } from "./curve-kinds.ts";

describe("curve charts", () => {
  it("shows the kinds an evaluation has: ROC and PR for classification, PR at IoU 0.5 for detection", () => {
    expect(curveKinds([{ kind: "pr" }, { kind: "roc" }, { kind: "pr" }]).map((k) => k.kind)).toEqual(["roc", "pr"]);
    const det = curveKinds([{ kind: "pr50" }]);
    expect(det).toEqual([{ kind: "pr50", title: "Precision–recall at IoU 0.5", xLabel: "recall", yLabel: "precision" }]);
    expect(curveKinds([{ kind: "mystery" }, { kind: "roc" }]).map((k) => k.kind)).toEqual(["roc", "mystery"]);
    expect(curveKind("mystery")).toEqual({ kind: "mystery", title: "mystery", xLabel: "x", yLabel: "y" });
    expect(curveKinds([])).toEqual([]);
  });
  it("risk: AUC by year (whole-year ticks, AUC 0.5 for reference), then calibration on [0, 1] with the diagonal", () => {
    const [auc, cal] = curveKinds([{ kind: "calibration" }, { kind: "auc_by_year" }]);
    expect(auc).toMatchObject({ kind: "auc_by_year", xLabel: "year", yLabel: "AUC", integerX: true, reference: "chance" });
    expect(cal).toMatchObject({ kind: "calibration", xDomain: [0, 1], yDomain: [0, 1], reference: "diagonal" });
    expect(cal.xLabel).toMatch(/predicted risk/);
    expect(cal.yLabel).toMatch(/Kaplan–Meier/);
  });
  it("spans the years shown, a quarter year either side, with the chance line across", () => {
    const k = curveKind("auc_by_year");
    const xy = curveXY("auc_by_year", [[1, 0.7], [2, 0.72], [5, 0.66]]);
    const domain = curveXDomain(k, [xy, curveXY("auc_by_year", [[3, 0.6]])]);
    expect(domain).toEqual([0.75, 5.25]);
    expect(curveReference(k, domain)).toEqual({ x: [0.75, 5.25], y: [0.5, 0.5], label: "chance (0.5)" });
    expect(curveXDomain(k, [])).toBeUndefined();
    expect(curveReference(k, undefined)).toBeNull();
  });
  it("calibration's reference is the diagonal; ROC and PR have none and keep their points as sent", () => {
    const cal = curveKind("calibration");
    expect(curveReference(cal, curveXDomain(cal, []))).toEqual({ x: [0, 1], y: [0, 1], label: "perfect calibration" });
    expect(curveReference(curveKind("roc"), undefined)).toBeNull();
    expect(curveXY("roc", [[0, 0], [0.2, 0.6], [1, 1]])).toEqual({ x: [0, 0.2, 1], y: [0, 0.6, 1] });
  });
  it("names the panel by task family", () => {
    expect(curvesHeading("detection")).toBe("PR curves (IoU 0.5)");
    expect(curvesHeading("classification")).toBe("ROC and PR curves");
    expect(curvesHeading("risk")).toBe("AUC by year and calibration");
  });
  it("a chart: the reference first (not data), then one dotted line per curve", () => {
    const c = curveChart(curveKind("calibration"), [
      { id: "a", label: "run a", color: "#111", points: [[0.4, 0.5], [0.1, 0.08]] },
      { id: "b", label: "run b", color: "#222", points: [[0.2, 0.3]] },
    ]);
    expect(c.xDomain).toEqual([0, 1]);
    expect(c.lines.map((l) => [l.id, l.reference ?? false, l.dots ?? false])).toEqual([["reference", true, false], ["a", false, true], ["b", false, true]]);
    expect(c.lines[1].x).toEqual([0.1, 0.4]);
    expect(curveChart(curveKind("roc"), [{ id: "mel", label: "mel", color: "#111", points: [[0, 0], [1, 1]] }]).lines.map((l) => l.id)).toEqual(["mel"]);
  });
  it("a dotted chart without a fixed y range keeps its highest and lowest dots clear of the frame", () => {
    const c = curveChart(curveKind("auc_by_year"), [{ id: "all", label: "all", color: "#111", points: [[1, 0.62], [2, 0.74]] }]);
    // the chance line (0.5) is part of the range
    expect(c.yDomain).toEqual([0.5 - 0.24 / 12, 0.74 + 0.24 / 12]);
    expect(curveChart(curveKind("calibration"), []).yDomain).toEqual([0, 1]);
    expect(curveChart(curveKind("roc"), []).yDomain).toBeUndefined();
    expect(paddedRange([0.7])).toEqual([0.7 - 0.7 / 12, 0.7 + 0.7 / 12]);
    expect(paddedRange([Number.NaN])).toBeUndefined();
  });
});
