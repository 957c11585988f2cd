// Object detection from the browser against the real daemon and trainer: import a synthetic detection
// dataset with its boxes through the import page, switch the new-run form to detection (light detector,
// score threshold), launch, watch the mAP charts grow live, open the prediction gallery (boxes over the
// cached images, the score slider, "No findings"), read the per-class AP table and PR curves, compare
// across tasks and download the best checkpoint. Kept short: ~70 small images, 2 epochs of the light
// detector (the model barely learns in that time; the spec checks the plumbing, not the model).
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { generateDemoDetectionDataset, type DemoDetectionResult } from "../packages/data/src/demo-detection.ts";
import { ConfigFormPart, NewRunPage } from "./pages/new-run-page.ts";
import { GalleryPart } from "./pages/gallery.ts";
import { RunPage } from "./pages/run-page.ts";

const SHOTS = "docs/screenshots";
const DATASET = "e2e-detection";

let dir: string;
let data: DemoDetectionResult;
test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trainyard-e2e-det-"));
  // the demo generator's images and boxes (what `trainyard demo --task detection` imports), fewer of them
  data = await generateDemoDetectionDataset({ outDir: dir, patients: 24, seed: 5 });
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function shot(page: Page, name: string, target?: ReturnType<Page["getByTestId"]>) {
  mkdirSync(SHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  if (target) await target.screenshot({ path: join(SHOTS, name) });
  else await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

test("detection: import with boxes, launch from the form, live mAP, gallery, best checkpoint", async ({ page }) => {
  test.setTimeout(12 * 60_000);

  // 1. import the images with their boxes through the dashboard
  await page.goto("/datasets");
  await page.getByRole("link", { name: "Import a dataset" }).click();
  await page.getByLabel("Dataset name").fill(DATASET);
  await page.getByLabel("Manifest (CSV or Parquet)").fill(data.manifest);
  await page.getByLabel("Image folder").fill(data.imagesDir);
  await page.getByLabel(/^Boxes/).fill(data.boxes);
  await page.getByRole("button", { name: "Read manifest" }).click();
  await expect(page.getByTestId("schema-review")).toContainText(`${data.images} rows`);
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-done")).toBeVisible({ timeout: 2 * 60_000 });
  await expect(page.getByTestId("import-report").getByTestId("report-images")).toHaveText(String(data.images));
  await expect(page.getByTestId("report-boxes-total")).toHaveText(String(data.boxCount));

  // 2. the new-run form: start from the classification demo, switch the task to detection
  await page.goto("/runs/new");
  const yamlForm = new NewRunPage(page);
  const form = new ConfigFormPart(page);
  await yamlForm.chooseExample("configs/demo.yaml");
  await expect(page.getByTestId("config-form")).toBeVisible();
  await form.field("name").fill("det-flow");
  await page.getByTestId("dataset-picker").selectOption(DATASET);
  await page.getByTestId("label-set-picker").selectOption("all");
  await expect(page.getByTestId("other-ratio")).toBeVisible();
  await page.getByTestId("task-picker").selectOption("detection");
  // the classifier, its "other" class and its AUC monitors go; the detector's fields come
  await expect(page.getByTestId("other-ratio")).toHaveCount(0);
  await expect(page.getByTestId("detection-fields")).toBeVisible();
  await expect(form.field("training.early_stopping.monitor")).toHaveValue("val/map50_95");
  await expect(yamlForm.yaml).not.toHaveValue(/auc_macro|other_class|arch: gen2a/);
  const archs = await form.field("model.arch").locator("option").allTextContents();
  expect(archs).toEqual(["fcos", "retinanet", "faster_rcnn", "ssdlite", "faster_rcnn_mobilenet"]);
  await form.field("model.arch").selectOption("ssdlite");
  await form.field("model.backbone").selectOption("mobilenet_v3_large");
  await form.field("dataset.image_size").fill("128");
  await form.field("training.batch_size").fill("16");
  await form.field("augment.rotate").fill("0");
  await form.field("training.detection.score_threshold").fill("0.2");
  await form.field("training.detection.sample_images").fill("6");
  await expect(yamlForm.yaml).toHaveValue(/task: detection/);
  await expect(yamlForm.yaml).toHaveValue(/score_threshold: 0\.2/);
  // two short phases, both training everything (a detector from scratch has no backbone to keep frozen)
  await form.phase(0, "epochs").fill("1");
  await form.phase(0, "train").fill("all");
  await form.phase(1, "epochs").fill("1");
  await expect(yamlForm.valid).toBeVisible({ timeout: 30_000 });
  await shot(page, "new-run-detection.png");
  await yamlForm.submit.click();
  await expect(page).toHaveURL(/\/runs\/(?!new\b)[^/?]+$/, { timeout: 30_000 });
  const runId = page.url().split("/").pop()!;
  const run = new RunPage(page);

  // 3. live: the mAP charts appear with the first evaluation and grow with the next
  await expect(run.status).toHaveText("running", { timeout: 3 * 60_000 });
  await expect(run.chart("val/map50_95")).toBeVisible({ timeout: 4 * 60_000 });
  await expect(run.chart("val/map50")).toBeVisible();
  await expect(run.chart("val/precision")).toBeVisible();
  await expect(run.chart("val/auc_macro")).toHaveCount(0);
  const first = await run.points("val/map50_95");
  expect(first).toBeGreaterThan(0);
  await expect.poll(() => run.points("val/map50_95"), { timeout: 4 * 60_000, intervals: [250] }).toBeGreaterThan(first);
  await expect(run.chart("train/loss/box")).toBeVisible();

  // 4. the gallery: the sampled validation images with boxes, at the newest evaluation
  const gallery = new GalleryPart(page);
  await expect(gallery.root).toBeVisible({ timeout: 60_000 });
  await expect(gallery.items).toHaveCount(6);
  // the rest reads one evaluation's boxes: wait for the last one (a new one would replace them mid-count)
  await expect(run.status).toHaveText("completed", { timeout: 6 * 60_000 });
  await expect(gallery.thresholdValue).toHaveText("0.20"); // the run's training.detection.score_threshold
  const img = gallery.items.first().locator("img").first();
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0)), { timeout: 30_000 }).toBeGreaterThan(0);
  // the ground truth is drawn beside the predictions, scaled into the displayed image
  await expect(gallery.truth().first()).toBeVisible();
  const inside = await gallery.root.locator(".boxed-frame").first().evaluate((frame) => {
    const f = frame.getBoundingClientRect();
    return [...frame.querySelectorAll("rect")].every((r) => {
      const b = r.getBoundingClientRect();
      return b.left >= f.left - 1 && b.right <= f.right + 1 && b.top >= f.top - 15 && b.bottom <= f.bottom + 1;
    });
  });
  expect(inside).toBe(true);
  // every prediction the trainer sent shows at threshold 0; none above the highest score
  const top = await gallery.maxScore();
  expect(top).toBeGreaterThan(0);
  expect(await gallery.predicted().count()).toBeGreaterThan(0);
  await gallery.setThreshold(1);
  await expect(gallery.predicted()).toHaveCount(0);
  await expect(gallery.noFindings()).toHaveCount(6);
  // back to a threshold that keeps about the model's two best boxes per image, for the picture
  await gallery.setThreshold(0);
  const all = (await gallery.predicted().evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-score"))))).sort((a, b) => b - a);
  const kept = Math.floor(all[Math.min(all.length - 1, 12)] * 100) / 100;
  await gallery.setThreshold(kept);
  await expect(gallery.predicted().first()).toBeVisible();
  const shown = await gallery.predicted().evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-score"))));
  expect(shown.every((v) => v >= kept)).toBe(true);
  expect(shown.length).toBe(all.filter((v) => v >= kept).length);
  await expect(gallery.evaluation.locator("option")).not.toHaveCount(0);
  await gallery.root.scrollIntoViewIfNeeded();
  await shot(page, "prediction-gallery.png", page.locator(".gallery-panel"));

  // 5. per-class AP (val and test) and the PR curves at IoU 0.5
  const table = page.getByTestId("class-ap-table");
  // a class with no box in the small validation split has no row
  const classes = await table.getByTestId("class-ap-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-class")));
  expect(classes.length).toBeGreaterThan(0);
  expect(classes.every((c) => ["mass", "nodule", "opacity"].includes(c ?? ""))).toBe(true);
  await expect(table).toContainText("Test");
  await expect(page.getByTestId("chart-pr50")).toBeVisible();
  await expect(page.getByTestId("chart-roc")).toHaveCount(0);
  await shot(page, "run-page-detection.png");

  // 6. the best checkpoint downloads
  const [dl] = await Promise.all([page.waitForEvent("download"), run.downloadBest.click()]);
  const ckpt = join("test-results", "detection-best.ckpt");
  await dl.saveAs(ckpt);
  expect(statSync(ckpt).size).toBeGreaterThan(0);

  // 7. compare across tasks: the run's detection metrics are charted; a classification chart no
  // selected run has a metric for is not drawn
  await page.goto(`/compare?runs=${runId}`);
  await expect(page.getByTestId("compare-view")).toBeVisible();
  await expect.poll(async () => Number(await page.getByTestId("chart-val/map50_95").getAttribute("data-lines")), { timeout: 30_000 }).toBe(1);
  await expect(page.getByTestId("chart-val/auc_macro")).toHaveCount(0);
  await expect(page.getByTestId("final-metrics")).toContainText("val/map50");
});
