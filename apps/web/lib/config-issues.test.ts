import { describe, expect, it } from "vitest";
import { issuesFromError, lineOfPath, parseIssuePath, sortIssues } from "./config-issues.ts";

const yaml = `name: demo   # a comment with lr: in it
dataset:
  name: demo
  labels: {set: all, other_class: true}
training:
  batch_size: 16
  phases:
    - {name: heads, epochs: 1, lr: 1.0e-3, train: [heads]}
    - name: finetune
      epochs: 2
      lr: fast
  early_stopping: {monitor: val/auc_macro}
augment:
  crop_scale: [0.8, 1.0]
`;

describe("parseIssuePath", () => {
  it("splits keys and list indices", () => {
    expect(parseIssuePath("training.phases[1].lr")).toEqual(["training", "phases", 1, "lr"]);
    expect(parseIssuePath("")).toEqual([]);
  });
  it("keeps a quoted key whole (a sweep parameter's key path)", () => {
    expect(parseIssuePath('parameters["training.phases.1.lr"].log_uniform')).toEqual(["parameters", "training.phases.1.lr", "log_uniform"]);
    expect(lineOfPath(SWEEP, 'parameters["training.batch_size"].values')).toBe(5);
    expect(lineOfPath(SWEEP, 'parameters["training.phases.1.lr"].log_uniform')).toBe(4);
    expect(lineOfPath(SWEEP, "base.training.batch_size")).toBe(2);
  });
});

const SWEEP = `name: s
base: {training: {batch_size: 32}}
parameters:
  training.phases.1.lr: {log_uniform: [0.0001, 0.01]}
  training.batch_size: {values: [16, 32]}
`;

describe("lineOfPath", () => {
  it("finds top-level and nested keys", () => {
    expect(lineOfPath(yaml, "name")).toBe(1);
    expect(lineOfPath(yaml, "dataset.name")).toBe(3);
    expect(lineOfPath(yaml, "training.batch_size")).toBe(6);
  });
  it("finds keys inside flow mappings", () => {
    expect(lineOfPath(yaml, "dataset.labels.other_class")).toBe(4);
    expect(lineOfPath(yaml, "training.early_stopping.monitor")).toBe(12);
  });
  it("counts list items for an index", () => {
    expect(lineOfPath(yaml, "training.phases[0].lr")).toBe(8);
    expect(lineOfPath(yaml, "training.phases[1]")).toBe(9);
    expect(lineOfPath(yaml, "training.phases[1].name")).toBe(9);
    expect(lineOfPath(yaml, "training.phases[1].lr")).toBe(11);
  });
  it("answers a flow list's own line for its items", () => {
    expect(lineOfPath(yaml, "augment.crop_scale[1]")).toBe(14);
  });
  it("gives null for a path that is not in the text", () => {
    expect(lineOfPath(yaml, "model.backbone")).toBeNull();
    expect(lineOfPath(yaml, "training.phases[5].lr")).toBeNull();
    expect(lineOfPath(yaml, "")).toBeNull();
  });
  it("does not match a key inside a longer key", () => {
    expect(lineOfPath("training:\n  x: 1\ntrain: 2\n", "train")).toBe(3);
  });
});

describe("issuesFromError", () => {
  it("reads error.data.issues and ignores malformed entries", () => {
    const err = { data: { issues: [{ path: "a.b", message: "bad" }, { nope: 1 }] } };
    expect(issuesFromError(err)).toEqual([{ path: "a.b", message: "bad" }]);
    expect(issuesFromError(new Error("x"))).toEqual([]);
    expect(issuesFromError(null)).toEqual([]);
  });
});

describe("sortIssues", () => {
  it("puts document-level issues first", () => {
    expect(sortIssues([{ path: "b", message: "" }, { path: "", message: "" }, { path: "a", message: "" }]).map((i) => i.path)).toEqual(["", "a", "b"]);
  });
});
