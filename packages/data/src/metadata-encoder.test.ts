import { describe, expect, it } from "vitest";
import { encodeMetadata, fitEncoder } from "./metadata-encoder.ts";
import { inferFeatureSchema } from "./feature-schema.ts";

const metadata = {
  age: ["10", "20", null, "1000"],
  sex: ["male", "female", null, "other"],
  smoker: ["yes", "no", "", "yes"],
  sites: ["arm|leg", "leg", null, "face|arm|tail"],
};

describe("metadata encoder", () => {
  const { schema } = inferFeatureSchema(metadata);
  const features = schema.features.map((f) => (f.name === "sites" ? { ...f, options: ["arm", "face", "leg"] } : f));

  it("infers continuous, categorical, boolean and multiselect features", () => {
    expect(schema.features).toEqual([
      { name: "age", kind: "continuous" },
      { name: "sex", kind: "categorical", categories: ["female", "male", "other"] },
      { name: "smoker", kind: "boolean" },
      { name: "sites", kind: "multiselect", options: ["arm", "face", "leg", "tail"], delimiter: "|" },
    ]);
  });

  it("standardises with train statistics only; missing -> 0 plus a flag; unknown slot; boolean unknown is not false; multi-hot", () => {
    const enc = fitEncoder(features, metadata, [0, 1, 2]); // row 3 (age 1000) is not train
    expect(enc.dim).toBe(2 + 4 + 2 + 3);
    const f = enc.features[0];
    expect(f.kind === "continuous" && [f.mean, f.std]).toEqual([15, 5]);
    const m = encodeMetadata(enc, metadata, [0, 2, 3]);
    const row = (k: number) => Array.from(m.slice(k * enc.dim, (k + 1) * enc.dim));
    expect(row(0)).toEqual([-1, 0, /* sex */ 0, 1, 0, 0, /* smoker */ 1, 0, /* sites */ 1, 0, 1]);
    expect(row(1)).toEqual([0, 1, /* sex unknown */ 0, 0, 0, 1, /* smoker unknown: neither */ 0, 0, 0, 0, 0]);
    expect(row(2)[0]).toBeCloseTo((1000 - 15) / 5);
    expect(row(2).slice(8)).toEqual([1, 1, 0]); // "tail" is not a declared option
  });
});
