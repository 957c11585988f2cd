import { describe, expect, it } from "vitest";
import { etaMs, formatDuration, formatMetric, isActive, progressFraction, runDurationMs } from "./run-progress.ts";

describe("progressFraction", () => {
  it("uses steps when known, else epochs, clamped to [0, 1]", () => {
    expect(progressFraction({ status: "running", epoch: 1, epochs: 4, step: 30, steps: 120 })).toBe(0.25);
    expect(progressFraction({ status: "running", epoch: 1, epochs: 4, step: 0, steps: 0 })).toBe(0.25);
    expect(progressFraction({ status: "queued", epoch: 0, epochs: 0, step: 0, steps: 0 })).toBe(0);
    expect(progressFraction({ status: "running", epoch: 9, epochs: 4, step: 500, steps: 120 })).toBe(1);
    expect(progressFraction({ status: "completed", epoch: 3, epochs: 4, step: 90, steps: 120 })).toBe(1);
  });
});

describe("durations", () => {
  it("counts until the end, or until now while running", () => {
    expect(runDurationMs({ startedAt: 1000, endedAt: 4000 }, 9000)).toBe(3000);
    expect(runDurationMs({ startedAt: 1000, endedAt: null }, 9000)).toBe(8000);
    expect(runDurationMs({ startedAt: null, endedAt: null }, 9000)).toBeNull();
  });
  it("formats compactly", () => {
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(723_000)).toBe("12m 03s");
    expect(formatDuration(3 * 3600_000 + 7 * 60_000)).toBe("3h 07m");
    expect(formatDuration(52 * 3600_000)).toBe("2d 4h");
    expect(formatDuration(null)).toBe("—");
  });
});

describe("formatMetric", () => {
  it("keeps four significant digits and uses exponents for tiny values", () => {
    expect(formatMetric(0.812345)).toBe("0.8123");
    expect(formatMetric(1e-4)).toBe("1.00e-4");
    expect(formatMetric(0)).toBe("0");
    expect(formatMetric(null)).toBe("—");
  });
});

describe("isActive", () => {
  it("is true for queued and running only", () => {
    expect(isActive("queued")).toBe(true);
    expect(isActive("running")).toBe(true);
    expect(isActive("failed")).toBe(false);
  });
});


describe("etaMs", () => {
  it("extrapolates the time left from the fraction done", () => {
    expect(etaMs({ status: "running", step: 25, steps: 100, epoch: 1, epochs: 4, startedAt: 0, endedAt: null }, 60_000)).toBe(180_000);
  });
  it("is unknown before any progress or when not running", () => {
    expect(etaMs({ status: "running", step: 0, steps: 100, epoch: 0, epochs: 4, startedAt: 0, endedAt: null }, 60_000)).toBeNull();
    expect(etaMs({ status: "queued", step: 25, steps: 100, epoch: 1, epochs: 4, startedAt: null, endedAt: null }, 60_000)).toBeNull();
  });
});
