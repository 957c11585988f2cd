// Run arrays for detection: boxes in cache pixels, sorted by sample, classes outside the label set
// dropped, no-findings images kept, geometry per sample, image-level presence as targets, the split by
// patient; and a classification run on the same table unchanged by the boxes being there.
import { loadConfig } from "@trainyard/config";
import { describe, expect, it } from "vitest";
import type { DatasetTable } from "./dataset-table.ts";
import { letterboxGeometry } from "./image-decode.ts";
import { prepareRunArrays, RunArraysError } from "./run-arrays.ts";

const N = 40;
/** 40 images of 20 patients; image i is 100 + i wide, 80 tall; boxes cycle through patterns by i % 5. */
function table(): DatasetTable {
  const classes = ["a", "b", "c"];
  const offsets = [0];
  const coords: number[] = [];
  const labels: number[] = [];
  const sizes: number[] = [];
  const diagnoses: string[][] = [];
  for (let i = 0; i < N; i++) {
    // 0: a + b, 1: c only (outside the label set), 2: none, 3: b, b, 4: a
    const pattern = [[0, 1], [2], [], [1, 1], [0]][i % 5];
    pattern.forEach((c, k) => {
      coords.push(10 + k, 20 + k, 50 + i, 60);
      labels.push(c);
    });
    offsets.push(labels.length);
    sizes.push(100 + i, 80);
    diagnoses.push([...new Set(pattern)].sort().map((c) => classes[c]));
  }
  return {
    version: 2,
    imageIds: Array.from({ length: N }, (_, i) => `i${i}.png`),
    imagePaths: Array.from({ length: N }, (_, i) => `i${i}.png`),
    groups: Array.from({ length: N }, (_, i) => `P${i >> 1}`),
    diagnoses,
    metadata: {},
    features: [],
    splitColumn: null,
    excluded: [7],
    cacheFit: "pad",
    boxes: { classes, offsets, coords, labels, sizes },
    survival: null,
  };
}
const S = 64;
const geometry = Array.from({ length: N }, (_, i) => letterboxGeometry(100 + i, 80, S));
const cacheRows = Int32Array.from({ length: N }, (_, i) => (i === 12 ? -1 : i)); // 12 unreadable in the cache
const detection = loadConfig("name: det\ndataset: {name: d, image_size: 64, labels: {set: [a, b]}, split: {train: 0.6, val: 0.2, test: 0.2}}\ntraining: {task: detection}\nmodel: {metadata: {enabled: false}}\n");

describe("prepareRunArrays for detection", () => {
  it("boxes in cache pixels, sorted by sample; classes outside the set dropped; no-findings images kept", () => {
    const t = table();
    const a = prepareRunArrays({ table: t, config: detection, labels: ["a", "b"], cacheRows, geometry });
    expect(a.classes).toEqual(["a", "b"]);
    const n = a.split.length;
    expect(n).toBe(N - 2); // 7 excluded at import, 12 unreadable in the cache; every other image stays
    const rows = Array.from(a.rows, Number);
    expect(rows).not.toContain(7);
    expect(rows).not.toContain(12);
    const boxes = a.boxes!;
    const B = boxes.length / 6;
    // per sample: pattern 0 has 2 boxes, 1 has none left (c dropped), 2 none, 3 two, 4 one
    const expected = rows.reduce((s, r) => s + [2, 0, 0, 2, 1][r % 5], 0);
    expect(B).toBe(expected);
    let last = -1, first = 0;
    for (let k = 0; k < B; k++) {
      const [j, c, x0, y0, x1, y1] = boxes.subarray(6 * k, 6 * k + 6);
      expect(j).toBeGreaterThanOrEqual(last);
      if (j !== last) first = k;
      last = j;
      const r = rows[j];
      const [sx, sy, px, py] = geometry[r];
      const src = t.boxes!;
      // the kth kept box of this sample is the source box of the same class in file order
      const own = [];
      for (let q = src.offsets[r]; q < src.offsets[r + 1]; q++) if (src.labels[q] < 2) own.push(q);
      const q = own[k - first];
      expect(c).toBe(src.labels[q]);
      expect([x0, y0, x1, y1]).toEqual([
        Math.fround(src.coords[4 * q] * sx + px), Math.fround(src.coords[4 * q + 1] * sy + py),
        Math.fround(src.coords[4 * q + 2] * sx + px), Math.fround(src.coords[4 * q + 3] * sy + py),
      ]);
      expect(x1).toBeLessThanOrEqual(S);
      expect(y1).toBeLessThanOrEqual(S);
    }
    // geometry per sample; presence targets; no "other"
    rows.forEach((r, j) => {
      expect(Array.from(a.geometry!.subarray(6 * j, 6 * j + 6))).toEqual(geometry[r].map(Math.fround));
      expect(Array.from(a.targets.subarray(2 * j, 2 * j + 2))).toEqual([[1, 1], [0, 0], [0, 0], [0, 1], [1, 0]][r % 5]);
    });
    expect(rows.filter((r) => r % 5 === 1 || r % 5 === 2).length).toBeGreaterThan(0); // no-findings images are in
  });

  it("splits by patient, stratified on presence, and reports per-class image counts", () => {
    const a = prepareRunArrays({ table: table(), config: detection, labels: ["a", "b"], cacheRows, geometry });
    const splitOf = new Map<string, number>();
    Array.from(a.rows, Number).forEach((r, j) => {
      const g = `P${r >> 1}`;
      expect(splitOf.get(g) ?? a.split[j]).toBe(a.split[j]);
      splitOf.set(g, a.split[j]);
    });
    const c = a.counts;
    expect(c.train.total + c.val.total + c.test.total).toBe(N - 2);
    expect(Object.keys(c.train.perClass)).toEqual(["a", "b"]);
    expect(c.val.total).toBeGreaterThan(0);
    expect(c.test.total).toBeGreaterThan(0);
  });

  it("refuses a dataset without boxes, a cache without geometry, and an image whose size changed since import", () => {
    expect(() => prepareRunArrays({ table: { ...table(), boxes: null }, config: detection, labels: ["a"], cacheRows, geometry })).toThrow(RunArraysError);
    expect(() => prepareRunArrays({ table: table(), config: detection, labels: ["a"], cacheRows, geometry: null })).toThrow(/no letterbox geometry/);
    const changed = geometry.map((g, i) => (i === 3 ? letterboxGeometry(200, 80, S) : g));
    expect(() => prepareRunArrays({ table: table(), config: detection, labels: ["a"], cacheRows, geometry: changed })).toThrow(/i3.png is 200x80 now but was 103x80 when its boxes were imported/);
  });
});

describe("classification on a dataset with boxes", () => {
  it("is the same run as without the boxes: no box arrays, identical rows, targets and split", () => {
    const config = loadConfig("name: cls\ndataset: {name: d, labels: {set: [a, b]}}\n");
    const withBoxes = prepareRunArrays({ table: table(), config, labels: ["a", "b"], cacheRows, geometry });
    const without = prepareRunArrays({ table: { ...table(), boxes: null }, config, labels: ["a", "b"], cacheRows });
    expect(withBoxes.boxes).toBeNull();
    expect(withBoxes.geometry).toBeNull();
    expect(withBoxes.classes).toEqual(["a", "b", "other"]);
    expect(withBoxes).toEqual(without);
  });
});
