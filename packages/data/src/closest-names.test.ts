import { describe, expect, it } from "vitest";
import { closestNames } from "./closest-names.ts";

describe("closestNames", () => {
  it("orders by edit distance after case-folding, a containing name first", () => {
    expect(closestNames("lesons", ["xray", "lesions", "other-model"])).toEqual(["lesions", "xray", "other-model"]);
    expect(closestNames("PROD", ["staging", "production"])).toEqual(["production", "staging"]);
    expect(closestNames("mel", ["nevus", "melanoma", "keratosis"], 1)).toEqual(["melanoma"]);
  });

  it("keeps the given order on ties and handles nothing known", () => {
    expect(closestNames("ab", ["ax", "xb"])).toEqual(["ax", "xb"]);
    expect(closestNames("x", [])).toEqual([]);
  });
});
