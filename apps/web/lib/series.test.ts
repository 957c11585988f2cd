import { describe, expect, it } from "vitest";
import { appendLivePoints, countPoints, joinSeries, lastStep, mergeSeries, thinSeries, type SeriesPoint } from "./series.ts";

const pt = (step: number, value = step, epoch = 1): SeriesPoint => ({ step, epoch, time: step, value, min: value, max: value });

describe("mergeSeries", () => {
  it("appends points after the last step", () => {
    expect(mergeSeries([pt(1), pt(2)], [pt(3), pt(4)]).map((p) => p.step)).toEqual([1, 2, 3, 4]);
  });
  it("replaces a point at an existing step instead of duplicating it", () => {
    const merged = mergeSeries([pt(1), pt(2, 5)], [pt(2, 7), pt(3)]);
    expect(merged.map((p) => [p.step, p.value])).toEqual([[1, 1], [2, 7], [3, 3]]);
  });
  it("sorts points that arrive out of order", () => {
    expect(mergeSeries([pt(5)], [pt(3), pt(1)]).map((p) => p.step)).toEqual([1, 3, 5]);
  });
  it("returns the same array when nothing arrives", () => {
    const s = [pt(1)];
    expect(mergeSeries(s, [])).toBe(s);
  });
});

describe("thinSeries", () => {
  it("halves until under the limit, keeping extremes and the newest point", () => {
    const s = [pt(1, 1), pt(2, 9), pt(3, 2), pt(4, 3), pt(5, 4)];
    const t = thinSeries(s, 3);
    expect(t.length).toBeLessThanOrEqual(3);
    expect(t[t.length - 1].step).toBe(5);
    expect(Math.max(...t.map((p) => p.max))).toBe(9);
    expect(Math.min(...t.map((p) => p.min))).toBe(1);
  });
  it("leaves a short series alone", () => {
    const s = [pt(1), pt(2)];
    expect(thinSeries(s, 10)).toBe(s);
  });
});

describe("appendLivePoints", () => {
  it("appends only tracked keys and dedupes by step", () => {
    const series = { "train/loss": [pt(10, 0.5)] };
    const next = appendLivePoints(
      series,
      [
        { key: "train/loss", step: 10, epoch: 1, time: 0, value: 0.5 },
        { key: "train/loss", step: 20, epoch: 1, time: 0, value: 0.4 },
        { key: "val/auc_macro", step: 20, epoch: 1, time: 0, value: 0.7 },
        { key: "train/img_per_s", step: 20, epoch: 1, time: 0, value: 900 },
      ],
      ["train/loss", "val/auc_macro"],
    );
    expect(next["train/loss"].map((p) => p.step)).toEqual([10, 20]);
    expect(next["val/auc_macro"].map((p) => p.value)).toEqual([0.7]);
    expect(next["train/img_per_s"]).toBeUndefined();
  });
  it("returns the same object when no tracked key changed", () => {
    const series = { "train/loss": [pt(1)] };
    expect(appendLivePoints(series, [{ key: "x", step: 2, epoch: 1, time: 0, value: 1 }], ["train/loss"])).toBe(series);
  });
  it("thins a series that outgrows twice the limit", () => {
    const many = Array.from({ length: 9 }, (_, i) => ({ key: "k", step: i + 1, epoch: 1, time: 0, value: i }));
    const next = appendLivePoints({ k: [] }, many, ["k"], 4);
    expect(next.k.length).toBeLessThanOrEqual(4);
    expect(next.k[next.k.length - 1].step).toBe(9);
  });
});

describe("joinSeries", () => {
  it("joins keys logged at different steps, null where a key has no point", () => {
    const rows = joinSeries({ a: [pt(1, 1), pt(2, 2)], b: [pt(2, 20), pt(3, 30)] }, ["a", "b"]);
    expect(rows).toEqual([
      { step: 1, a: 1, b: null },
      { step: 2, a: 2, b: 20 },
      { step: 3, a: null, b: 30 },
    ]);
  });
  it("turns non-finite values into gaps", () => {
    expect(joinSeries({ a: [pt(1, Number.NaN)] }, ["a"])).toEqual([{ step: 1, a: null }]);
  });
  it("tolerates missing keys", () => {
    expect(joinSeries({}, ["a"])).toEqual([]);
  });
});

describe("lastStep / countPoints", () => {
  it("reads the newest step and the drawn point count", () => {
    const s = { a: [pt(1), pt(7)], b: [pt(3)] };
    expect(lastStep(s)).toBe(7);
    expect(lastStep({ a: [] })).toBeNull();
    expect(countPoints(s, ["a", "b", "c"])).toBe(3);
  });
});
