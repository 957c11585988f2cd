import { describe, expect, it } from "vitest";
import { phaseBoundaries, phasesOfConfig, phaseStartEpochs } from "./phase-boundaries.ts";

const phases = [
  { name: "heads", epochs: 2 },
  { name: "finetune", epochs: 3 },
  { name: "polish", epochs: 1 },
];

// 10 steps per epoch, epochs 1-based as the trainer numbers them
const train = Array.from({ length: 60 }, (_, i) => ({ step: i + 1, epoch: Math.floor(i / 10) + 1 }));

describe("phasesOfConfig", () => {
  it("reads training.phases", () => {
    expect(phasesOfConfig({ training: { phases: [{ name: "heads", epochs: 3, lr: 1e-3 }] } })).toEqual([{ name: "heads", epochs: 3 }]);
  });
  it("skips malformed phases and tolerates missing config", () => {
    expect(phasesOfConfig({ training: { phases: [{ name: "x" }, { epochs: 2 }] } })).toEqual([{ name: "phase 2", epochs: 2 }]);
    expect(phasesOfConfig(null)).toEqual([]);
    expect(phasesOfConfig({ training: {} })).toEqual([]);
  });
});

describe("phaseStartEpochs", () => {
  it("accumulates the epochs of earlier phases", () => {
    expect(phaseStartEpochs(phases)).toEqual([0, 2, 5]);
  });
});

describe("phaseBoundaries", () => {
  it("puts each boundary at the first step of the phase's first epoch", () => {
    expect(phaseBoundaries(phases, [train])).toEqual([
      { index: 1, phase: "finetune", step: 21 },
      { index: 2, phase: "polish", step: 51 },
    ]);
  });
  it("only reports phases the run has reached", () => {
    expect(phaseBoundaries(phases, [train.slice(0, 30)])).toEqual([{ index: 1, phase: "finetune", step: 21 }]);
  });
  it("takes the earliest step over several series", () => {
    const val = [{ step: 20, epoch: 2 }, { step: 40, epoch: 4 }];
    const sparseTrain = [{ step: 25, epoch: 3 }];
    expect(phaseBoundaries(phases, [val, sparseTrain])).toEqual([{ index: 1, phase: "finetune", step: 25 }]);
  });
  it("does not lose a short phase skipped by downsampled points", () => {
    const coarse = [{ step: 10, epoch: 1 }, { step: 60, epoch: 6 }];
    expect(phaseBoundaries(phases, [coarse]).map((b) => [b.phase, b.step])).toEqual([["finetune", 60], ["polish", 60]]);
  });
  it("has no boundary for a single phase", () => {
    expect(phaseBoundaries([{ name: "all", epochs: 5 }], [train])).toEqual([]);
  });
});
