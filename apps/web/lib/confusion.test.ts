import { describe, expect, it } from "vitest";
import { confusionMatrix, lineCurves } from "./confusion.ts";

const curve = (cls: string, points: unknown[]) => ({ kind: "confusion", class: cls, points });

describe("confusionMatrix", () => {
  it("lays the rows out in the run's class order with row shares", () => {
    const m = confusionMatrix([curve("b", [[0, 1], [1, 3]]), curve("a", [[0, 4], [1, 0]]), { kind: "roc", class: "a", points: [[0, 0]] }], ["a", "b"])!;
    expect(m.classes).toEqual(["a", "b"]);
    expect(m.counts).toEqual([[4, 0], [1, 3]]);
    expect(m.rowTotals).toEqual([4, 4]);
    expect(m.shares[1]).toEqual([0.25, 0.75]);
  });
  it("keeps an empty row at zero shares and ignores malformed points", () => {
    const m = confusionMatrix([curve("a", [[0, 2], "x", [5, 1], [0.5, 1]]), curve("b", [])], ["a", "b"])!;
    expect(m.counts).toEqual([[2, 0], [0, 0]]);
    expect(m.shares[1]).toEqual([0, 0]);
  });
  it("is null without confusion curves; lineCurves drops them", () => {
    expect(confusionMatrix([{ kind: "roc", class: "a", points: [] }], ["a"])).toBeNull();
    expect(lineCurves([curve("a", []), { kind: "pr", class: "a", points: [] }]).map((c) => c.kind)).toEqual(["pr"]);
  });
});
