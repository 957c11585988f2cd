// Boxes at import: the three formats (table rows, COCO JSON, YOLO folder) read the same boxes from
// equivalent files; every bad box is rejected with its source and reason; files that cannot be used
// are errors naming the file and field; the diagnoses come from the boxes without a label column.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parquetWriteBuffer } from "hyparquet-writer";
import { BoxFileError, readYoloNames, type BoxSourceOptions } from "./box-files.ts";
import { attachBoxes, ImageMatcher, type BoxesReport } from "./dataset-boxes.ts";
import type { DatasetTable } from "./dataset-table.ts";
import { checkImages } from "./image-check.ts";
import { buildDatasetTable, buildImportReport } from "./manifest-import.ts";
import { readManifestColumns } from "./manifest-read.ts";

const dir = mkdtempSync(join(tmpdir(), "boxes-test-"));
const images = join(dir, "images");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const solid = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 90, g: 90, b: 90 } } });

beforeAll(async () => {
  mkdirSync(join(images, "sub"), { recursive: true });
  await solid(100, 80).png().toFile(join(images, "a.png"));
  await solid(60, 40).jpeg().toFile(join(images, "sub", "b.jpg"));
  await solid(50, 50).png().toFile(join(images, "c.png"));
  // stored 40 wide x 20 tall, EXIF orientation 6: displayed 20 x 40, the frame boxes are given in
  await solid(40, 20).jpeg().withMetadata({ orientation: 6 }).toFile(join(images, "rot.jpg"));
  writeFileSync(join(dir, "manifest.csv"), ["image_id,patient_id,age", "a.png,P1,30", "sub/b.jpg,P1,30", "c.png,P2,40", "rot.jpg,P3,50", "gone.png,P3,50"].join("\n") + "\n");
});

async function tableFor(manifest = join(dir, "manifest.csv"), opts = { labelsFromBoxes: true }) {
  const m = await readManifestColumns(manifest);
  const built = buildDatasetTable(m, { ...opts, cacheFit: "pad" });
  const check = await checkImages(images, built.table.imagePaths, { mode: "exists" });
  return { m, built, check, table: built.table };
}

async function importBoxes(source: BoxSourceOptions): Promise<{ table: DatasetTable; report: BoxesReport }> {
  const { table, check, built } = await tableFor();
  const report = await attachBoxes(table, images, source, check, { labelsFromBoxes: built.columns.label === null });
  return { table, report };
}

/** The boxes per image as "class x0 y0 x1 y1" (coordinates to 1e-4 px). */
const boxesOf = (t: DatasetTable) =>
  t.imageIds.map((_, i) => {
    const b = t.boxes!;
    const out: string[] = [];
    for (let k = b.offsets[i]; k < b.offsets[i + 1]; k++) out.push([b.classes[b.labels[k]], ...b.coords.slice(4 * k, 4 * k + 4).map((v) => v.toFixed(4))].join(" "));
    return out.sort();
  });

const EXPECTED = [
  ["cat 10.0000 20.0000 30.0000 40.0000", "dog 0.0000 0.0000 100.0000 80.0000"],
  ["cat 5.0000 5.0000 25.0000 35.0000"],
  [],
  ["dog 2.0000 4.0000 18.0000 36.0000"],
  [],
];

