// Datasets with boxes through the real daemon and CLI: `dataset import --boxes` in the three formats
// (the same boxes from equivalent files), the report's boxes section and its rejected boxes, file-level
// errors that import nothing, --fit crop refused, the task-fit refusals at submit, and a detection run's
// prepared arrays (boxes.npy, geometry.npy) beside an unchanged classification spec.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeNpyFloat32, readCacheIndex, readDatasetTable, type DatasetTable } from "@trainyard/data";
import { SHARED_DATASETS } from "../../scripts/shared-datasets.ts";
import { decodeNpyInts } from "@trainyard/data";
import { FAKE_TRAINER_ENV, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

let d: DaemonProcess;
let fx: string;
const SIZES: [number, number][] = [[60, 40], [40, 60], [50, 50]];
const N = 12;
/** Per image: [class, x0, y0, x1, y1] in pixels; images 2, 5, 8, 11 have none. */
const BOXES: [string, number, number, number, number][][] = Array.from({ length: N }, (_, i) =>
  i % 3 === 2 ? [] : i % 2 ? [["nodule", 2, 3, 12, 14]] : [["nodule", 1, 1, 9, 9], ["mass", 10, 12, 30, 35]],
);

beforeAll(async () => {
  d = await startDaemon({ env: FAKE_TRAINER_ENV });
  fx = join(d.home, "fixture");
  mkdirSync(join(fx, "img"), { recursive: true });
  const manifest = ["image_id,patient_id,age,dx"];
  for (let i = 0; i < N; i++) {
    const [w, h] = SIZES[i % 3];
    await sharp({ create: { width: w, height: h, channels: 3, background: { r: 20 * i, g: 90, b: 90 } } }).png().toFile(join(fx, "img", `i${i}.png`));
    manifest.push(`i${i}.png,P${i >> 1},${30 + i},`);
  }
  writeFileSync(join(fx, "manifest.csv"), manifest.join("\n") + "\n");
  // CSV: the boxes, plus three bad rows
  const rows = ["image,x_min,y_min,x_max,y_max,label"];
  BOXES.forEach((bs, i) => bs.forEach(([c, ...xy]) => rows.push([`i${i}.png`, ...xy, c].join(","))));
  rows.push("nobody.png,1,1,5,5,mass", "i0.png,20,5,10,9,mass", "i1.png,1,1,80,9,mass");
  writeFileSync(join(fx, "boxes.csv"), rows.join("\n") + "\n");
  // COCO, the same boxes; an extra category "cyst" without annotations
  const cats = ["mass", "nodule", "cyst"];
  let ann = 1;
  const coco = {
    images: Array.from({ length: N }, (_, i) => ({ id: i + 100, file_name: `i${i}.png`, width: SIZES[i % 3][0], height: SIZES[i % 3][1] })),
    annotations: BOXES.flatMap((bs, i) => bs.map(([c, x0, y0, x1, y1]) => ({ id: ann++, image_id: i + 100, category_id: cats.indexOf(c) + 1, bbox: [x0, y0, x1 - x0, y1 - y0] }))),
    categories: cats.map((name, k) => ({ id: k + 1, name })),
  };
  writeFileSync(join(fx, "coco.json"), JSON.stringify(coco));
  // the same COCO under a name that says nothing: --box-format decides
  writeFileSync(join(fx, "annotations.dat"), JSON.stringify(coco));
  // YOLO, the same boxes
  mkdirSync(join(fx, "yolo"), { recursive: true });
  BOXES.forEach((bs, i) => {
    const [w, h] = SIZES[i % 3];
    writeFileSync(join(fx, "yolo", `i${i}.txt`), bs.map(([c, x0, y0, x1, y1]) => `${c === "mass" ? 0 : 1} ${(x0 + x1) / 2 / w} ${(y0 + y1) / 2 / h} ${(x1 - x0) / w} ${(y1 - y0) / h}`).join("\n"));
  });
  writeFileSync(join(fx, "names.txt"), "mass\nnodule\n");
});
afterAll(async () => d?.stop());

const imp = (name: string, extra: string[]) => d.cli(["dataset", "import", name, "--manifest", join(fx, "manifest.csv"), "--images", join(fx, "img"), "--group-col", "patient_id", ...extra]);
const table = (name: string) => readDatasetTable(join(d.home, "datasets", name));
const boxList = (t: DatasetTable) =>
  t.imageIds.map((_, i) => {
    const b = t.boxes!;
    const out: string[] = [];
    for (let k = b.offsets[i]; k < b.offsets[i + 1]; k++) out.push([b.classes[b.labels[k]], ...b.coords.slice(4 * k, 4 * k + 4).map((v) => v.toFixed(3))].join(" "));
    return out.sort();
  });
const expected = BOXES.map((bs) => bs.map(([c, ...xy]) => [c, ...xy.map((v) => v.toFixed(3))].join(" ")).sort());

describe("dataset import --boxes", () => {
  it("CSV: imports the boxes, reports them and every rejected box by row; dataset show prints the same", async () => {
    const res = await imp("boxcsv", ["--boxes", join(fx, "boxes.csv")]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/columns: image image_id, group patient_id, label \(the box classes\)/);
    expect(res.stdout).toMatch(/boxes \(csv, .*boxes\.csv\): 12 boxes over 2 classes; 15 read, 3 rejected, 0 clipped/);
    expect(res.stdout).toMatch(/per class \(boxes \/ images\): mass 4\/4, nodule 8\/8/);
    expect(res.stdout).toMatch(/images with boxes 8; no findings 4/);
    expect(res.stdout).toMatch(/rejected boxes\.csv row 14 \(nobody\.png\): unknown-image: "nobody\.png" is not an image of the manifest/);
    expect(res.stdout).toMatch(/rejected boxes\.csv row 15 \(i0\.png\): inverted: x_max 10 is left of x_min 20/);
    expect(res.stdout).toMatch(/rejected boxes\.csv row 16 \(i1\.png\): outside-image: .*40x60 image/);
    expect(res.stdout).toMatch(/box sqrt\(area\) px: min/);
    const shown = await d.cli(["dataset", "show", "boxcsv"]);
    expect(shown.stdout).toMatch(/12 boxes over 2 classes/);
    expect(shown.stdout).toMatch(/rejected boxes\.csv row 14/);
    const t = table("boxcsv");
    expect(t.cacheFit).toBe("pad");
    expect(boxList(t)).toEqual(expected);
    expect(t.diagnoses[0]).toEqual(["mass", "nodule"]);
    expect(t.diagnoses[2]).toEqual([]);
    const got = await d.client.datasets.get.query({ name: "boxcsv" });
    expect(got.diagnoses).toEqual({ nodule: 8, mass: 4 });
    expect(got.report.boxes).toMatchObject({ total: 12, noFindings: 4, rejectedByReason: { "unknown-image": 1, inverted: 1, "outside-image": 1 } });
    expect(got.features.map((f) => f.name)).toEqual(["age"]); // the empty dx column is no feature either way
  });

  it("COCO and YOLO give the same boxes; --box-format names a format the path does not say", async () => {
    for (const [name, args] of [
      ["boxcoco", ["--boxes", join(fx, "coco.json")]],
      ["boxdat", ["--boxes", join(fx, "annotations.dat"), "--box-format", "coco"]],
      ["boxyolo", ["--boxes", join(fx, "yolo"), "--box-names", join(fx, "names.txt")]],
    ] as const) {
      const res = await imp(name, [...args]);
      expect(res.code, `${name}: ${res.stderr}`).toBe(0);
      expect(boxList(table(name)), name).toEqual(expected);
    }
    expect(table("boxcoco").boxes!.classes).toEqual(["cyst", "mass", "nodule"]); // declared, even without boxes
  });

  it("a file that cannot be used imports nothing and says what to fix; --fit crop is refused", async () => {
    const before = readdirSync(join(d.home, "datasets")).sort();
    const names = (await d.client.datasets.list.query()).map((x) => x.name);
    writeFileSync(join(fx, "dup.json"), JSON.stringify({ images: [{ id: 1, file_name: "i0.png" }, { id: 1, file_name: "i1.png" }], annotations: [], categories: [] }));
    writeFileSync(join(fx, "empty.txt"), "");
    const cases: [string[], RegExp][] = [
      [["--boxes", join(fx, "boxes.csv"), "--box-coords", "x_min,y_min,x_max,ymax"], /coordinate column "ymax" \(--box-coords\) not in the boxes file/],
      [["--boxes", join(fx, "dup.json")], /dup\.json: image id 1 appears twice \(images\[0\] and images\[1\]\)/],
      [["--boxes", join(fx, "yolo"), "--box-names", join(fx, "empty.txt")], /names file .*empty\.txt is empty/],
      [["--boxes", join(fx, "nothing.csv")], /boxes path .*nothing\.csv does not exist; check --boxes/],
      [["--boxes", join(fx, "boxes.csv"), "--fit", "crop"], /--fit crop would cut off the image edges.*--fit pad/],
      [["--box-format", "coco"], /--box-format only apply with --boxes F/],
    ];
    for (const [args, pattern] of cases) {
      const res = await imp("broken", args);
      expect(res.code, args.join(" ")).toBe(1);
      expect(res.stderr, args.join(" ")).toMatch(pattern);
    }
    expect((await d.client.datasets.list.query()).map((x) => x.name)).toEqual(names);
    expect(readdirSync(join(d.home, "datasets")).sort()).toEqual(before);
  });
});

describe("task fit at submit", () => {
  const submit = (yaml: string) => {
    const f = join(fx, `cfg-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, yaml);
    return d.cli(["run", f, "--json"]);
  };
  const det = (dataset: string, set = "all") => `name: det\ndataset: {name: ${dataset}, image_size: 32, labels: {set: ${set}}}\ntraining: {task: detection}\nmodel: {pretrained: none}\ntags: [steps=2]\n`;

  it("refuses detection on a dataset without boxes, a class without boxes, and classification without diagnoses", async () => {
    // a classification dataset (diagnoses, no boxes), and one whose diagnosis column is empty
    writeFileSync(join(fx, "labelled.csv"), readFileSync(join(fx, "manifest.csv"), "utf8").replace(/,$/gm, ",nv"));
    const cls = await d.cli(["dataset", "import", "cls", "--manifest", join(fx, "labelled.csv"), "--images", join(fx, "img"), "--label-col", "dx"]);
    expect(cls.code, cls.stderr).toBe(0);
    const unl = await imp("unlabelled", ["--label-col", "dx"]);
    expect(unl.code, unl.stderr).toBe(0);

    const noBoxes = await submit(det("cls"));
    expect(noBoxes.code).toBe(1);
    expect(noBoxes.stderr).toMatch(/training\.task: dataset "cls" has no boxes; re-import it with --boxes F, or use training\.task multilabel\/multiclass/);
    const cyst = await submit(det("boxcoco", "[mass, cyst]"));
    expect(cyst.code).toBe(1);
    expect(cyst.stderr).toMatch(/dataset\.labels\.set: "cyst" has no boxes in dataset "boxcoco" \(classes with boxes: mass, nodule\)/);
    const typo = await submit(det("boxcoco", "[nodul]"));
    expect(typo.stderr).toMatch(/dataset\.labels\.set: "nodul" is not a box class of dataset "boxcoco"; closest: nodule/);
    const nothing = await submit("name: cls\ndataset: {name: unlabelled, image_size: 32}\nmodel: {pretrained: none}\n");
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/training\.task: dataset "unlabelled" has no diagnoses \(no image has a label\)/);
    // the dry run says the same, and nothing was queued
    writeFileSync(join(fx, "dry.yaml"), det("cls"));
    const dry = await d.cli(["run", join(fx, "dry.yaml"), "--dry-run"]);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/dataset "cls" has no boxes/);
    expect((await d.client.runs.list.query()).length).toBe(0);
  });

  it("a detection run gets boxes.npy and geometry.npy in cache pixels; a classification run's spec has neither", async () => {
    const sub = await submit(det("boxcsv", "[nodule]"));
    expect(sub.code, sub.stderr).toBe(0);
    const id = JSON.parse(sub.stdout).id;
    const specPath = join(d.home, "runs", id, "spec.json");
    await waitUntil(async () => existsSync(specPath), 60_000, "the detection run's spec.json");
    const spec = JSON.parse(readFileSync(specPath, "utf8"));
    expect(spec.classes).toEqual(["nodule"]);
    expect(spec.data.images.shape).toEqual([N, 32, 32, 3]);
    const boxes = decodeNpyFloat32(readFileSync(spec.data.boxes));
    const geometry = decodeNpyFloat32(readFileSync(spec.data.geometry));
    const rows = decodeNpyInts(readFileSync(spec.data.rows));
    expect(geometry.shape).toEqual([rows.length, 6]);
    expect(boxes.shape).toEqual([8, 6]); // the 8 nodules; the masses are not in the label set
    const index = readCacheIndex(join(d.home, "cache", "boxcsv", "32"))!;
    for (let k = 0; k < 8; k++) {
      const [j, c, x0, y0, x1, y1] = boxes.data.subarray(6 * k, 6 * k + 6);
      const r = rows[j];
      const [sx, sy, px, py, w, h] = index.geometry![r];
      expect([w, h]).toEqual(SIZES[r % 3]);
      const src = BOXES[r].find((b) => b[0] === "nodule")!;
      expect(c).toBe(0);
      expect([x0, y0, x1, y1]).toEqual([src[1] * sx + px, src[2] * sy + py, src[3] * sx + px, src[4] * sy + py].map(Math.fround));
    }
    // no-findings images (and images whose only box is a mass) are samples too
    expect(rows.length).toBe(N);
    const targets = decodeNpyFloat32(readFileSync(spec.data.targets));
    expect(Array.from(targets.data)).toEqual(rows.map((r) => (BOXES[r].some((b) => b[0] === "nodule") ? 1 : 0)));

    const cls = await submit("name: cls\ndataset: {name: boxcsv, image_size: 32, labels: {set: [nodule, mass]}}\nmodel: {pretrained: none}\ntags: [steps=2]\n");
    expect(cls.code, cls.stderr).toBe(0);
    const clsSpec = join(d.home, "runs", JSON.parse(cls.stdout).id, "spec.json");
    await waitUntil(async () => existsSync(clsSpec), 60_000, "the classification run's spec.json");
    const data = JSON.parse(readFileSync(clsSpec, "utf8")).data;
    expect(Object.keys(data).sort()).toEqual(["images", "metadata", "metadata_encoder", "rows", "split", "targets"]);
  });
});

const HAM = `${SHARED_DATASETS}/ham10000_200x150`;

describe.skipIf(!existsSync(join(HAM, "HAM10000_lesion_boxes.csv")))("HAM10000 with its lesion boxes", () => {
  it("trainyard dataset import --boxes reports 10,015 images and 10,015 boxes over 7 classes", { timeout: 120_000 }, async () => {
    const res = await d.cli([
      "dataset", "import", "ham-boxes", "--manifest", join(HAM, "HAM10000_metadata_with_dataset_column.csv"), "--images", join(HAM, "images"),
      "--image-col", "image_id", "--group-col", "lesion_id", "--label-col", "dx", "--boxes", join(HAM, "HAM10000_lesion_boxes.csv"), "--check", "exists",
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/10015 rows -> 10015 images of 7470 groups \(lesion_id\); 10015 usable/);
    expect(res.stdout).toMatch(/10015 boxes over 7 classes; 10015 read, 0 rejected/);
    expect(res.stdout).toMatch(/images with boxes 10015; no findings 0/);
    const t = table("ham-boxes");
    expect(t.cacheFit).toBe("pad");
    expect(t.boxes!.labels).toHaveLength(10015);
  });
});
