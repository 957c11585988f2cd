// Datasets in the browser against the real daemon: import a generated dataset (one image corrupt, one
// missing, a split that leaks a patient) through the import page with the schema review, see the
// report, then watch the live preview change as diagnoses are ticked and the "other" ratio moves.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { expect, test } from "@playwright/test";

let dir: string;
test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "trainyard-e2e-ds-"));
  mkdirSync(join(dir, "img"));
  const rows = ["image_id,patient_id,dx,age,split"];
  for (let i = 0; i < 24; i++) {
    const id = `x${i}.png`;
    if (i !== 3) await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: i * 9, g: 90, b: 40 } } }).png().toFile(join(dir, "img", id));
    rows.push([id, `P${Math.floor(i / 2)}`, ["akne", "rosacea", "vitiligo"][i % 3], String(20 + i), i === 0 ? "test" : "train"].join(","));
  }
  writeFileSync(join(dir, "img", "x5.png"), "corrupt");
  writeFileSync(join(dir, "manifest.csv"), rows.join("\n") + "\n");
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("import a dataset from the browser and read its report", async ({ page }) => {
  await page.goto("/datasets");
  await page.getByRole("link", { name: "Import a dataset" }).click();
  await page.getByLabel("Dataset name").fill("e2e-skin");
  await page.getByLabel("Manifest (CSV or Parquet)").fill(join(dir, "manifest.csv"));
  await page.getByLabel("Image folder").fill(join(dir, "img"));
  await page.getByLabel("Split column (optional)").fill("split");
  await page.getByRole("button", { name: "Read manifest" }).click();
  const review = page.getByTestId("schema-review");
  await expect(review).toContainText("24 rows");
  await expect(page.getByTestId("schema-dim")).toHaveText("2"); // age: continuous (value + missing flag)
  await page.getByLabel("kind of age").selectOption("categorical");
  await expect(page.getByTestId("schema-dim")).not.toHaveText("2");
  await page.getByLabel("kind of age").selectOption("continuous");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-done")).toBeVisible({ timeout: 60_000 });
  const report = page.getByTestId("import-report");
  await expect(report.getByTestId("report-rows")).toHaveText("24");
  await expect(report.getByTestId("report-missing")).toHaveText("1");
  await expect(report.getByTestId("report-unreadable")).toHaveText("1");
  await expect(report).toContainText("x5.png");
  await expect(report.getByTestId("report-leak")).toContainText("1 groups (2 images) appear in more than one split");
  await expect(report).toContainText("P0: test + train");
});

test("the live preview follows the ticked diagnoses and the other ratio", async ({ page }) => {
  await page.goto("/datasets/demo");
  await expect(page.getByRole("heading", { name: "demo" })).toBeVisible();
  await expect(page.getByTestId("preview-empty")).toBeVisible();
  await page.getByRole("checkbox", { name: "melanoma" }).check();
  const preview = page.getByTestId("dataset-preview");
  await expect(preview.getByTestId("preview-class-melanoma")).toBeVisible();
  await expect(preview.getByTestId("preview-class-other")).toBeVisible();
  await expect(preview).toHaveAttribute("aria-busy", "false");
  const oneLabel = Number(await preview.getByTestId("preview-total-train").textContent());

  await page.getByRole("checkbox", { name: "nevus" }).check();
  await expect(preview.getByTestId("preview-class-nevus")).toBeVisible();
  await expect(preview.getByTestId("preview-total-train")).not.toHaveText(String(oneLabel));

  const otherTrain = () => preview.getByTestId("preview-class-other").locator("td").first();
  await expect(preview).toHaveAttribute("aria-busy", "false");
  const before = Number(await otherTrain().textContent());
  await page.getByRole("slider", { name: "other ratio" }).fill("0.5");
  await expect(page.getByTestId("ratio-value")).toHaveText("0.50");
  await expect(otherTrain()).not.toHaveText(String(before));
  await expect(preview).toHaveAttribute("aria-busy", "false");
  expect(Number(await otherTrain().textContent())).toBeGreaterThan(before);
  await page.getByRole("slider", { name: "other ratio" }).fill("0");
  await expect(otherTrain()).toHaveText("0");
});
