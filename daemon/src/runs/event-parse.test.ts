import { describe, expect, it } from "vitest";
import { parseEventLine } from "./event-parse.ts";

describe("parseEventLine", () => {
  it("parses protocol events", () => {
    const e = parseEventLine('{"type":"metrics","step":120,"epoch":1,"phase":"heads","time":5.5,"values":{"train/loss":0.41,"bad":"x"}}');
    expect(e).toEqual({ type: "metrics", step: 120, epoch: 1, phase: "heads", time: 5.5, values: { "train/loss": 0.41 } });
  });
  it("accepts Python's NaN / Infinity and drops those values", () => {
    const e = parseEventLine('{"type":"metrics","step":1,"epoch":1,"time":1,"values":{"a":NaN,"b":-Infinity,"c":2}}');
    expect(e && e.type === "metrics" && e.values).toEqual({ c: 2 });
  });
  it("keeps non-protocol output as an info log and skips blank lines", () => {
    expect(parseEventLine("Downloading something...", 7)).toEqual({ type: "log", level: "info", message: "Downloading something...", time: 7 });
    expect(parseEventLine("   ")).toBeNull();
    expect(parseEventLine('{"type":"mystery"}', 1)).toMatchObject({ type: "log", level: "warning" });
  });
});