describe("three formats, the same boxes", () => {
  const csvRows = ["image,x_min,y_min,x_max,y_max,label", "a.png,10,20,30,40,cat", "a.png,0,0,100,80,dog", "sub/b.jpg,5,5,25,35,cat", "rot.jpg,2,4,18,36,dog"];

  it("CSV rows (the image named by path), with the diagnoses from the boxes", async () => {
    writeFileSync(join(dir, "boxes.csv"), csvRows.join("\n") + "\n");
    const { table, report } = await importBoxes({ path: join(dir, "boxes.csv") });
    expect(boxesOf(table)).toEqual(EXPECTED);
    expect(table.boxes!.classes).toEqual(["cat", "dog"]);
    expect(table.boxes!.offsets).toEqual([0, 2, 3, 3, 4, 4]);
    expect(table.boxes!.sizes.slice(0, 8)).toEqual([100, 80, 60, 40, 0, 0, 20, 40]); // c.png has no box: not read
    expect(table.diagnoses).toEqual([["cat", "dog"], ["cat"], [], ["dog"], []]);
    expect(report).toMatchObject({ format: "csv", total: 4, read: 4, perClass: { cat: 2, dog: 2 }, imagesPerClass: { cat: 2, dog: 2 }, imagesWithBoxes: 3, noFindings: 1, clipped: 0, rejected: [] });
    expect(report.perImage).toMatchObject({ min: 0, max: 2, histogram: { 0: 1, 1: 2, 2: 1 } });
    expect(report.columns).toEqual({ image: "image", coords: ["x_min", "y_min", "x_max", "y_max"], label: "label" });
    expect(report.size!.width).toMatchObject({ min: 16, max: 100 });
    expect(report.size!.relWidth.max).toBe(1);
  });

  it("Parquet rows with other column names (--box-image-col, --box-coords, --box-label-col)", async () => {
    const rows = csvRows.slice(1).map((r) => r.split(","));
    const buf = parquetWriteBuffer({
      columnData: [
        { name: "file", data: rows.map((r) => r[0].replace("sub/", "")), type: "STRING" }, // by file name
        ...["l", "t", "r", "b"].map((name, c) => ({ name, data: rows.map((r) => Number(r[c + 1])), type: "DOUBLE" as const })),
        { name: "finding", data: rows.map((r) => r[5]), type: "STRING" },
      ],
    });
    writeFileSync(join(dir, "boxes.parquet"), new Uint8Array(buf));
    const { table } = await importBoxes({ path: join(dir, "boxes.parquet"), imageCol: "file", coords: ["l", "t", "r", "b"], labelCol: "finding" });
    expect(boxesOf(table)).toEqual(EXPECTED);
  });

  it("COCO JSON (file names with folders and stems; a manifest image the file does not list)", async () => {
    const coco = {
      images: [
        { id: 1, file_name: "a.png", width: 100, height: 80 },
        { id: 2, file_name: "train/b.jpg", width: 60, height: 40 },
        { id: 4, file_name: "rot", width: 20, height: 40 },
      ],
      annotations: [
        { id: 10, image_id: 1, category_id: 7, bbox: [10, 20, 20, 20] },
        { id: 11, image_id: 1, category_id: 8, bbox: [0, 0, 100, 80] },
        { id: 12, image_id: 2, category_id: 7, bbox: [5, 5, 20, 30] },
        { id: 13, image_id: 4, category_id: 8, bbox: [2, 4, 16, 32] },
      ],
      categories: [{ id: 7, name: "cat" }, { id: 8, name: "dog" }],
    };
    writeFileSync(join(dir, "coco.json"), JSON.stringify(coco));
    const { table, report } = await importBoxes({ path: join(dir, "coco.json") });
    expect(boxesOf(table)).toEqual(EXPECTED);
    expect(report).toMatchObject({ format: "coco", total: 4, noFindings: 1, unlistedImages: 1 }); // c.png (gone.png is not usable)
  });

  it("YOLO folder (normalised cx cy w h, sizes from the image headers, EXIF turn included)", async () => {
    const yolo = join(dir, "yolo");
    mkdirSync(join(yolo, "sub"), { recursive: true });
    writeFileSync(join(yolo, "a.txt"), "0 0.2 0.375 0.2 0.25\n1 0.5 0.5 1 1\n");
    writeFileSync(join(yolo, "sub", "b.txt"), `0 0.25 0.5 ${20 / 60} 0.75\n`);
    writeFileSync(join(yolo, "c.txt"), "");
    writeFileSync(join(yolo, "rot.txt"), "1 0.5 0.5 0.8 0.8\n");
    writeFileSync(join(yolo, "classes.txt"), "cat\ndog\n");
    const { table, report } = await importBoxes({ path: yolo });
    expect(boxesOf(table)).toEqual(EXPECTED);
    expect(report).toMatchObject({ format: "yolo", total: 4, namesFile: join(yolo, "classes.txt") });
  });
});

