// The selection behind both preview and run arrays: other class and its ratio, unlabeled samples, the
// patient-level split, and that a run's arrays carry exactly the previewed counts.
import { describe, expect, it } from "vitest";
import { loadConfig } from "@trainyard/config";
import { compileDatasetIndex } from "./dataset-index.ts";
import type { DatasetTable } from "./dataset-table.ts";
import { prepareRunArrays } from "./run-arrays.ts";
import { selectSamples, type SelectionOptions } from "./sample-selection.ts";

// 600 patients x 2 images; diagnoses: common "nevus", then mel, bcc, three rarer ones, some unlabeled
function table(): DatasetTable {
  const dx = ["nevus", "nevus", "nevus", "mel", "bcc", "eczema", "psoriasis", "wart", "nevus", "мелан"];
  const t: DatasetTable = { version: 2, imageIds: [], imagePaths: [], groups: [], diagnoses: [], metadata: { age: [] }, features: [{ name: "age", kind: "continuous" }], splitColumn: null, excluded: [], cacheFit: "crop", boxes: null, survival: null };
  for (let p = 0; p < 600; p++)
    for (let k = 0; k < 2; k++) {
      const i = t.imageIds.length;
      t.imageIds.push(`${i}.png`);
      t.imagePaths.push(`${i}.png`);
      t.groups.push(`P${p}`);
      t.diagnoses.push(p % 37 === 0 ? [] : p % 11 === 0 ? ["mel", "bcc"] : [dx[p % dx.length]]);
      t.metadata.age.push(String(20 + (p % 50)));
    }
  return t;
}
const base: SelectionOptions = { labels: ["mel", "bcc"], otherClass: true, otherRatio: 0.1, unlabeled: "drop", split: { by: "patient", train: 0.8, val: 0.1, test: 0.1, seed: 0, stratified: true } };
const index = compileDatasetIndex(table());

describe("selectSamples", () => {
  it("caps other at other_ratio of the training split; val and test keep their natural other", () => {
    const s = selectSamples(index, base);
    const tr = s.counts.train;
    const labeled = tr.total - tr.perClass.other;
    expect(tr.perClass.other).toBe(Math.floor((0.1 / 0.9) * labeled));
    const valRows = Array.from(s.rows).filter((_, j) => s.split[j] === 1);
    expect(s.counts.val.perClass.other).toBe(valRows.filter((r) => !table().diagnoses[r].some((d) => d === "mel" || d === "bcc")).length);
    expect(s.counts.val.perClass.other / s.counts.val.total).toBeGreaterThan(0.5);
    // spread across the unselected diagnoses, not dominated by nevus
    const makeup = Object.fromEntries(s.otherMakeup.map((o) => [o.diagnosis, o.count]));
    expect(Math.max(...Object.values(makeup)) - Math.min(...Object.values(makeup))).toBeLessThanOrEqual(1);
    expect(Object.keys(makeup).sort()).toEqual(["(none)", "eczema", "nevus", "psoriasis", "wart", "мелан"]);
  });

  it("ratio 0 keeps no other in train, ratio 1 keeps every other sample", () => {
    expect(selectSamples(index, { ...base, otherRatio: 0 }).counts.train.perClass.other).toBe(0);
    const all = selectSamples(index, { ...base, otherRatio: 1 });
    expect(all.dropped.otherDownsampled).toBe(0);
    expect(all.counts.train.total + all.counts.val.total + all.counts.test.total).toBe(1200);
  });

  it("a label set covering every diagnosis leaves no other; unlabeled images are then the only other", () => {
    const every = ["nevus", "mel", "bcc", "eczema", "psoriasis", "wart", "мелан"];
    const s = selectSamples(index, { ...base, labels: every, otherRatio: 1 });
    expect(s.otherMakeup.map((o) => o.diagnosis)).toEqual(["(none)"]);
    const none = selectSamples(index, { ...base, labels: every, otherClass: false });
    expect(none.classes).toEqual(every);
    expect(none.dropped.unlabeled).toBe(2 * 17); // patients 0, 37, ..., 592
  });

  it("without the other class, unlabeled samples are dropped or kept as all-zero", () => {
    const drop = selectSamples(index, { ...base, otherClass: false, unlabeled: "drop" });
    const keep = selectSamples(index, { ...base, otherClass: false, unlabeled: "keep" });
    expect(drop.classes).toEqual(["mel", "bcc"]);
    expect(keep.rows.length).toBe(1200);
    expect(drop.rows.length + drop.dropped.unlabeled).toBe(1200);
  });

  it("never splits a patient; excluded images are left out; unknown labels are an error", () => {
    const s = selectSamples(index, { ...base, otherRatio: 1, usable: Uint8Array.from({ length: 1200 }, (_, i) => (i === 5 ? 0 : 1)) });
    const seen = new Map<number, number>();
    s.rows.forEach((r, j) => {
      const g = index.groupOf[r];
      expect(seen.get(g) ?? s.split[j]).toBe(s.split[j]);
      seen.set(g, s.split[j]);
    });
    expect(s.dropped.unusable).toBe(1);
    expect(() => selectSamples(index, { ...base, labels: ["melanoma"] })).toThrow(/"melanoma" is not a diagnosis/);
  });

  it("the run arrays carry exactly the selection's counts (what the preview shows)", () => {
    const t = table();
    const config = loadConfig("name: x\ndataset: {name: d, labels: {set: [mel, bcc], other_class: true, other_ratio: 0.1}}");
    const cacheRows = Int32Array.from({ length: 1200 }, (_, i) => (i === 7 ? -1 : i));
    const arrays = prepareRunArrays({ table: t, config, labels: ["mel", "bcc"], cacheRows });
    const usable = Uint8Array.from(cacheRows, (r) => (r >= 0 ? 1 : 0));
    const s = selectSamples(compileDatasetIndex(t), { ...base, usable });
    expect(arrays.counts).toEqual(s.counts);
    const C = arrays.classes.length;
    const fromTargets = [0, 0, 0];
    for (let j = 0; j < arrays.split.length; j++) for (let c = 0; c < C; c++) if (arrays.split[j] === 0) fromTargets[c] += arrays.targets[j * C + c];
    expect(fromTargets).toEqual([s.counts.train.perClass.mel, s.counts.train.perClass.bcc, s.counts.train.perClass.other]);
    expect(arrays.metadata!.length).toBe(arrays.split.length * 2);
  });
});
