// Risk prediction from the browser against the real daemon and trainer: import the risk demo (four-view
// exams with follow-up, events and their true hazard) as `trainyard demo --task risk` does, read its
// follow-up report on the dataset page, switch the new-run form to risk (no label set, the risk model's
// fields), launch, watch the C-index and AUC-by-year charts grow live, then read the headline numbers
// (the true hazard's C-index beside the model's), the per-year AUC and calibration plots at the test
// evaluation, and the same plots in the compare view. Kept short: the light CNN from scratch at 64 px for
// two epochs (the model barely learns in that time; the spec checks the plumbing, not the model).
import { spawn } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";
import { E2E_PORT } from "../playwright.config.ts";
import { ConfigFormPart, NewRunPage } from "./pages/new-run-page.ts";
import { RunPage } from "./pages/run-page.ts";

const DATASET = "demo-risk";
const SHOTS = "test-results/risk-flow";

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  // the daemon's own demo procedure: generate, import with its follow-up, time and view columns and the oracle, warm the cache
  const demo = spawn(process.execPath, ["bin/trainyard.mjs", "demo", "--task", "risk"], {
    stdio: "inherit",
    env: { ...process.env, TRAINYARD_URL: `http://127.0.0.1:${E2E_PORT}` },
  });
  const code = await new Promise((r) => demo.on("exit", r));
  if (code !== 0) throw new Error(`trainyard demo --task risk failed (${code})`);
});

