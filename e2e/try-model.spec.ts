// Try a model from the browser against the real daemon and trainer: a short demo run's best checkpoint answers
// an uploaded image with class probability bars (its metadata form built from the run's encoder), and a
// detector trained for a few batches draws its boxes on the image, or says "No findings". An untrained detector
// may find either; the page must show exactly what POST /api/predict answers for the same image, so the spec
// asks the API first and holds the page to that.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import sharp from "sharp";
import { generateDemoDetectionDataset } from "../packages/data/src/demo-detection.ts";
import type { Prediction } from "../packages/protocol/src/prediction.ts";
import { E2E_PORT } from "../playwright.config.ts";

const URL_ = `http://127.0.0.1:${E2E_PORT}`;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, ["bin/trainyard.mjs", ...args], { env: { ...process.env, TRAINYARD_URL: URL_ }, timeout: 10 * 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );
}

async function train(config: string, overrides: string[]): Promise<{ id: string; name: string }> {
  const res = await cli(["run", config, ...overrides, "--wait", "--json"]);
  expect(res.code, res.stderr.slice(-2000)).toBe(0);
  const run = JSON.parse(res.stdout);
  expect(run.status).toBe("completed");
  return run;
}

let dir: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "trainyard-e2e-try-"));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("classifier: upload an image, fill its metadata, see the class probability bars", async ({ page }) => {
  test.setTimeout(8 * 60_000);
  const run = await train("configs/demo.yaml", ["name=try-classifier", "training.phases.0.epochs=1", "training.phases.1.epochs=1", "training.limit_train_batches=4"]);
  const image = join(dir, "lesion.png");
  await sharp({ create: { width: 96, height: 80, channels: 3, background: { r: 150, g: 90, b: 60 } } })
    .composite([{ input: Buffer.from('<svg width="96" height="80"><circle cx="48" cy="40" r="22" fill="#3c1e23"/></svg>') }])
    .png().toFile(image);

  await page.goto("/");
  await page.getByRole("link", { name: "Try a model" }).click();
  await expect(page).toHaveURL(/\/try$/);
  await page.getByTestId("try-target").selectOption(run.id);
  await expect(page.getByTestId("try-target-info")).toContainText(`${run.id}:best`);
  // the demo's metadata (age, sex, site) as the encoder describes it
  await expect(page.getByTestId("try-fields")).toBeVisible();
  await page.getByTestId("try-field-age").fill("61");
  await page.getByTestId("try-file").setInputFiles(image);
  await expect(page.getByTestId("try-preview")).toBeVisible();
  await page.getByTestId("try-predict").click();
  const bars = page.getByTestId("try-bar");
  const classes = JSON.parse((await cli(["show", run.id, "--json"])).stdout).classes as string[];
  await expect(bars).toHaveCount(classes.length);
  const shown = await bars.evaluateAll((els) => els.map((e) => ({ label: e.getAttribute("data-label")!, value: Number(e.getAttribute("data-value")) })));
  expect(shown.map((b) => b.label).sort()).toEqual([...classes].sort());
  for (let i = 1; i < shown.length; i++) expect(shown[i].value).toBeLessThanOrEqual(shown[i - 1].value);
  // the bars are the daemon's answer for this image and metadata
  const api = (await (await fetch(`${URL_}/api/predict?${new URLSearchParams({ target: run.id, metadata: JSON.stringify({ age: 61 }) })}`, { method: "POST", headers: { "content-type": "image/png" }, body: readFileSync(image) })).json()) as Prediction;
  if (api.result.kind !== "probabilities") throw new Error(`expected probabilities, got ${api.result.kind}`);
  for (const p of api.result.probabilities) expect(shown.find((b) => b.label === p.label)!.value).toBeCloseTo(p.probability, 6);
  await expect(page.getByTestId("try-timing")).toContainText("unknown: ");

  // a wrong kind of metadata is refused with the field's name
  await page.getByTestId("try-field-age").fill("old");
  await page.getByTestId("try-predict").click();
  await expect(page.getByTestId("try-error")).toHaveText('metadata field "age" is continuous: expected a number, got "old"');
});

test("detector: the image with its boxes and labels, or No findings", async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const demo = await cli(["demo", "--task", "detection"]);
  expect(demo.code, demo.stderr).toBe(0);
  const run = await train("configs/demo-detection.yaml", ["name=try-detector", "training.phases.0.epochs=1", "training.phases.1.epochs=1", "training.limit_train_batches=3", "training.limit_val_batches=1"]);
  const data = await generateDemoDetectionDataset({ outDir: dir, patients: 3, seed: 3 });
  const image = join(data.imagesDir, readdirSync(data.imagesDir).sort()[0]);
  const api = (await (await fetch(`${URL_}/api/predict?target=${run.id}`, { method: "POST", headers: { "content-type": "image/png" }, body: readFileSync(image) })).json()) as Prediction;
  if (api.result.kind !== "boxes") throw new Error(`expected boxes, got ${JSON.stringify(api).slice(0, 300)}`);

  await page.goto("/try");
  await page.getByTestId("try-target").selectOption(run.id);
  await expect(page.getByTestId("try-target-info")).toContainText("detection");
  await page.getByTestId("try-file").setInputFiles(image);
  await page.getByTestId("try-predict").click();
  await expect(page.getByTestId("try-boxes")).toBeVisible();
  const boxes = page.getByTestId("try-box");
  if (api.result.boxes.length) {
    await expect(boxes).toHaveCount(api.result.boxes.length);
    await expect(page.getByTestId("try-no-findings")).toHaveCount(0);
    expect(await boxes.evaluateAll((els) => els.map((e) => e.getAttribute("data-label")))).toEqual(api.result.boxes.map((b) => b.label));
  } else {
    await expect(boxes).toHaveCount(0);
    await expect(page.getByTestId("try-no-findings")).toContainText("No findings");
  }
});
