// The model registry from the browser against the real daemon and trainer: a tiny demo run (submitted through
// the API), Register on its best checkpoint (name, description, tags), the model page with the version's lineage
// and metrics, an alias moved with its history row, an ONNX download built on that first click, and the models list.
import { readFileSync, statSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { makeClient } from "../daemon/src/cli/client.ts";
import { E2E_PORT } from "../playwright.config.ts";

const TINY = ["name=e2e-registry", "dataset.image_size=32", "training.limit_train_batches=2", "training.phases.0.epochs=1", "training.phases.1.epochs=1", "resources.gpus=0"];

test("models: register a run's best checkpoint, see its lineage, move an alias, download the ONNX export", async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const client = makeClient(`http://127.0.0.1:${E2E_PORT}`);
  const run = await client.runs.submit.mutate({ yaml: readFileSync("configs/demo.yaml", "utf8"), overrides: TINY });
  await expect.poll(async () => (await client.runs.get.query({ id: run.id })).status, { timeout: 4 * 60_000, intervals: [1000] }).toBe("completed");

  await page.goto(`/runs/${run.id}`);
  const best = page.locator('[data-testid="checkpoint-row"][data-best]');
  await best.getByTestId("register-checkpoint").click();
  const dialog = best.getByTestId("register-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("register-name")).toHaveValue("e2e-registry");
  // a name the registry refuses: the dialog shows why
  await dialog.getByTestId("register-name").fill("bad name!");
  await dialog.getByTestId("register-submit").click();
  await expect(dialog.getByRole("alert")).toContainText('model name "bad name!": use 1-100 letters');
  await dialog.getByTestId("register-name").fill("e2e-lesions");
  await dialog.getByTestId("register-description").fill("tiny demo");
  await dialog.getByTestId("register-tags").fill("stage=e2e, baseline");
  await dialog.getByTestId("register-submit").click();
  await expect(dialog.getByTestId("register-done")).toContainText("Registered as e2e-lesions@1");
  await dialog.getByRole("link", { name: "e2e-lesions@1" }).click();

  await expect(page).toHaveURL(/\/models\/e2e-lesions$/);
  await expect(page.getByTestId("model-name")).toHaveText("e2e-lesions");
  const version = page.locator('[data-testid="model-version"][data-version="1"]');
  await expect(version).toContainText("tiny demo");
  await expect(version).toContainText("stage=e2e");
  await expect(version.getByTestId("lineage-run")).toHaveAttribute("href", `/runs/${run.id}`);
  await expect(version.getByTestId("dataset-fingerprint")).toContainText(/fingerprint [0-9a-f]{12}/);
  await expect(version.getByTestId("version-test-metrics")).toContainText("test/auc_macro");

  await page.getByTestId("alias-input").fill("production");
  await page.getByTestId("alias-move").click();
  await expect(page.getByTestId("alias-move-row")).toHaveCount(1);
  await expect(page.getByTestId("alias-move-row").first()).toContainText("set to v1");
  await expect(version.getByTestId("alias-chip")).toHaveText("production");

  const download = page.waitForEvent("download", { timeout: 120_000 });
  await version.getByTestId("export-onnx").click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("e2e-lesions-v1-model.onnx");
  expect(statSync(await file.path()).size).toBeGreaterThan(10_000);
  // the label follows the build without a reload
  await expect(version.getByTestId("export-onnx")).toHaveText("Download ONNX", { timeout: 15_000 });
  await expect(version.getByTestId("export-torchscript")).toHaveText("Download TorchScript (builds first)");

  await page.getByRole("link", { name: "Models", exact: true }).click();
  await expect(page).toHaveURL(/\/models$/);
  const row = page.locator('[data-testid="model-row"][data-model="e2e-lesions"]');
  await expect(row).toContainText(run.id);
  await expect(row.getByTestId("alias-chip")).toContainText("production → v1");
});