describe("rejected boxes: each with its source and reason", () => {
  it("CSV: unknown image, not a number, inverted, zero size, outside, empty class, missing image; slightly outside is clipped", async () => {
    writeFileSync(
      join(dir, "bad.csv"),
      [
        "image,x_min,y_min,x_max,y_max,label",
        "zzz.png,1,1,5,5,cat", // row 2
        "a.png,abc,1,5,5,cat",
        "a.png,30,1,10,5,cat",
        "a.png,10,5,10,9,cat",
        "a.png,10,10,150,50,cat", // row 6: 50 px beyond a 100 px wide image
        "a.png,1,1,5,5,",
        "gone.png,1,1,5,5,cat",
        "a.png,0,0,100.5,80,dog", // row 9: half a pixel beyond: clipped
        "a.png,-3,0,10,10,dog", // row 10: beyond the 1 px tolerance
      ].join("\n"),
    );
    const { table, report } = await importBoxes({ path: join(dir, "bad.csv") });
    const got = report.rejected.map((r) => [r.source, r.reason]);
    expect(got).toEqual([
      ["bad.csv row 2", "unknown-image"],
      ["bad.csv row 3", "not-a-number"],
      ["bad.csv row 4", "inverted"],
      ["bad.csv row 5", "zero-size"],
      ["bad.csv row 6", "outside-image"],
      ["bad.csv row 7", "unknown-class"],
      ["bad.csv row 8", "image-unusable"],
      ["bad.csv row 10", "outside-image"],
    ]);
    const msg = Object.fromEntries(report.rejected.map((r) => [r.source, r.message]));
    expect(msg["bad.csv row 2"]).toMatch(/"zzz.png" is not an image of the manifest/);
    expect(msg["bad.csv row 3"]).toMatch(/x_min "abc" is not a number/);
    expect(msg["bad.csv row 4"]).toMatch(/x_max 10 is left of x_min 30; swap them/);
    expect(msg["bad.csv row 5"]).toMatch(/zero width/);
    expect(msg["bad.csv row 6"]).toMatch(/reaches outside the 100x80 image/);
    expect(msg["bad.csv row 7"]).toMatch(/class cell \(column "label"\) is empty/);
    expect(msg["bad.csv row 8"]).toMatch(/gone.png is missing or unreadable/);
    expect(report).toMatchObject({ total: 1, read: 9, clipped: 1, rejectedByReason: { "outside-image": 2, "unknown-image": 1 } });
    expect(boxesOf(table)[0]).toEqual(["dog 0.0000 0.0000 100.0000 80.0000"]);
  });

  it("YOLO: class beyond the names, values outside [0, 1], negative size, not a box row", async () => {
    const yolo = join(dir, "yolo-bad");
    mkdirSync(yolo, { recursive: true });
    writeFileSync(join(yolo, "a.txt"), ["5 0.5 0.5 0.1 0.1", "0 1.2 0.5 0.1 0.1", "0 0.5 0.5 -0.1 0.1", "0 0.5 0.5 0.1", "", "1 0.5 0.5 0.2 0.2"].join("\n"));
    writeFileSync(join(yolo, "nobody.txt"), "0 0.5 0.5 0.1 0.1\n");
    const names = join(dir, "data.yaml");
    writeFileSync(names, "path: ../x\nnames:\n  0: cat\n  1: dog\nnc: 2\n");
    const { report } = await importBoxes({ path: yolo, names });
    expect(report.rejected.map((r) => [r.source, r.reason])).toEqual([
      ["a.txt:1", "unknown-class"],
      ["a.txt:2", "not-normalised"],
      ["a.txt:3", "negative-size"],
      ["a.txt:4", "malformed"],
      ["nobody.txt:1", "unknown-image"],
    ]);
    expect(report.rejected[0].message).toMatch(/class index 5 is beyond the 2 names in data.yaml/);
    expect(report.rejected[1].message).toMatch(/cx 1.2 outside \[0, 1\]/);
    expect(report.total).toBe(1);
  });

  it("COCO: an annotation of an image not in the file or the manifest, a negative size, a size that disagrees", async () => {
    const coco = {
      images: [{ id: 1, file_name: "a.png", width: 100, height: 80 }, { id: 2, file_name: "elsewhere.png" }, { id: 3, file_name: "rot.jpg", width: 40, height: 20 }],
      annotations: [
        { id: 1, image_id: 9, category_id: 1, bbox: [1, 1, 5, 5] },
        { id: 2, image_id: 2, category_id: 1, bbox: [1, 1, 5, 5] },
        { id: 3, image_id: 1, category_id: 1, bbox: [1, 1, -5, 5] },
        { id: 4, image_id: 3, category_id: 1, bbox: [1, 1, 5, 5] },
        { id: 5, image_id: 1, category_id: 1, bbox: [1, 1, 5] },
        { id: 6, image_id: 1, category_id: 1, bbox: [1, 1, 5, 5] },
      ],
      categories: [{ id: 1, name: "cat" }],
    };
    writeFileSync(join(dir, "coco-bad.json"), JSON.stringify(coco));
    const { report } = await importBoxes({ path: join(dir, "coco-bad.json") });
    expect(report.rejected.map((r) => [r.source, r.reason])).toEqual([
      ["coco-bad.json annotation id 1", "unknown-image"],
      ["coco-bad.json annotation id 2", "unknown-image"],
      ["coco-bad.json annotation id 3", "negative-size"],
      ["coco-bad.json annotation id 4", "size-mismatch"],
      ["coco-bad.json annotation id 5", "malformed"],
    ]);
    expect(report.rejected[0].message).toMatch(/image_id 9 is not among the file's images/);
    expect(report.rejected[3].message).toMatch(/the file says the image is 40x20, but it is 20x40 as displayed \(its EXIF orientation/);
  });
});

describe("files that cannot be used: an error naming the file and the field", () => {
  const fails = async (source: BoxSourceOptions, pattern: RegExp) => {
    const err = await importBoxes(source).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(BoxFileError);
    expect((err as Error).message).toMatch(pattern);
  };
  const coco = (over: object) => {
    const f = join(dir, `coco-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify({ images: [{ id: 1, file_name: "a.png" }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 2, 2] }], categories: [{ id: 1, name: "cat" }], ...over }));
    return f;
  };

  it("COCO: duplicate image, annotation and category ids; annotations of missing categories; a missing list", async () => {
    await fails({ path: coco({ images: [{ id: 1, file_name: "a.png" }, { id: 1, file_name: "c.png" }] }) }, /image id 1 appears twice \(images\[0\] and images\[1\]\)/);
    await fails({ path: coco({ annotations: [{ id: 4, image_id: 1, category_id: 1, bbox: [1, 1, 2, 2] }, { id: 4, image_id: 1, category_id: 1, bbox: [1, 1, 2, 2] }] }) }, /annotation id 4 appears twice/);
    await fails({ path: coco({ categories: [{ id: 1, name: "cat" }, { id: 1, name: "dog" }] }) }, /category id 1 appears twice/);
    await fails({ path: coco({ annotations: [{ id: 3, image_id: 1, category_id: 5, bbox: [1, 1, 2, 2] }] }) }, /categories that are not in "categories": category_id 5 \(annotation id 3\); add those categories/);
    await fails({ path: coco({ categories: undefined }) }, /"categories" is missing/);
  });

  it("tables: a missing column names the flag; YOLO: an empty names file, or none; a path that does not exist", async () => {
    writeFileSync(join(dir, "cols.csv"), "image,x_min,y_min,x_max,y_max,label\na.png,1,1,2,2,cat\n");
    await fails({ path: join(dir, "cols.csv"), coords: ["x_min", "y_min", "x_max", "ymax"] }, /cols.csv: coordinate column "ymax" \(--box-coords\) not in the boxes file; columns: image, x_min/);
    await fails({ path: join(dir, "cols.csv"), labelCol: "dx" }, /the class column "dx" \(--box-label-col\) is not in the boxes file/);
    writeFileSync(join(dir, "nocoords.csv"), "image,a,b,label\na.png,1,1,cat\n");
    await fails({ path: join(dir, "nocoords.csv") }, /no x_min, y_min, x_max, y_max columns; name the coordinate columns with --box-coords/);
    const yolo = join(dir, "yolo-empty-names");
    mkdirSync(yolo, { recursive: true });
    writeFileSync(join(yolo, "a.txt"), "0 0.5 0.5 0.1 0.1\n");
    writeFileSync(join(dir, "empty.names"), "\n\n");
    await fails({ path: yolo, names: join(dir, "empty.names") }, /names file .*empty.names is empty; write one class name per line/);
    const bare = join(dir, "nested", "yolo-no-names");
    mkdirSync(bare, { recursive: true });
    writeFileSync(join(bare, "a.txt"), "0 0.5 0.5 0.1 0.1\n");
    await fails({ path: bare }, /no class names for the YOLO labels; pass --box-names F/);
    await fails({ path: join(dir, "nope.csv") }, /boxes path .*nope.csv does not exist; check --boxes/);
    await fails({ path: join(dir, "cols.csv"), format: "yolo" }, /--box-format yolo needs a folder/);
  });

  it("names files: lines, a YOLO data.yaml list or mapping; a blank line inside is refused", () => {
    const f = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    expect(readYoloNames(f("n.txt", "cat\ndog\n\n"))).toEqual(["cat", "dog"]);
    expect(readYoloNames(f("l.yaml", "train: images\nnames: ['cat', \"dog\"]\n"))).toEqual(["cat", "dog"]);
    expect(readYoloNames(f("b.yaml", "names:\n  - cat\n  - dog # a comment\nnc: 2\n"))).toEqual(["cat", "dog"]);
    expect(readYoloNames(f("m.yaml", "names:\n  1: dog\n  0: cat\n"))).toEqual(["cat", "dog"]);
    expect(() => readYoloNames(f("gap.txt", "cat\n\ndog\n"))).toThrow(/line 2 is blank/);
    expect(() => readYoloNames(f("hole.yaml", "names:\n  0: cat\n  2: dog\n"))).toThrow(/class 1 has no name/);
  });
});

describe("matching and the manifest", () => {
  it("matches by id, path, file name and stem; a file name two rows share is ambiguous", () => {
    const m = new ImageMatcher(["x/a.jpg", "y/a.jpg", "ISIC_1"], ["x/a.jpg", "y/a.jpg", "ISIC_1.jpg"]);
    expect(m.find("x/a.jpg")).toBe(0);
    expect(m.find("./y\\a.jpg")).toBe(1);
    expect(m.find("a.jpg")).toBe(-2);
    expect(m.find("ISIC_1.jpg")).toBe(2);
    expect(m.find("ISIC_1")).toBe(2);
    expect(m.find("nothing")).toBe(-1);
  });

  it("with the diagnoses from the boxes, a diagnosis-looking column is kept out of the metadata", async () => {
    writeFileSync(join(dir, "dx.csv"), "image_id,patient_id,dx,age\na.png,P1,nv,30\nc.png,P2,mel,40\n");
    const m = await readManifestColumns(join(dir, "dx.csv"));
    const built = buildDatasetTable(m, { labelsFromBoxes: true });
    expect(built.columns.label).toBeNull();
    expect(built.table.features.map((f) => f.name)).toEqual(["age"]);
    expect(built.schemaColumns.find((c) => c.name === "dx")!.skipped).toMatch(/pass --label-col dx/);
    // --label-col still wins: the manifest's diagnoses, the boxes beside them
    expect(buildDatasetTable(m, { labelsFromBoxes: true, labelCol: "dx" }).table.diagnoses).toEqual([["nv"], ["mel"]]);
  });

  it("the import report carries the boxes section, its rejected list capped like the others", async () => {
    writeFileSync(join(dir, "many.csv"), ["image,x_min,y_min,x_max,y_max,label", ...Array.from({ length: 5 }, () => "zzz.png,1,1,2,2,cat"), "a.png,1,1,2,2,cat"].join("\n"));
    const { m, built, check, table } = await tableFor();
    const boxes = await attachBoxes(table, images, { path: join(dir, "many.csv") }, check, { labelsFromBoxes: true });
    const r = buildImportReport(m, built, check, 3, boxes);
    expect(r.boxes!.rejected).toHaveLength(3);
    expect(r.truncated).toMatchObject({ "boxes.rejected": 5 });
    expect(r.diagnoses).toEqual({ cat: 1 });
    expect(r.columns.label).toBeNull();
  });
});
