// The dashboard against the real daemon: submit the demo config from the browser (after a rejected
// edit), watch its curves grow live, wait for completion, download the best checkpoint, take screenshots.
import { mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { NewRunPage } from "./pages/new-run-page.ts";
import { RunPage } from "./pages/run-page.ts";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCREENSHOTS = join(REPO_ROOT, "docs", "screenshots");
const BEST_CKPT = join(REPO_ROOT, "test-results", "best.ckpt");

test("submit the demo config, watch it train live, download the best checkpoint", async ({ page }) => {
  test.setTimeout(10 * 60_000);

  // runs list → new run
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Runs" })).toBeVisible();
  await page.getByTestId("new-run").click();
  await expect(page).toHaveURL(/\/runs\/new$/);

  const form = new NewRunPage(page);
  const original = await form.chooseExample("configs/demo.yaml");
  expect(original).toMatch(/^name: demo$/m);
  await expect(form.valid).toBeVisible({ timeout: 30_000 });
  await expect(form.submit).toBeEnabled();

  // a bad value: the issue names its field path and submit is refused
  const bad = original.replace(/(\blr:\s*)[^,}\n]+/, "$1fast");
  expect(bad).not.toBe(original);
  await form.yaml.fill(bad);
  const issue = form.issueAt("training.phases[0].lr");
  await expect(issue).toBeVisible({ timeout: 30_000 });
  await expect(issue).toContainText("training.phases[0].lr");
  await expect(issue).toContainText('"fast"');
  await expect(form.submit).toBeDisabled();

  // fix it and submit
  await form.yaml.fill(original);
  await expect(form.issues).toHaveCount(0, { timeout: 30_000 });
  await expect(form.valid).toBeVisible();
  await expect(form.submit).toBeEnabled();
  await form.submit.click();
  await expect(page).toHaveURL(/\/runs\/(?!new$)[^/]+$/, { timeout: 30_000 });
  const runUrl = page.url();

  // Mark the document: if the page reloads, the mark is gone.
  await page.evaluate(() => ((window as unknown as { __noReload?: boolean }).__noReload = true));

  const run = new RunPage(page);
  await expect(page.getByTestId("run-name")).toHaveText("demo");
  await expect(run.status).toHaveText("running", { timeout: 3 * 60_000 });

  // live growth of a chart while the run is still running
  const key = "train/loss";
  await expect.poll(() => run.points(key), { timeout: 2 * 60_000 }).toBeGreaterThan(0);
  const first = await run.points(key);
  await expect.poll(() => run.points(key), { timeout: 2 * 60_000, intervals: [250] }).toBeGreaterThan(first);
  await expect(run.status).toHaveText("running");
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  expect(page.url()).toBe(runUrl);

  // completion, still without a reload
  await expect(run.status).toHaveText("completed", { timeout: 6 * 60_000 });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
  await expect.poll(() => run.points("val/auc_macro")).toBeGreaterThan(0);

  // the best checkpoint downloads as a non-empty file
  await expect(run.downloadBest).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), run.downloadBest.click()]);
  mkdirSync(dirname(BEST_CKPT), { recursive: true });
  await download.saveAs(BEST_CKPT);
  expect(statSync(BEST_CKPT).size).toBeGreaterThan(0);
  await test.info().attach("best-checkpoint", { path: BEST_CKPT, contentType: "application/octet-stream" });

  // screenshots for the docs
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(0, 0); // no chart tooltip in the picture
  await page.screenshot({ path: join(SCREENSHOTS, "run-page.png"), fullPage: true });
  await page.goto("/");
  const row = page.getByTestId("run-row").filter({ hasText: "demo" }).first();
  await expect(row.getByTestId("run-status")).toHaveText("completed");
  await page.screenshot({ path: join(SCREENSHOTS, "runs-list.png"), fullPage: true });
});
