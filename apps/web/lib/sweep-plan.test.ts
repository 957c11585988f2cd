import { describe, expect, it } from "vitest";
import { parseYaml, resolveSweep } from "@trainyard/config";
import { defaultSweptField, parseValues, sweepableFields, sweepYaml, type SweepPlan } from "./sweep-plan.ts";

const BASE = {
  name: "demo",
  dataset: { name: "demo", image_size: 32, labels: { set: "demo3" } },
  model: { backbone: "baseline_cnn", pretrained: "none" },
  training: {
    batch_size: 32,
    precision: "fp32",
    phases: [
      { name: "heads", epochs: 1, lr: 3e-3, train: ["heads"] },
      { name: "finetune", epochs: 2, lr: 2e-3, train: ["all"] },
    ],
  },
};

const PLAN: SweepPlan = {
  name: "demo-sweep",
  method: "tpe",
  metric: "val/auc_macro",
  goal: "max",
  maxTrials: 4,
  parallel: 2,
  stopper: "asha",
  minEpochs: 1,
  maxEpochs: null,
  reductionFactor: 3,
  fields: [],
};

describe("sweepableFields / defaultSweptField", () => {
  it("offers each phase's LR, the batch size and the weight decay, around the base's values", () => {
    const fields = sweepableFields(BASE);
    expect(fields.map((f) => f.key)).toEqual(["training.phases.0.lr", "training.phases.1.lr", "training.batch_size", "training.optimizer.weight_decay"]);
    expect(fields[1].label).toBe("LR of phase 2 (finetune)");
    expect(defaultSweptField(BASE, fields[1])).toEqual({ key: "training.phases.1.lr", dist: "log_uniform", min: 2e-4, max: 0.02, values: "0.0002, 0.002, 0.02" });
    expect(defaultSweptField(BASE, fields[2])).toMatchObject({ dist: "values", values: "16, 32, 64" });
    // not in the base: the schema default (1e-4)
    expect(defaultSweptField(BASE, fields[3])).toMatchObject({ min: 1e-5, max: 1e-3 });
  });
});

describe("parseValues", () => {
  it("reads numbers, booleans and text, dropping empty items", () => {
    expect(parseValues("16, 32,, 64 ")).toEqual([16, 32, 64]);
    expect(parseValues("adamw, sgd, true")).toEqual(["adamw", "sgd", true]);
  });
});

describe("sweepYaml", () => {
  it("writes a sweep the sweep config resolves: LR log-uniform, batch size values, ASHA, the base inline", () => {
    const fields = sweepableFields(BASE);
    const plan = { ...PLAN, fields: [defaultSweptField(BASE, fields[1]), defaultSweptField(BASE, fields[2])] };
    const text = sweepYaml(BASE, plan);
    expect(text).toContain("training.phases.1.lr: { log_uniform: [ 0.0002, 0.02 ] }");
    expect(text).toContain("training.batch_size: { values: [ 16, 32, 64 ] }");
    expect(text).toContain("early_stopping: { type: asha, min_epochs: 1, reduction_factor: 3 }");
    const s = resolveSweep(parseYaml(text, "sweep"));
    expect(s.method).toBe("tpe");
    expect(s.maxTrials).toBe(4);
    expect(s.parallel).toBe(2);
    expect(s.metric).toEqual({ name: "val/auc_macro", goal: "max" });
    expect(s.earlyStopping).toEqual({ type: "asha", minEpochs: 1, maxEpochs: 3, reductionFactor: 3 });
    expect(s.space).toEqual([
      { name: "training.phases.1.lr", kind: "float", low: 2e-4, high: 0.02, log: true, step: null },
      { name: "training.batch_size", kind: "categorical", choices: [16, 32, 64] },
    ]);
    expect(s.base).toEqual(BASE);
  });
  it("a grid leaves max_trials out (each point once); no stopper writes only its type", () => {
    const plan: SweepPlan = { ...PLAN, method: "grid", stopper: "none", fields: [{ key: "training.batch_size", dist: "values", min: 0, max: 0, values: "16, 32" }] };
    const text = sweepYaml(BASE, plan);
    expect(text).not.toContain("max_trials");
    expect(text).toContain("early_stopping: { type: none }");
    expect(resolveSweep(parseYaml(text, "sweep")).gridSize).toBe(2);
  });
  it("a bad distribution reaches the sweep config's own message, with its path", () => {
    const plan = { ...PLAN, fields: [{ key: "training.phases.0.lr", dist: "log_uniform" as const, min: 0, max: 0.1, values: "" }] };
    expect(() => resolveSweep(parseYaml(sweepYaml(BASE, plan), "sweep"))).toThrow(/parameters\["training.phases.0.lr"\].log_uniform: log_uniform needs min > 0/);
  });
});
