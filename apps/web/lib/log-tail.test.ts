import { describe, expect, it } from "vitest";
import { appendLogLine, logTimeMs } from "./log-tail.ts";

const line = (id: number | undefined, message = "m") => ({ id, level: "info", message, time: 0 });

describe("appendLogLine", () => {
  it("appends new lines and skips ones already read", () => {
    const lines = [line(1), line(2)];
    expect(appendLogLine(lines, line(2))).toBe(lines);
    expect(appendLogLine(lines, line(3)).map((l) => l.id)).toEqual([1, 2, 3]);
  });
  it("keeps lines without an id", () => {
    expect(appendLogLine([line(undefined)], line(undefined)).length).toBe(2);
  });
  it("keeps only the newest lines", () => {
    expect(appendLogLine([line(1), line(2)], line(3), 2).map((l) => l.id)).toEqual([2, 3]);
  });
});

describe("logTimeMs", () => {
  it("reads seconds or milliseconds", () => {
    expect(logTimeMs(1763800000.5)).toBe(1763800000500);
    expect(logTimeMs(1763800000500)).toBe(1763800000500);
  });
});
