import { describe, expect, it } from "vitest";
import { lrCurve, phaseLr, phaseStarts } from "./lr-schedule.ts";

describe("lr schedule", () => {
  it("warms up linearly, then follows a cosine down to min_lr", () => {
    const p = { name: "ft", epochs: 4, lr: 1, warmup_epochs: 1, schedule: "cosine" as const };
    expect(phaseLr(p, 0, 10)).toBeCloseTo(0.1);
    expect(phaseLr(p, 9, 10)).toBeCloseTo(1);
    expect(phaseLr(p, 10, 10)).toBeCloseTo(1); // cosine starts at the top
    expect(phaseLr(p, 25, 10)).toBeCloseTo(0.5); // halfway through the 30 cosine steps
    expect(phaseLr(p, 40, 10)).toBeCloseTo(0);
  });

  it("step decay multiplies by gamma every step_size epochs", () => {
    const p = { name: "s", epochs: 6, lr: 1, schedule: "step" as const, step_size: 2, gamma: 0.5 };
    expect([0, 19, 20, 40].map((s) => phaseLr(p, s, 10))).toEqual([1, 1, 0.5, 0.25]);
  });

  it("concatenates phases on a global epoch axis and marks where each starts", () => {
    const phases = [
      { name: "heads", epochs: 2, lr: 1e-3, train: ["heads"] },
      { name: "mid", epochs: 3, lr: 1e-4, train: ["layer4", "heads"], backbone_lr_mult: 0.1 },
      { name: "all", epochs: 1, lr: 1e-5 },
    ];
    const curve = lrCurve(phases, 10);
    expect(curve).toHaveLength(60);
    expect(curve[0].backbone).toBeNull(); // frozen backbone in the heads phase
    expect(curve[20].backbone).toBeCloseTo(1e-5);
    expect(curve[20].epoch).toBe(2);
    expect(phaseStarts(phases)).toEqual([{ epoch: 2, name: "mid" }, { epoch: 5, name: "all" }]);
  });
});
