import { describe, expect, it } from "vitest";
import { matchLabels, parseLabelFile } from "./label-match.ts";

describe("matchLabels", () => {
  const known = ["Melanoma", "nevus", "basal cell carcinoma", "Épidermoïde"];
  it("matches after trimming and case-folding, keeping dataset spelling and request order", () => {
    expect(matchLabels(["  melanoma ", "NEVUS", "épidermoïde", "melanoma"], known)).toEqual({ matched: ["Melanoma", "nevus", "Épidermoïde"], unknown: [] });
  });
  it("lists unknown labels with the closest diagnoses", () => {
    const r = matchLabels(["melanoma", "basal cell carcinom"], known);
    expect(r.unknown).toHaveLength(1);
    expect(r.unknown[0].label).toBe("basal cell carcinom");
    expect(r.unknown[0].closest[0]).toBe("basal cell carcinoma");
  });
});

describe("parseLabelFile", () => {
  it("reads one label per line, skipping blanks and comments, CRLF too", () => {
    expect(parseLabelFile("# production set\r\nmelanoma\r\n\r\n nevus  # common\n")).toEqual(["melanoma", "nevus"]);
    expect(parseLabelFile("\n\n")).toEqual([]);
  });
});
