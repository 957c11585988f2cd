import { describe, expect, it } from "vitest";
import { compareHref, DEFAULT_CHART_SETTINGS, readChartSettings, readRunSelection, writeChartSettings } from "./chart-settings.ts";

describe("chart settings in the URL", () => {
  it("round-trips non-default settings and the selection", () => {
    const s = { smoothing: 0.9, xAxis: "relative" as const, logY: true, ignoreOutliers: true };
    const href = compareHref(["r1", "r2"], s);
    const params = new URL(href, "http://x").searchParams;
    expect(readRunSelection(params)).toEqual(["r1", "r2"]);
    expect(readChartSettings(params)).toEqual(s);
  });

  it("writes nothing for defaults and falls back on bad values", () => {
    expect(writeChartSettings(new URLSearchParams(), DEFAULT_CHART_SETTINGS).toString()).toBe("");
    expect(readChartSettings(new URLSearchParams("smooth=abc&x=bogus"))).toEqual(DEFAULT_CHART_SETTINGS);
    expect(readChartSettings(new URLSearchParams("smooth=5")).smoothing).toBe(0.99);
  });

  it("drops blanks and duplicates from the selection", () => {
    expect(readRunSelection(new URLSearchParams("runs=a,,b,a, "))).toEqual(["a", "b"]);
  });
});
