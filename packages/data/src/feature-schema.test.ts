import { describe, expect, it } from "vitest";
import { completeFeatureSchema, encodedDimension, FeatureSchemaError, inferFeatureSchema, parseFeatureSchema } from "./feature-schema.ts";

describe("feature schema", () => {
  it("validates a declared schema: every problem named with its feature and the closest column", () => {
    const bad = { version: 1, features: [{ name: "agee", kind: "continuous" }, { name: "sex", kind: "ordinal" }, { kind: "boolean" }, { name: "site", kind: "categorical", categories: "arm" }] };
    let err: Error | null = null;
    try {
      parseFeatureSchema(bad, ["age", "sex", "site"], "schema.json");
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(FeatureSchemaError);
    expect(err!.message.split("\n")).toEqual([
      'schema.json: features[0] ("agee"): no such metadata column in the manifest; closest: age, sex, site',
      'schema.json: features[1] ("sex"): "kind" must be one of continuous, categorical, boolean, multiselect (got "ordinal")',
      'schema.json: features[2]: needs a "name" (a manifest column)',
      'schema.json: features[3] ("site"): "categories" must be a list of strings',
    ]);
  });

  it("a declared schema is completed from the data and sized", () => {
    const metadata = { site: ["arm", "leg", null], sym: ["itch;pain", "pain", null], smoker: ["y", "n", null], age: ["1", "2", "3"] };
    const schema = parseFeatureSchema(
      { version: 1, features: [{ name: "site", kind: "categorical" }, { name: "sym", kind: "multiselect", delimiter: ";" }, { name: "smoker", kind: "boolean" }] },
      Object.keys(metadata),
    );
    const full = completeFeatureSchema(schema, metadata);
    expect(full.features).toEqual([
      { name: "site", kind: "categorical", categories: ["arm", "leg"] },
      { name: "sym", kind: "multiselect", options: ["itch", "pain"], delimiter: ";" },
      { name: "smoker", kind: "boolean" },
    ]);
    expect(encodedDimension(full.features)).toBe(3 + 2 + 2);
  });

  it("inference skips id-like and empty columns and says why", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `id-${i}`);
    const r = inferFeatureSchema({ id: ids, empty: ids.map(() => null) });
    expect(r.schema.features).toEqual([]);
    expect(r.columns).toEqual([
      { name: "id", skipped: "200 distinct values (more than 64): an id or free text?" },
      { name: "empty", skipped: "no values" },
    ]);
  });
});
