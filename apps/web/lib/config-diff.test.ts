import { describe, expect, it } from "vitest";
import { bestIndex, differingKeys, flattenConfig } from "./config-diff.ts";

describe("config diff", () => {
  const a = { name: "a", model: { backbone: "resnet50" }, training: { phases: [{ lr: 1e-3 }, { lr: 1e-4 }] }, augment: { crop_scale: [0.8, 1] } };
  const b = { name: "b", model: { backbone: "resnet18" }, training: { phases: [{ lr: 1e-3 }, { lr: 3e-4 }] }, augment: { crop_scale: [0.8, 1] } };

  it("flattens nested keys and list items", () => {
    expect(flattenConfig(a)).toEqual({ name: "a", "model.backbone": "resnet50", "training.phases[0].lr": 1e-3, "training.phases[1].lr": 1e-4, "augment.crop_scale": [0.8, 1] });
  });

  it("keeps only the keys that differ (the name is ignored)", () => {
    expect(differingKeys([a, b]).map((r) => r.key)).toEqual(["model.backbone", "training.phases[1].lr"]);
  });

  it("a key present in one run only differs", () => {
    const rows = differingKeys([a, { ...b, tags: ["x"] }]);
    expect(rows.find((r) => r.key === "tags")?.values).toEqual([undefined, ["x"]]);
  });

  it("bestIndex marks the max or the min and skips non-numbers", () => {
    expect(bestIndex([0.8, null, 0.9, 0.85], "max")).toBe(2);
    expect(bestIndex([0.8, null, 0.9, 0.85], "min")).toBe(0);
    expect(bestIndex([null, undefined], "max")).toBe(-1);
  });
});
