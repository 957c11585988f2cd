import { describe, expect, it } from "vitest";
import { parseEventLine } from "./event-parse.ts";

describe("parseEventLine", () => {
  it("parses protocol events", () => {
    const e = parseEventLine('{"type":"metrics","step":120,"epoch":1,"phase":"heads","time":5.5,"values":{"train/loss":0.41,"bad":"x"}}');
    expect(e).toEqual({ type: "metrics", step: 120, epoch: 1, phase: "heads", time: 5.5, values: { "train/loss": 0.41 } });
  });
  it("keeps non-finite values, sent by name or as Python's bare NaN / Infinity (a diverged loss must show)", () => {
    const e = parseEventLine('{"type":"metrics","step":1,"epoch":1,"time":1,"values":{"a":NaN,"b":-Infinity,"c":2,"d":"NaN","e":"Infinity","f":"nan"}}');
    expect(e && e.type === "metrics" && e.values).toEqual({ a: Number.NaN, b: Number.NEGATIVE_INFINITY, c: 2, d: Number.NaN, e: Number.POSITIVE_INFINITY });
    // elsewhere a non-finite number is still no number: the status falls back as before
    expect(parseEventLine('{"type":"status","state":"running","step":NaN,"epoch":2,"time":1}')).toEqual({ type: "status", state: "running", phase: undefined, epoch: 2, epochs: undefined, step: undefined, steps: undefined, time: 1 });
  });
  it("keeps non-protocol output as an info log and skips blank lines", () => {
    expect(parseEventLine("Downloading something...", 7)).toEqual({ type: "log", level: "info", message: "Downloading something...", time: 7 });
    expect(parseEventLine("   ")).toBeNull();
    expect(parseEventLine('{"type":"mystery"}', 1)).toMatchObject({ type: "log", level: "warning" });
  });

  it("parses a samples event: rows, predicted boxes with scores, true boxes, in source pixels", () => {
    const line = JSON.stringify({
      type: "samples", split: "val", epoch: 3, step: 900, time: 4,
      items: [
        { row: 17, boxes: [[1, 2, 30, 40, 0.9, "nodule"], [5, 5, 6, 6, 0.06, "mass"]], truth: [[0, 1, 29, 41, "nodule"]] },
        { row: 4, boxes: [], truth: [] },
      ],
    });
    expect(parseEventLine(line)).toEqual({
      type: "samples", split: "val", epoch: 3, step: 900, time: 4, problems: [],
      items: [
        { row: 17, boxes: [[1, 2, 30, 40, 0.9, "nodule"], [5, 5, 6, 6, 0.06, "mass"]], truth: [[0, 1, 29, 41, "nodule"]] },
        { row: 4, boxes: [], truth: [] },
      ],
    });
  });
  it("drops malformed sample items and boxes one by one and names each", () => {
    const line = '{"type":"samples","split":"val","epoch":1,"step":5,"time":1,"items":[' +
      '{"row":-1,"boxes":[],"truth":[]},' +
      '{"row":2,"boxes":[[1,2,3,4,NaN,"a"],[5,6,1,8,0.5,"a"],[1,1,2,2,0.7,"a"],[1,1,2,2,0.3,7]],"truth":[[0,0,1,1],[0,0,3,3,"a"]]},' +
      '{"row":2,"boxes":[],"truth":[]}]}';
    const e = parseEventLine(line);
    if (e?.type !== "samples") throw new Error(`expected a samples event, got ${JSON.stringify(e)}`);
    expect(e.items).toEqual([{ row: 2, boxes: [[1, 1, 2, 2, 0.7, "a"]], truth: [[0, 0, 3, 3, "a"]] }]);
    expect(e.problems).toEqual([
      'item 0: "row" must be a non-negative integer (the image\'s dataset table row)',
      "item 1 (row 2) box 0: score must be a finite number",
      "item 1 (row 2) box 1: x1 < x0 or y1 < y0",
      "item 1 (row 2) box 3: class must be a string",
      "item 1 (row 2) truth box 0: must be [x0, y0, x1, y1, class]",
      "item 2: row 2 appears twice; the first is kept",
    ]);
  });
  it("turns a samples event without items into a warning instead of storing it", () => {
    expect(parseEventLine('{"type":"samples","split":"val","epoch":2,"items":"nope"}', 1)).toMatchObject({ type: "log", level: "warning", message: expect.stringMatching(/samples event \(split "val", epoch 2\): "items" must be a list/) });
  });
});
