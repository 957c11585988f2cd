// Dataset import, label sets and preview through the real daemon and the real CLI, on generated fixtures
// (missing and corrupt images, unicode diagnoses, a leaking split) and on the NIH subset when present.
import { SHARED_DATASETS } from "../../scripts/shared-datasets.ts";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, type DaemonProcess } from "./daemon-process.ts";

const NIH = `${SHARED_DATASETS}/nih_chestxray14_nih1000_64px`;

let d: DaemonProcess;
let fx: string;
beforeAll(async () => {
  d = await startDaemon();
  // 30 patients x 2 images; patient 0 has 12 images; two images missing, one corrupt
  fx = join(d.home, "fixture");
  mkdirSync(join(fx, "img"), { recursive: true });
  const rows = ["image_id,patient_id,diagnosis,age,smoker,symptoms,split"];
  const dx = ["Mélanome", "naevus", "naevus", "eczéma", "kératose"];
  let n = 0;
  for (let p = 0; p < 30; p++)
    for (let k = 0; k < (p === 0 ? 12 : 2); k++, n++) {
      const id = `i${n}.png`;
      if (n !== 5 && n !== 6) await sharp({ create: { width: 24, height: 20, channels: 3, background: { r: n * 5, g: 80, b: 120 } } }).png().toFile(join(fx, "img", id));
      const split = p % 10 === 0 ? (k === 0 ? "train" : "test") : p % 10 === 1 ? "val" : "train";
      rows.push([id, `P${p}`, p % 7 === 3 ? `${dx[p % 5]}|kératose` : dx[p % 5], String(20 + p), p % 3 ? "yes" : "no", p % 2 ? "itch|pain" : "", split].join(","));
    }
  writeFileSync(join(fx, "img", "i7.png"), "not a png at all");
  writeFileSync(join(fx, "manifest.csv"), rows.join("\n") + "\n");
});
afterAll(async () => d?.stop());

const importArgs = (name: string, extra: string[] = []) => ["dataset", "import", name, "--manifest", join(fx, "manifest.csv"), "--images", join(fx, "img"), ...extra];

describe("dataset import", () => {
  it("imports in the background with progress, and stores and shows the validation report", async () => {
    const res = await d.cli(importArgs("fx", ["--split-col", "split"]));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/importing fx: checking images \d+\/70/);
    expect(res.stdout).toMatch(/70 rows -> 70 images of 30 groups \(patient_id\); 67 usable/);
    expect(res.stdout).toMatch(/missing: i5\.png/);
    expect(res.stdout).toMatch(/unreadable: i7\.png: /);
    expect(res.stdout).toMatch(/LEAK: 3 groups \(\d+ images\) appear in more than one split/);
    expect(res.stdout).toMatch(/P0: test \+ train \(12 images\)/);
    const shown = await d.client.datasets.get.query({ name: "fx" });
    expect(shown.report.diagnoses).toMatchObject({ naevus: 24, Mélanome: 22 });
    expect(shown.report.imagesPerGroup.max).toBe(12);
    expect(shown.features.map((f) => [f.name, f.kind])).toEqual([["age", "continuous"], ["smoker", "boolean"], ["symptoms", "multiselect"]]);
    expect(shown.encodedDim).toBe(2 + 2 + 2);
    const json = JSON.parse((await d.cli(["dataset", "show", "fx", "--json"])).stdout);
    expect(json.report.missingImages).toEqual(["i5.png", "i6.png"]);
  });

  it("a failed import stores nothing, and says what to fix", async () => {
    const before = readdirSync(join(d.home, "datasets")).sort();
    const bad = await d.cli(importArgs("broken", ["--label-col", "dxx"]));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/diagnosis column "dxx" \(--label-col\) is not in the manifest; columns: image_id, patient_id, diagnosis/);
    const empty = join(fx, "empty-img");
    mkdirSync(empty, { recursive: true });
    const none = await d.cli(["dataset", "import", "broken", "--manifest", join(fx, "manifest.csv"), "--images", empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/none of the 70 images was found under .*empty-img.*check --images/);
    const list = await d.client.datasets.list.query();
    expect(list.map((x) => x.name)).not.toContain("broken");
    expect(readdirSync(join(d.home, "datasets")).sort()).toEqual(before);
  });

  it("writes the inferred schema for review, then imports with the edited one", async () => {
    const file = join(fx, "schema.json");
    const inferred = await d.cli(importArgs("fx2", ["--split-col", "split", "--infer-schema", file]));
    expect(inferred.code, inferred.stderr).toBe(0);
    expect(inferred.stdout).toMatch(/encoded dimension 6/);
    const schema = JSON.parse(readFileSync(file, "utf8"));
    schema.features = schema.features.filter((f: { name: string }) => f.name !== "symptoms").map((f: { name: string; kind: string }) => (f.name === "age" ? { ...f, kind: "categorical" } : f));
    writeFileSync(file, JSON.stringify(schema));
    const res = await d.cli(importArgs("fx2", ["--split-col", "split", "--schema", file, "--check", "exists"]));
    expect(res.code, res.stderr).toBe(0);
    const got = await d.client.datasets.get.query({ name: "fx2" });
    expect(got.features.map((f) => f.kind)).toEqual(["categorical", "boolean"]);
    expect(got.encodedDim).toBe(30 + 1 + 2);
    writeFileSync(file, JSON.stringify({ version: 1, features: [{ name: "agee", kind: "continuous" }] }));
    const wrong = await d.cli(importArgs("fx3", ["--split-col", "split", "--schema", file]));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/features\[0\] \("agee"\): no such metadata column in the manifest; closest: age/);
  });
});