async function shot(page: Page, name: string) {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${SHOTS}/${name}`, fullPage: true });
}

/** A chart's data-lines / data-points as a number (0 while it is not drawn). */
async function attr(page: Page, testId: string, name: "data-lines" | "data-points"): Promise<number> {
  const v = await page.getByTestId(testId).first().getAttribute(name, { timeout: 1000 }).catch(() => null);
  return v == null ? 0 : Number(v);
}

test("risk: demo with follow-up, launch from the form, live C-index and AUC by year, calibration, compare", async ({ page }) => {
  test.setTimeout(12 * 60_000);

  // 1. the dataset page: the import's follow-up figures
  await page.goto(`/datasets/${DATASET}`);
  const report = page.getByTestId("report-survival");
  await expect(report).toBeVisible();
  const cases = Number(await report.getByTestId("survival-cases").textContent());
  expect(cases).toBeGreaterThan(100);
  await expect(report.getByTestId("survival-events")).toHaveText(/^\d+ \(\d+(\.\d+)?%\)$/);
  await expect(report.getByTestId("survival-censored")).toHaveText(/^\d+ \(\d+(\.\d+)?%\)$/);
  const bins = report.getByTestId("followup-bin");
  expect(await bins.count()).toBeGreaterThan(3);
  const perBin = await bins.evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-cases"))));
  expect(perBin.reduce((a, b) => a + b, 0)).toBe(cases);
  await expect(report.getByTestId("report-views")).toContainText("L-CC");
  await expect(report.getByTestId("report-views")).toContainText("R-MLO");
  expect(Number(await report.getByTestId("survival-missing-view").textContent())).toBeGreaterThan(0);
  await shot(page, "dataset-risk.png");

  // 2. the new-run form: start from the classification demo, switch the task to risk
  await page.goto("/runs/new");
  const yamlForm = new NewRunPage(page);
  const form = new ConfigFormPart(page);
  await yamlForm.chooseExample("configs/demo.yaml");
  await expect(page.getByTestId("config-form")).toBeVisible();
  await form.field("name").fill("risk-flow");
  await page.getByTestId("dataset-picker").selectOption(DATASET);
  await expect(page.getByTestId("label-set-picker")).toBeVisible();
  await page.getByTestId("task-picker").selectOption("risk");
  // the label set, its "other" class and the AUC monitors go; the risk model's fields come
  await expect(page.getByTestId("label-set-picker")).toHaveCount(0);
  await expect(page.getByTestId("other-ratio")).toHaveCount(0);
  await expect(page.getByTestId("label-preview")).toHaveCount(0);
  await expect(page.getByTestId("risk-fields")).toBeVisible();
  await expect(form.field("training.early_stopping.monitor")).toHaveValue("val/c_index");
  await expect(yamlForm.yaml).not.toHaveValue(/auc_macro|other_class|arch: gen2a|demo3/);
  const archs = await form.field("model.arch").locator("option").allTextContents();
  expect(archs).toEqual(["cumulative_hazard", "cox"]);
  await form.field("model.arch").selectOption("cumulative_hazard");
  await form.field("model.backbone").selectOption("baseline_cnn");
  await form.field("model.pretrained").fill("none");
  await form.field("dataset.image_size").fill("64");
  await form.field("training.batch_size").fill("32");
  await form.field("model.risk.aggregation").selectOption("mean");
  await form.field("training.risk.max_followup").fill("5");
  await form.field("training.risk.missing_views").selectOption("allow");
  await expect(yamlForm.yaml).toHaveValue(/task: risk/);
  await expect(yamlForm.yaml).toHaveValue(/aggregation: mean/);
  await expect(yamlForm.yaml).toHaveValue(/missing_views: allow/);
  // two one-epoch phases, both training everything (a CNN from scratch has no backbone to keep frozen)
  await form.phase(0, "epochs").fill("1");
  await form.phase(0, "train").fill("all");
  await form.phase(1, "epochs").fill("1");
  await expect(yamlForm.valid).toBeVisible({ timeout: 30_000 });
  await expect(yamlForm.valid).toContainText("risk by year 1–5");
  await shot(page, "new-run-risk.png");
  await yamlForm.submit.click();
  await expect(page).toHaveURL(/\/runs\/(?!new\b)[^/?]+$/, { timeout: 30_000 });
  const runId = page.url().split("/").pop()!;
  const run = new RunPage(page);

  // 3. live: the C-index and AUC-by-year charts appear with the first evaluation and grow with the next
  await expect(run.status).toHaveText("running", { timeout: 3 * 60_000 });
  await expect(run.chart("val/c_index")).toBeVisible({ timeout: 4 * 60_000 });
  await expect(run.chart("val/auc_year_mean")).toBeVisible({ timeout: 60_000 });
  await expect(run.chart("val/auc_macro")).toHaveCount(0);
  // the panel can show before its first series read answers
  await expect.poll(() => run.points("val/c_index"), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect.poll(() => run.points("val/auc_year_mean"), { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await run.points("val/c_index");
  // Harrell's and Uno's C in one chart; the mean AUC and every year the evaluation defined in the other
  await expect.poll(() => attr(page, "chart-val/c_index", "data-lines"), { timeout: 30_000 }).toBe(2);
  await expect.poll(() => attr(page, "chart-val/auc_year_mean", "data-lines"), { timeout: 30_000 }).toBeGreaterThan(1);
  await expect.poll(() => run.points("val/c_index"), { timeout: 4 * 60_000, intervals: [250] }).toBeGreaterThan(first);

  // 4. at the end: test numbers, the true hazard's C-index beside the model's
  await expect(run.status).toHaveText("completed", { timeout: 6 * 60_000 });
  const headline = page.getByTestId("risk-headline");
  await expect(headline).toHaveAttribute("data-split", "test", { timeout: 30_000 });
  await expect(headline.getByTestId("headline-c-index")).toHaveText(/^0?\.\d+|^1/);
  await expect(headline.getByTestId("headline-oracle")).toContainText("true hazard");
  await expect(headline.getByTestId("headline-c-index-uno")).toHaveText(/\d/);
  await expect(headline.getByTestId("headline-auc-mean")).toHaveText(/\d/);
  await expect(page.getByTestId("test-results")).toContainText("test/c_index");

  // 5. the per-year AUC and calibration plots, at the test evaluation
  const picker = page.getByTestId("curve-evaluation");
  await expect(picker.locator("option", { hasText: /^test/ })).toHaveCount(1, { timeout: 30_000 });
  const testValue = await picker.locator("option", { hasText: /^test/ }).getAttribute("value");
  await picker.selectOption(testValue!);
  const auc = page.getByTestId("curves-panel").getByTestId("chart-auc_by_year");
  const calibration = page.getByTestId("curves-panel").getByTestId("chart-calibration");
  await expect(auc).toBeVisible();
  await expect(calibration).toBeVisible();
  await expect.poll(async () => Number(await auc.getAttribute("data-points")), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(Number(await auc.getAttribute("data-points"))).toBeLessThanOrEqual(5);
  expect(Number(await auc.getAttribute("data-lines"))).toBe(1);
  // one point per risk quartile, the diagonal not counted
  await expect.poll(async () => Number(await calibration.getAttribute("data-points")), { timeout: 30_000 }).toBeGreaterThan(0);
  expect(Number(await calibration.getAttribute("data-points"))).toBeLessThanOrEqual(4);
  await expect(calibration).toContainText("perfect calibration");
  await expect(page.getByTestId("chart-roc")).toHaveCount(0);
  await page.getByTestId("curves-panel").scrollIntoViewIfNeeded();
  await shot(page, "run-page-risk.png");

  // 6. compare: the run's AUC by year and calibration overlaid (its test evaluation), its C-index in the tables
  await page.goto(`/compare?runs=${runId}`);
  await expect(page.getByTestId("compare-view")).toBeVisible();
  const overlay = page.getByTestId("compare-risk-curves");
  await expect.poll(async () => Number(await overlay.getByTestId("chart-auc_by_year").getAttribute("data-lines")), { timeout: 30_000 }).toBe(1);
  await expect(overlay.getByTestId("chart-auc_by_year")).toContainText("(test · epoch");
  expect(Number(await overlay.getByTestId("chart-calibration").getAttribute("data-points"))).toBeGreaterThan(0);
  await expect(page.getByTestId("final-metrics")).toContainText("test/c_index");
  await expect(page.getByTestId("final-metrics")).toContainText("test/c_index_oracle");
  // the C-index and mean AUC by year over epochs, charted by default beside the losses
  for (const key of ["val/c_index", "val/c_index_uno", "val/auc_year_mean"])
    await expect.poll(async () => Number(await page.getByTestId(`chart-${key}`).getAttribute("data-lines")), { timeout: 30_000 }).toBe(1);
  await shot(page, "compare-risk.png");
});
