import { describe, expect, it } from "vitest";
import { encodeMetadata, fitEncoder, inferFeatures } from "./metadata-encoder.ts";

const metadata = {
  age: ["10", "20", null, "1000"],
  sex: ["male", "female", null, "other"],
};

describe("metadata encoder", () => {
  const features = inferFeatures(metadata);
  it("infers continuous and categorical features", () => {
    expect(features).toEqual([
      { name: "age", kind: "continuous" },
      { name: "sex", kind: "categorical", categories: ["female", "male", "other"] },
    ]);
  });

  it("standardises with train statistics only; missing -> 0 plus a flag; unknown slot for missing categories", () => {
    const enc = fitEncoder(features, metadata, [0, 1, 2]); // row 3 (age 1000) is not train
    expect(enc.dim).toBe(2 + 4);
    const f = enc.features[0];
    expect(f.kind === "continuous" && [f.mean, f.std]).toEqual([15, 5]);
    const m = encodeMetadata(enc, metadata, [0, 2, 3]);
    expect(Array.from(m.slice(0, 6))).toEqual([-1, 0, 0, 1, 0, 0]); // age 10, sex male
    expect(Array.from(m.slice(6, 12))).toEqual([0, 1, 0, 0, 0, 1]); // missing age flag, sex unknown
    expect(m[12]).toBeCloseTo((1000 - 15) / 5);
  });
});
