import { describe, expect, it } from "vitest";
import { compareKeys, COMPARE_METRICS, metricsCsvUrl, pageSeriesReads, pointsPerSeries, readRunSelection, seriesInput } from "./series-request.ts";

describe("chart requests", () => {
  it("gives many overlaid runs fewer buckets each, within 300..1000", () => {
    expect(pointsPerSeries(1)).toBe(1000);
    expect(pointsPerSeries(50)).toBe(400);
    expect(pointsPerSeries(100)).toBe(300);
  });

  it("asks for the compare page's series exactly as the page does on load", () => {
    const [input] = pageSeriesReads("/compare", new URLSearchParams("runs=a,b,a&metrics=val/auc/mel,train/loss&smooth=0.8"));
    expect(input).toEqual(seriesInput(["a", "b"], compareKeys(["val/auc/mel", "train/loss"])));
    expect(input.keys).toEqual([...COMPARE_METRICS, "val/auc/mel"]);
    expect(input.maxPoints).toBe(1000);
  });

  it("charts classification's and detection's headline metrics by default", () => {
    expect(compareKeys([])).toEqual(expect.arrayContaining(["val/auc_macro", "val/map", "val/map50_95", "val/map50", "val/precision", "val/recall"]));
  });

  it("asks nothing ahead for other pages or an empty selection", () => {
    expect(pageSeriesReads("/", new URLSearchParams("runs=a"))).toEqual([]);
    expect(pageSeriesReads("/compare", new URLSearchParams(""))).toEqual([]);
  });

  it("rounds a zoomed range outwards to whole steps", () => {
    expect(seriesInput(["a"], ["k"], [10.5, 20.2])).toMatchObject({ fromStep: 10, toStep: 21 });
  });
});

describe("metricsCsvUrl", () => {
  it("names each run and key as its own parameter, so commas and slashes in keys survive", () => {
    const url = new URL(metricsCsvUrl(["r1", "r2"], ["val/auc/basal cell, nodular", "train/loss"], "compare-AUC.csv"), "http://x");
    expect(url.pathname).toBe("/api/export/metrics.csv");
    expect(url.searchParams.getAll("run")).toEqual(["r1", "r2"]);
    expect(url.searchParams.getAll("key")).toEqual(["val/auc/basal cell, nodular", "train/loss"]);
    expect(url.searchParams.get("filename")).toBe("compare-AUC.csv");
  });
});

describe("readRunSelection", () => {
  it("keeps the URL's order and drops repeats and blanks", () => {
    expect(readRunSelection(new URLSearchParams("runs=b,a,,b, c "))).toEqual(["b", "a", "c"]);
    expect(readRunSelection(new URLSearchParams(""))).toEqual([]);
  });
});
