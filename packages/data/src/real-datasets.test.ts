// On the real datasets in ../shared/datasets when present (skipped otherwise): the report's counts
// must match what each SOURCE.md states.
import { SHARED_DATASETS } from "../../../scripts/shared-datasets.ts";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { attachBoxes } from "./dataset-boxes.ts";
import { checkImages, detectImageExt } from "./image-check.ts";
import { buildDatasetTable, buildImportReport } from "./manifest-import.ts";
import { readManifestColumns } from "./manifest-read.ts";

const SHARED = SHARED_DATASETS;
const HAM = `${SHARED}/ham10000_200x150`;
const NIH = `${SHARED}/nih_chestxray14_nih1000_64px`;

describe.skipIf(!existsSync(HAM))("HAM10000", () => {
  it("groups by lesion_id, 7 diagnoses, counts as SOURCE.md states", async () => {
    const m = await readManifestColumns(`${HAM}/HAM10000_metadata_with_dataset_column.csv`);
    const probe = buildDatasetTable(m, {});
    const imageExt = detectImageExt(`${HAM}/images`, probe.table.imageIds);
    expect(imageExt).toBe(".jpg");
    const built = buildDatasetTable(m, { imageExt });
    const r = buildImportReport(m, built, await checkImages(`${HAM}/images`, built.table.imagePaths, { mode: "exists" }));
    expect(r.columns.group).toBe("lesion_id");
    expect(r).toMatchObject({ rows: 10015, images: 10015, imagesFound: 10015, groups: 7470, duplicateRows: 0 });
    expect(r.diagnoses).toEqual({ nv: 6705, mel: 1113, bkl: 1099, bcc: 514, akiec: 327, vasc: 142, df: 115 });
    expect(r.imagesPerGroup.histogram).toEqual({ 1: 5514, 2: 1423, 3: 490, 4: 34, 5: 5, 6: 4 });
    const meta = Object.fromEntries(r.metadata.map((x) => [x.name, x]));
    expect(meta.age.kind).toBe("continuous");
    expect(Math.round(meta.age.missingRate * 10015)).toBe(57);
    expect(meta.sex.kind).toBe("categorical");
    expect(Math.round(meta.sex.missingRate * 10015)).toBe(57); // "unknown" counts as missing
    expect(meta.localization.distinct).toBe(14); // 15 values less "unknown"
    expect(meta.dataset.distinct).toBe(4);
  });
});

describe.skipIf(!existsSync(`${HAM}/HAM10000_lesion_boxes.csv`))("HAM10000 with its lesion boxes", () => {
  it("10,015 images and 10,015 boxes over 7 classes, one per image, none rejected", async () => {
    const m = await readManifestColumns(`${HAM}/HAM10000_metadata_with_dataset_column.csv`);
    const opts = { imageCol: "image_id", groupCol: "lesion_id", labelCol: "dx", labelsFromBoxes: true, cacheFit: "pad" as const };
    const imageExt = detectImageExt(`${HAM}/images`, buildDatasetTable(m, opts).table.imageIds);
    const built = buildDatasetTable(m, { ...opts, imageExt });
    const check = await checkImages(`${HAM}/images`, built.table.imagePaths, { mode: "exists" });
    const started = performance.now();
    const boxes = await attachBoxes(built.table, `${HAM}/images`, { path: `${HAM}/HAM10000_lesion_boxes.csv` }, check, { labelsFromBoxes: false });
    const ms = performance.now() - started;
    const r = buildImportReport(m, built, check, undefined, boxes);
    expect(r).toMatchObject({ images: 10015, groups: 7470 });
    expect(boxes).toMatchObject({ total: 10015, read: 10015, imagesWithBoxes: 10015, noFindings: 0, rejected: [] });
    expect(boxes.columns).toEqual({ image: "image_id", coords: ["x_min", "y_min", "x_max", "y_max"], label: "dx" });
    expect(boxes.classes).toHaveLength(7);
    // the box class is the image's dx: per class as many boxes as SOURCE.md counts images
    expect(boxes.perClass).toEqual({ akiec: 327, bcc: 514, bkl: 1099, df: 115, mel: 1113, nv: 6705, vasc: 142 });
    expect(boxes.perImage.histogram).toEqual({ 1: 10015 });
    // SOURCE.md: mean box 106 x 93 px, 37% of the 200x150 image; 107 boxes cover the whole frame
    expect(boxes.size!.width.mean).toBeCloseTo(106, -1);
    expect(boxes.size!.height.mean).toBeCloseTo(93, -1);
    const t = built.table.boxes!;
    let whole = 0;
    for (let k = 0; k < t.labels.length; k++) if (t.coords[4 * k] <= 0 && t.coords[4 * k + 1] <= 0 && t.coords[4 * k + 2] >= 200 && t.coords[4 * k + 3] >= 150) whole++;
    expect(whole).toBe(107);
    expect(t.sizes.slice(0, 2)).toEqual([200, 150]);
    expect(ms).toBeLessThan(20_000);
  });
});

describe.skipIf(!existsSync(NIH))("NIH ChestX-ray14 subset", () => {
  it("reads |-separated findings and names the 30 patients its split leaks", async () => {
    const m = await readManifestColumns(`${NIH}/labels.csv`);
    const built = buildDatasetTable(m, { splitCol: "split" });
    const r = buildImportReport(m, built, await checkImages(NIH, built.table.imagePaths, { mode: "exists" }));
    expect(r).toMatchObject({ images: 1000, imagesFound: 1000, groups: 264 });
    expect(r.columns).toMatchObject({ image: "path", group: "Patient ID", label: "Finding Labels" });
    expect(r.diagnoses["No Finding"]).toBe(499);
    expect(r.diagnoses.Effusion).toBe(170);
    expect(r.diagnoses.Hernia).toBe(9);
    expect(r.labelsPerImage).toEqual({ 1: 787, 2: 142, 3: 46, 4: 20, 5: 5 });
    expect(r.split!.crossingGroups).toHaveLength(30);
    expect(r.split!.crossingImages).toBe(309);
    expect(r.split!.crossingGroups.every((g) => g.splits.length > 1)).toBe(true);
  });
});
