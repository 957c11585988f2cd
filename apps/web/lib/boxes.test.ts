import { describe, expect, it } from "vitest";
import { boxLabel, captioned, classColors, classesInSamples, defaultScoreThreshold, fitSize, noFindings, placeAll, placeBox, visibleBoxes, type PredictedBox } from "./boxes.ts";

const boxes: PredictedBox[] = [
  [10, 10, 50, 40, 0.9, "nodule"],
  [0, 0, 5, 5, 0.1, "mass"],
  [20, 30, 60, 70, 0.25, "mass"],
];

describe("score threshold", () => {
  it("keeps boxes at or above it, the most confident last (drawn on top)", () => {
    expect(visibleBoxes(boxes, 0.25).map((b) => b[4])).toEqual([0.25, 0.9]);
    expect(visibleBoxes(boxes, 0.05)).toHaveLength(3);
    expect(visibleBoxes(boxes, 0.95)).toEqual([]);
  });
  it("says No findings when nothing is left above it, or nothing was predicted", () => {
    expect(noFindings(boxes, 0.5)).toBe(false);
    expect(noFindings(boxes, 0.91)).toBe(true);
    expect(noFindings([], 0)).toBe(true);
  });
  it("defaults to the run's training.detection.score_threshold, else 0.25", () => {
    expect(defaultScoreThreshold({ training: { detection: { score_threshold: 0.4 } } })).toBe(0.4);
    expect(defaultScoreThreshold({ training: {} })).toBe(0.25);
    expect(defaultScoreThreshold({ training: { detection: { score_threshold: 3 } } })).toBe(0.25);
    expect(defaultScoreThreshold(null)).toBe(0.25);
  });
});

describe("box scaling from source pixels", () => {
  it("fits the source aspect into the thumbnail", () => {
    expect(fitSize([640, 480], 220, 220)).toEqual({ width: 220, height: 165, scale: 220 / 640 });
    expect(fitSize([100, 400], 220, 220)).toEqual({ width: 55, height: 220, scale: 0.55 });
  });
  it("maps a box by displayed / source size per axis", () => {
    // a 640x480 source shown at 320x240: every coordinate halves
    expect(placeBox([100, 50, 300, 250], [640, 480], { width: 320, height: 240 })).toEqual({ x: 50, y: 25, w: 100, h: 100 });
    // rounding of the displayed size makes the axes' factors differ slightly: each axis uses its own
    const p = placeBox([0, 0, 640, 481], [640, 481], { width: 220, height: 165 });
    expect(p).toEqual({ x: 0, y: 0, w: 220, h: 165 });
  });
  it("clips a box that leaves the image", () => {
    expect(placeBox([-20, -10, 700, 100], [640, 480], { width: 320, height: 240 })).toEqual({ x: 0, y: 0, w: 320, h: 50 });
  });
  it("places the kept predictions and every true box", () => {
    const placed = placeAll(boxes, [[10, 10, 20, 20, "nodule"]], 0.5, [100, 100], { width: 200, height: 200 });
    expect(placed.predicted).toEqual([{ x: 20, y: 20, w: 80, h: 60, cls: "nodule", score: 0.9 }]);
    expect(placed.truth).toEqual([{ x: 20, y: 20, w: 20, h: 20, cls: "nodule", score: null }]);
  });
});

describe("class colours and labels", () => {
  it("gives each class the colour of its place in the run's class list, others after", () => {
    const c = classColors(["mass", "nodule"], ["opacity", "mass"]);
    expect([...c.keys()]).toEqual(["mass", "nodule", "opacity"]);
    expect(new Set(c.values()).size).toBe(3);
    expect(classColors(["mass", "nodule"]).get("nodule")).toBe(c.get("nodule"));
  });
  it("lists the classes the boxes name", () => {
    expect(classesInSamples([{ boxes, truth: [[0, 0, 1, 1, "opacity"]] }])).toEqual(["mass", "nodule", "opacity"]);
  });
  it("captions only the most confident predictions of an image", () => {
    const sorted = visibleBoxes(Array.from({ length: 40 }, (_, i): PredictedBox => [0, 0, 1, 1, i / 40, "mass"]), 0);
    const withCaption = sorted.filter((_, i) => captioned(i, sorted.length)).map((b) => b[4]);
    expect(withCaption).toEqual([35 / 40, 36 / 40, 37 / 40, 38 / 40, 39 / 40]);
    expect([0, 1].map((i) => captioned(i, 2))).toEqual([true, true]);
  });
  it("labels predictions with their score", () => {
    expect(boxLabel("mass", 0.256)).toBe("mass 0.26");
    expect(boxLabel("mass", null)).toBe("mass");
  });
});
