import { describe, expect, it } from "vitest";
import { metadataPayload, percent, predictableRuns, probabilityBars } from "./try-model.ts";

describe("metadataPayload", () => {
  const fields = [
    { name: "age", kind: "continuous" as const },
    { name: "smoker", kind: "boolean" as const },
    { name: "site", kind: "categorical" as const, choices: ["arm", "back"] },
    { name: "signs", kind: "multiselect" as const, choices: ["itch", "bleed"], delimiter: "|" },
  ];
  it("types the values and leaves empty fields out (missing)", () => {
    expect(metadataPayload(fields, { age: " 54 ", smoker: "false", site: "arm", signs: ["itch"] })).toEqual({ age: 54, smoker: false, site: "arm", signs: ["itch"] });
    expect(metadataPayload(fields, { age: "", smoker: "", site: "", signs: [] })).toEqual({});
  });
  it("passes a value that is not a number through, for the daemon to name", () => {
    expect(metadataPayload(fields, { age: "old" })).toEqual({ age: "old" });
  });
  it("ignores values for fields the model does not take", () => {
    expect(metadataPayload(fields, { weight: "70" })).toEqual({});
  });
});

describe("probabilityBars", () => {
  it("sorts most likely first, ties in class order", () => {
    const result = { kind: "probabilities" as const, probabilities: [{ label: "a", probability: 0.2 }, { label: "b", probability: 0.7 }, { label: "c", probability: 0.2 }] };
    expect(probabilityBars(result).map((b) => b.label)).toEqual(["b", "a", "c"]);
    expect(probabilityBars({ kind: "boxes", threshold: 0.25, boxes: [] })).toEqual([]);
  });
});

describe("percent / predictableRuns", () => {
  it("formats and filters", () => {
    expect(percent(0.1234)).toBe("12.3%");
    expect(percent(0.0001)).toBe("<0.1%");
    expect(percent(0)).toBe("0.0%");
    const runs = [{ status: "completed", best: { value: 1 } }, { status: "failed", best: { value: 1 } }, { status: "completed", best: null }];
    expect(predictableRuns(runs)).toEqual([runs[0]]);
  });
});
