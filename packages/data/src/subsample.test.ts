// dataset.subsample: whole patients kept or dropped; stratified (the default) keeps each class's share of the
// patients, so a rare class is not lost to chance; not stratified, a plain seeded fraction of patients.
import { describe, expect, it } from "vitest";
import { compileDatasetIndex } from "./dataset-index.ts";
import type { DatasetTable } from "./dataset-table.ts";
import { selectSamples, type SelectionOptions } from "./sample-selection.ts";

// 1,000 patients x 2 images: 960 "nevus" patients and 40 "mel" ones
function table(): DatasetTable {
  const t: DatasetTable = { version: 2, imageIds: [], imagePaths: [], groups: [], diagnoses: [], metadata: {}, features: [], splitColumn: null, excluded: [], cacheFit: "crop", boxes: null, survival: null };
  for (let p = 0; p < 1000; p++)
    for (let k = 0; k < 2; k++) {
      const i = t.imageIds.length;
      t.imageIds.push(`${i}.png`);
      t.imagePaths.push(`${i}.png`);
      t.groups.push(`P${p}`);
      t.diagnoses.push([p % 25 === 0 ? "mel" : "nevus"]);
    }
  return t;
}
const index = compileDatasetIndex(table());
const base: SelectionOptions = { labels: ["mel", "nevus"], otherClass: false, otherRatio: 0, unlabeled: "drop", split: { by: "patient", train: 0.8, val: 0.1, test: 0.1, seed: 0, stratified: true } };

const patients = (s: ReturnType<typeof selectSamples>, dx: string) =>
  new Set(Array.from(s.rows).filter((r) => table().diagnoses[r][0] === dx).map((r) => table().groups[r])).size;

describe("subsample", () => {
  it("stratified: each class keeps exactly its share of patients, whole patients only", () => {
    for (const seed of [0, 1, 2, 3]) {
      const s = selectSamples(index, { ...base, split: { ...base.split, seed }, subsampleFraction: 0.1, subsampleStratified: true });
      expect(patients(s, "mel")).toBe(4); // round(0.1 * 40)
      expect(patients(s, "nevus")).toBe(96);
      expect(s.rows.length).toBe(200); // both images of every kept patient
    }
  });

  it("not stratified: a seeded fraction of all patients, so a rare class's share drifts with the seed", () => {
    const counts = [0, 1, 2, 3, 4, 5, 6, 7].map((seed) =>
      patients(selectSamples(index, { ...base, split: { ...base.split, seed }, subsampleFraction: 0.1, subsampleStratified: false }), "mel"),
    );
    expect(new Set(counts).size).toBeGreaterThan(1);
    const totals = [0, 1].map((seed) => selectSamples(index, { ...base, split: { ...base.split, seed }, subsampleFraction: 0.1, subsampleStratified: false }).rows.length);
    for (const t of totals) expect(t).toBeGreaterThan(120), expect(t).toBeLessThan(280);
  });
});
