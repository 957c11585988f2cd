import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, validateConfig } from "./load.ts";
import { fitPhasesToEpochs, gridValues, maxTrialEpochs, resolveSweep, trialConfig } from "./sweep-config.ts";

const demo = parse(readFileSync(new URL("../../../configs/demo.yaml", import.meta.url), "utf8"));
const sweep = (over: Record<string, unknown> = {}) => ({
  name: "demo-lr",
  base: demo,
  method: "tpe",
  metric: { name: "val/auc_macro", goal: "max" },
  max_trials: 12,
  parallel: 2,
  early_stopping: { type: "asha", min_epochs: 1, max_epochs: 10, reduction_factor: 3 },
  parameters: {
    "training.phases.1.lr": { log_uniform: [1.0e-4, 1.0e-2] },
    "training.batch_size": { values: [16, 32, 64] },
    "model.dropout": { uniform: [0.0, 0.5] },
  },
  ...over,
});

function issues(raw: unknown) {
  try {
    resolveSweep(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveSweep", () => {
  it("resolves the issue's example into a search space", () => {
    const s = resolveSweep(sweep());
    expect(s.space).toEqual([
      { name: "training.phases.1.lr", kind: "float", low: 1e-4, high: 1e-2, log: true, step: null },
      { name: "training.batch_size", kind: "categorical", choices: [16, 32, 64] },
      { name: "model.dropout", kind: "float", low: 0, high: 0.5, log: false, step: null },
    ]);
    expect(s).toMatchObject({ maxTrials: 12, parallel: 2, priority: 50, metric: { name: "val/auc_macro", goal: "max" } });
    expect(s.earlyStopping).toEqual({ type: "asha", minEpochs: 1, maxEpochs: 10, reductionFactor: 3 });
    expect(maxTrialEpochs(s)).toBe(120);
  });

  it("takes the metric from the base's checkpoint monitor when none is given", () => {
    const s = resolveSweep(sweep({ metric: undefined }));
    expect(s.metric).toEqual({ name: "val/auc_macro", goal: "max" });
  });

  it("refuses an unknown key path, naming the keys there", () => {
    const [i] = issues(sweep({ parameters: { "model.dropuot": { uniform: [0, 0.5] } } }));
    expect(i.path).toBe('parameters["model.dropuot"]');
    expect(i.message).toMatch(/model has no key "dropuot" \(keys: arch, backbone, .*dropout/);
    expect(issues(sweep({ parameters: { "training.phases.5.lr": { uniform: [0.1, 0.2] } } }))[0].message).toMatch(/training\.phases has 2 entries in the base config \(index 0\.\.1\)/);
  });

  it("refuses a distribution on a non-numeric key, and uniform on a whole-number key", () => {
    const [i] = issues(sweep({ parameters: { "model.backbone": { uniform: [0, 1] } } }));
    expect(i).toEqual({ path: 'parameters["model.backbone"].uniform', message: expect.stringMatching(/takes one of resnet18, .*not a number: list its choices with values/) });
    expect(issues(sweep({ parameters: { "training.batch_size": { uniform: [8, 64] } } }))[0].message).toMatch(/whole numbers: use int_uniform or values/);
    expect(issues(sweep({ parameters: { "model.metadata": { uniform: [0, 1] } } }))[0].message).toMatch(/is a section, not a value/);
  });

  it("refuses log_uniform with min <= 0, min > max and an empty values list", () => {
    expect(issues(sweep({ parameters: { "training.phases.1.lr": { log_uniform: [0, 1e-2] } } }))).toEqual([
      { path: 'parameters["training.phases.1.lr"].log_uniform', message: "log_uniform needs min > 0 (got 0); use uniform for a range that includes 0" },
    ]);
    expect(issues(sweep({ parameters: { "model.dropout": { uniform: [0.5, 0.1] } } }))).toEqual([
      { path: 'parameters["model.dropout"].uniform', message: "min 0.5 is greater than max 0.1: write [min, max]" },
    ]);
    expect(issues(sweep({ parameters: { "training.batch_size": { values: [] } } }))).toEqual([
      { path: 'parameters["training.batch_size"].values', message: "the values list is empty: list at least one value" },
    ]);
  });

  it("checks each value and both ends of a range against the experiment schema", () => {
    expect(issues(sweep({ parameters: { "model.dropout": { uniform: [0, 1.5] } } }))[0]).toEqual({
      path: 'parameters["model.dropout"].uniform',
      message: "1.5 is not a valid model.dropout: expected a number between 0 and 1",
    });
    expect(issues(sweep({ parameters: { "model.backbone": { values: ["resnet18", "resnet9000"] } } }))[0].message).toMatch(/"resnet9000" is not a valid model.backbone: expected one of/);
  });

  it("enumerates a grid exactly and refuses one of more than 10,000 points", () => {
    const s = resolveSweep(sweep({ method: "grid", max_trials: undefined, parameters: { "training.batch_size": { values: [16, 32] }, "model.dropout": { uniform: [0.1, 0.3], q: 0.1 } } }));
    expect(s.gridSize).toBe(6);
    expect(s.maxTrials).toBe(6);
    expect(gridValues({ uniform: [0.1, 0.3], q: 0.1 })).toEqual([0.1, 0.2, 0.3]);
    const big = issues(sweep({ method: "grid", parameters: { "training.batch_size": { int_uniform: [1, 200] }, "training.seed": { int_uniform: [0, 99] } } }));
    expect(big).toEqual([{ path: "parameters", message: "the grid has 20,000 points (200 x 100); at most 10,000: fewer values, or method random or tpe" }]);
    expect(issues(sweep({ method: "grid", parameters: { "model.dropout": { uniform: [0, 0.5] } } }))[0].message).toMatch(/a grid needs a finite set of values: give model.dropout a step q/);
    const capped = resolveSweep(sweep({ method: "grid", max_trials: 50, parameters: { "training.batch_size": { values: [16, 32] } } }));
    expect(capped.maxTrials).toBe(2);
    expect(capped.notes[0]).toMatch(/more than the grid's 2 points/);
  });

  it("gives an invalid base's own error under base., with its path", () => {
    const bad = structuredClone(demo);
    bad.training.phases[1].lr = "fast";
    expect(issues(sweep({ base: bad }))).toEqual([{ path: "base.training.phases[1].lr", message: 'expected a positive number, got "fast"' }]);
    expect(issues(sweep({ base: "configs/demo.yaml" }))[0].path).toBe("base");
  });

  it("names the field of a malformed sweep", () => {
    expect(issues(sweep({ method: "bayes" }))[0]).toEqual({ path: "method", message: 'expected one of grid, random, tpe, got "bayes"' });
    expect(issues(sweep({ max_trials: undefined }))[0]).toEqual({ path: "max_trials", message: "tpe search needs max_trials (how many trials to run)" });
    expect(issues(sweep({ early_stopping: { type: "asha", min_epochs: 20 } }))[0].path).toBe("early_stopping.min_epochs");
    expect(issues(sweep({ parameters: { "model.dropout": { uniform: [0, 0.5], values: [0.1] } } }))[0]).toEqual({ path: 'parameters["model.dropout"]', message: "give one distribution, not values and uniform" });
  });
});

describe("trial configs", () => {
  it("fits the phases to max_epochs: cut in order, the last lengthened", () => {
    const phases = [{ name: "a", epochs: 2 }, { name: "b", epochs: 8 }];
    expect(fitPhasesToEpochs(phases, 10)).toEqual(phases);
    expect(fitPhasesToEpochs(phases, 5)).toEqual([{ name: "a", epochs: 2 }, { name: "b", epochs: 3 }]);
    expect(fitPhasesToEpochs(phases, 1)).toEqual([{ name: "a", epochs: 1 }]);
    expect(fitPhasesToEpochs(phases, 12)).toEqual([{ name: "a", epochs: 2 }, { name: "b", epochs: 10 }]);
  });

  it("is the base plus the params, tagged with the sweep and trial, at the sweep's priority", () => {
    const s = resolveSweep(sweep({ priority: 70, early_stopping: { type: "asha", max_epochs: 4 } }));
    const c = validateConfig(trialConfig(s, "sw-1", 3, { "training.phases.1.lr": 0.003, "training.batch_size": 16, "model.dropout": 0.25 }));
    expect(c.name).toBe("demo-lr-t3");
    expect(c.training.phases.map((p) => [p.epochs, p.lr])).toEqual([[2, 3e-3], [2, 0.003]]);
    expect(c.training.batch_size).toBe(16);
    expect(c.model.dropout).toBe(0.25);
    expect(c.tags).toEqual(["sweep:sw-1", "trial:3"]);
    expect(c.resources.priority).toBe(70);
  });
});
