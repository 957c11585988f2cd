import { describe, expect, it } from "vitest";
import { bestSoFar, extendTo, firstDirection, sortTrials, topTrials, trialsDone, type TrialLike } from "./sweep-trials.ts";

const trial = (number: number, extra: Partial<TrialLike> = {}): TrialLike => ({
  number,
  runId: `r${number}`,
  params: {},
  state: "completed",
  epochs: 2,
  rung: null,
  value: null,
  outcome: "complete",
  endedAt: null,
  ...extra,
});

describe("sortTrials", () => {
  const trials = [
    trial(0, { value: 0.7, params: { lr: 1e-3, opt: "sgd" }, rung: 1 }),
    trial(1, { value: null, params: { lr: 1e-2, opt: "adamw" }, rung: null, state: "running", outcome: null }),
    trial(2, { value: 0.9, params: { lr: 1e-4, opt: "adamw" }, rung: 0 }),
    trial(3, { value: 0.7, params: { lr: 5e-3 }, rung: 2 }),
  ];
  it("sorts by the metric either way, a trial without one last both times, ties by number", () => {
    expect(sortTrials(trials, "value", "desc").map((t) => t.number)).toEqual([2, 0, 3, 1]);
    expect(sortTrials(trials, "value", "asc").map((t) => t.number)).toEqual([0, 3, 2, 1]);
  });
  it("sorts a numeric parameter as numbers and a categorical one as text, missing values last", () => {
    expect(sortTrials(trials, "param:lr", "asc").map((t) => t.number)).toEqual([2, 0, 3, 1]);
    expect(sortTrials(trials, "param:opt", "asc").map((t) => t.number)).toEqual([1, 2, 0, 3]);
    expect(sortTrials(trials, "param:opt", "desc").map((t) => t.number)).toEqual([0, 1, 2, 3]);
  });
  it("sorts rung and state, and leaves the input alone", () => {
    expect(sortTrials(trials, "rung", "desc").map((t) => t.number)).toEqual([3, 0, 2, 1]);
    expect(sortTrials(trials, "state", "asc").map((t) => t.number)).toEqual([0, 2, 3, 1]);
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3]);
  });
  it("first click: the metric best first for the goal", () => {
    expect(firstDirection("value", "max")).toBe("desc");
    expect(firstDirection("value", "min")).toBe("asc");
    expect(firstDirection("param:lr", "max")).toBe("asc");
  });
});

describe("topTrials", () => {
  it("ranks completed trials by the goal before pruned ones, skipping trials without a run or a metric", () => {
    const trials = [
      trial(0, { value: 0.6 }),
      trial(1, { value: 0.95, outcome: "pruned", state: "pruned" }),
      trial(2, { value: 0.8 }),
      trial(3, { value: null, outcome: null }),
      trial(4, { value: 0.99, runId: null }),
      trial(5, { value: 0.7 }),
    ];
    expect(topTrials(trials, "max", 3).map((t) => t.number)).toEqual([2, 5, 0]);
    expect(topTrials(trials, "max").map((t) => t.number)).toEqual([2, 5, 0, 1]);
    expect(topTrials(trials, "min", 2).map((t) => t.number)).toEqual([0, 5]);
  });
});

describe("bestSoFar", () => {
  const h = 3_600_000;
  it("steps at each trial that beats the best, in the order they ended, completed trials only", () => {
    const trials = [
      trial(0, { value: 0.5, endedAt: 2 * h }),
      trial(1, { value: 0.7, endedAt: 1 * h }),
      trial(2, { value: 0.9, endedAt: 4 * h, outcome: "pruned" }),
      trial(3, { value: 0.8, endedAt: 3 * h }),
      trial(4, { value: null, endedAt: null, outcome: null }),
    ];
    const line = bestSoFar(trials, "max", 0);
    expect(line.x).toEqual([1, 3, 3]);
    expect(line.y).toEqual([0.7, 0.7, 0.8]);
    expect(line.trials).toEqual([1, 1, 3]);
    expect(bestSoFar(trials, "min", 0).y).toEqual([0.7, 0.7, 0.5]);
  });
  it("extends flat to now, and is empty without a completed trial", () => {
    expect(extendTo({ x: [1], y: [0.5], trials: [0] }, 2)).toEqual({ x: [1, 2], y: [0.5, 0.5], trials: [0, 0] });
    expect(bestSoFar([trial(0, { outcome: null })], "max", 0).x).toEqual([]);
  });
});

describe("trialsDone", () => {
  it("counts trials that ended, not queued or running ones, nor the total", () => {
    expect(trialsDone({ total: 6, completed: 2, pruned: 1, failed: 1, running: 1, queued: 1 })).toBe(4);
  });
});