describe("label sets and preview", () => {
  it("labels add: unknown labels are listed with the closest diagnoses; an empty file is refused", async () => {
    const good = join(fx, "good.txt");
    writeFileSync(good, "# two classes\nmélanome\nNAEVUS\n");
    const ok = await d.cli(["labels", "add", "two", good, "--dataset", "fx"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await d.client.datasets.labelSets.query()).find((s) => s.name === "two")!.labels).toEqual(["Mélanome", "naevus"]);
    const typo = join(fx, "typo.txt");
    writeFileSync(typo, "melanome\nnaevus\n");
    const bad = await d.cli(["labels", "add", "typo", typo, "--dataset", "fx"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/"melanome" is not a diagnosis of fx \(closest: Mélanome/);
    const empty = join(fx, "empty.txt");
    writeFileSync(empty, "# nothing yet\n\n");
    const none = await d.cli(["labels", "add", "empty", empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/has no labels: write one diagnosis per line/);
  });

  it("preview: per-class counts per split, ratio 0 and 1, a label set covering everything, the manifest's split", async () => {
    const q = (over: object) => d.client.datasets.preview.query({ dataset: "fx", labels: "two", ...over });
    const p = await q({ otherRatio: 0.2 });
    expect(p.classes).toEqual(["Mélanome", "naevus", "other"]);
    expect(p.counts.train.perClass.other).toBe(Math.floor(0.25 * (p.counts.train.total - p.counts.train.perClass.other)));
    expect(p.dropped.unusable).toBe(3);
    expect((await q({ otherRatio: 0 })).counts.train.perClass.other).toBe(0);
    expect((await q({ otherRatio: 1 })).dropped.otherDownsampled).toBe(0);
    const all = await q({ labels: "all", otherRatio: 1 });
    expect(all.otherMakeup).toEqual([]);
    expect(all.total).toBe(67);
    const bySplit = await q({ split: { by: "column", train: 0.8, val: 0.1, test: 0.1, seed: 0, stratified: true }, otherRatio: 1 });
    expect(bySplit.counts.val.total).toBe(6); // patients 1, 11, 21 x 2 images
    await expect(q({ labels: ["Melanom"] })).rejects.toThrow(/"Melanom" is not a diagnosis of this dataset; closest: Mélanome/);
  });

  it("run --dry-run prints the preview of a config", async () => {
    const cfg = join(fx, "run.yaml");
    writeFileSync(cfg, "name: fx-run\ndataset: {name: fx, image_size: 16, labels: {set: two, other_ratio: 0.2}}\n");
    const res = await d.cli(["run", cfg, "--dry-run"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/fx-run on fx at 16px \(cache not built\): \d+ samples, 3 classes/);
    expect(res.stdout).toMatch(/^Mélanome\s+\d+\s+\d+\s+\d+\s+\d+$/m);
    expect((await d.client.runs.list.query()).length).toBe(0); // nothing submitted
  });
});

describe.skipIf(!existsSync(NIH))("the NIH subset", () => {
  it("imports with --split-col and the report names the 30 leaking patients", async () => {
    const res = await d.cli(["dataset", "import", "nih", "--manifest", join(NIH, "labels.csv"), "--images", NIH, "--split-col", "split"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/LEAK: 30 groups \(309 images\) appear in more than one split/);
    const got = await d.client.datasets.get.query({ name: "nih" });
    expect(got.report.split!.crossingGroups).toHaveLength(30);
    expect(got.report.labelsPerImage).toEqual({ 1: 787, 2: 142, 3: 46, 4: 20, 5: 5 });
  });
});
