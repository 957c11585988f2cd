import { describe, expect, it } from "vitest";
import { followupYears, formatRate, survivalFacts, viewRows, viewsPerCaseRows, type SurvivalSummary } from "./survival-summary.ts";

const S: SurvivalSummary = {
  cases: 200, casesWithoutImages: 0, events: 30, censored: 170, eventRate: 0.15,
  followup: { min: 0.12, max: 10.4, mean: 4.25, median: 4.1, p10: 1.05, p25: 2.5, p75: 6, p90: 8.75 },
  // as the import writes them: one-year bins, "10-11" after "9-10"
  followupHistogram: { "0-1": 10, "1-2": 20, "2-3": 40, "3-4": 30, "4-5": 30, "5-6": 20, "6-7": 20, "7-8": 10, "8-9": 10, "9-10": 5, "10-11": 5 },
  eventsPerYear: { "0-1": 5, "1-2": 5, "2-3": 10, "3-4": 5, "4-5": 5, "5-6": 0, "6-7": 0, "7-8": 0, "8-9": 0, "9-10": 0, "10-11": 0 },
  censoredPerYear: { "0-1": 5, "1-2": 15, "2-3": 30, "3-4": 25, "4-5": 25, "5-6": 20, "6-7": 20, "7-8": 10, "8-9": 10, "9-10": 5, "10-11": 5 },
  viewsPerCase: { "4": 188, "2": 2, "3": 10 },
  viewCounts: { L_CC: 200, L_MLO: 196, R_CC: 195, R_MLO: 197 },
  casesMissingView: 12,
  missingByView: { L_CC: 0, L_MLO: 4, R_CC: 5, R_MLO: 3 },
};

describe("follow-up by year", () => {
  it("one row per year in year order (10-11 after 9-10), bar heights against the fullest year", () => {
    const rows = followupYears(S);
    expect(rows.map((r) => r.bin)).toEqual(["0-1", "1-2", "2-3", "3-4", "4-5", "5-6", "6-7", "7-8", "8-9", "9-10", "10-11"]);
    expect(rows[2]).toEqual({ bin: "2-3", label: "2–3 y", cases: 40, events: 10, censored: 30, height: 1, eventShare: 0.25 });
    expect(rows[0].height).toBe(0.25);
    expect(rows[0].eventShare).toBe(0.5);
  });
  it("a year only the event counts name is still a row; an empty report has none", () => {
    const rows = followupYears({ followupHistogram: {}, eventsPerYear: { "1-2": 2 }, censoredPerYear: { "1-2": 1 } });
    expect(rows).toEqual([{ bin: "1-2", label: "1–2 y", cases: 3, events: 2, censored: 1, height: 1, eventShare: 2 / 3 }]);
    expect(followupYears({ followupHistogram: {}, eventsPerYear: {}, censoredPerYear: {} })).toEqual([]);
  });
});

describe("survival facts", () => {
  it("cases, events and censoring with their rates, the follow-up's spread in years, cases missing a view", () => {
    const facts = Object.fromEntries(survivalFacts(S).map((f) => [f.label, f.value]));
    expect(facts).toMatchObject({
      cases: "200",
      events: "30 (15%)",
      censored: "170 (85%)",
      "follow-up median": "4.1 y",
      "follow-up p25–p75": "2.5–6 y",
      "follow-up range": "0.12–10.4 y",
      "cases missing a view": "12",
    });
    expect(facts["cases without a usable image"]).toBeUndefined();
  });
  it("rates as percentages through tick-format, no trailing zeros", () => {
    expect(formatRate(0.237)).toBe("23.7%");
    expect(formatRate(0.5)).toBe("50%");
    expect(formatRate(Number.NaN)).toBe("—");
  });
});

describe("views", () => {
  it("each view's images and the cases lacking it; cases by number of views, fewest first", () => {
    expect(viewRows(S)).toEqual([
      { view: "L_CC", images: 200, missing: 0 },
      { view: "L_MLO", images: 196, missing: 4 },
      { view: "R_CC", images: 195, missing: 5 },
      { view: "R_MLO", images: 197, missing: 3 },
    ]);
    expect(viewsPerCaseRows(S)).toEqual([["2", 2], ["3", 10], ["4", 188]]);
  });
});
