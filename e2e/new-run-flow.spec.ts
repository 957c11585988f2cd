// The dashboard's main flows against the real daemon and trainer: configure a run in the form (inline
// labels, other ratio with the preview changing, a three-phase schedule, a field error before submit),
// launch, watch live, cancel, resume, clone a second run, compare the two, download best, export CSV.
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ComparePage } from "./pages/compare-page.ts";
import { ConfigFormPart, NewRunPage } from "./pages/new-run-page.ts";
import { RunPage } from "./pages/run-page.ts";

const SHOTS = "docs/screenshots";

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
}

test("configure, launch, cancel, resume, clone, compare, download, export", async ({ page }) => {
  test.setTimeout(15 * 60_000);
  await page.goto("/runs/new");
  const yamlForm = new NewRunPage(page);
  const form = new ConfigFormPart(page);
  await yamlForm.chooseExample("configs/demo.yaml");
  await expect(page.getByTestId("config-form")).toBeVisible();

  // name, typed in the form, lands in the YAML view
  await form.field("name").fill("flow-a");
  await expect(yamlForm.yaml).toHaveValue(/^name: flow-a$/m);

  // labels: switch to an inline list and add a fourth diagnosis; the preview follows
  await page.getByTestId("label-set-picker").selectOption("(inline)");
  await expect(page.getByTestId("label-picker")).toBeVisible();
  await expect(page.getByTestId("label-preview")).toContainText("3 classes");
  await page.getByTestId("label-picker").getByLabel(/dermatitis/).check();
  await expect(page.getByTestId("label-preview")).toContainText("4 classes");
  await page.getByTestId("label-picker").getByLabel(/dermatitis/).uncheck();
  await expect(page.getByTestId("label-preview")).toContainText("3 classes");

  // other ratio: the preview's estimate changes with the slider, and the YAML with it
  const before = await page.getByTestId("other-estimate").textContent();
  await form.setSlider("other-ratio", 0.5);
  await expect(page.getByTestId("other-ratio-value")).toHaveText("0.50");
  await expect(page.getByTestId("other-estimate")).not.toHaveText(before ?? "");
  await expect(yamlForm.yaml).toHaveValue(/other_ratio: 0\.5/);
  // the datasets team's live per-class / per-split preview follows the ratio too
  const otherRow = page.getByTestId("dataset-preview").getByTestId("preview-class-other");
  const otherBefore = await otherRow.textContent();
  await form.setSlider("other-ratio", 0.1);
  await expect(otherRow).not.toHaveText(otherBefore ?? "", { timeout: 15_000 });

  // three phases: add one, shorten the schedule so the test trains quickly
  await expect(form.phaseRows).toHaveCount(2);
  await page.getByTestId("phase-add").click();
  await expect(form.phaseRows).toHaveCount(3);
  await form.phase(1, "epochs").fill("2");
  await form.phase(2, "name").fill("polish");
  await form.phase(2, "epochs").fill("1");
  await form.phase(2, "lr").fill("0.0005");
  await expect(page.getByTestId("lr-preview")).toHaveAttribute("data-lines", "2");

  // a wrong value is flagged at its field before submitting
  await form.phase(0, "lr").fill("-1");
  await expect(form.fieldError("training.phases[0].lr")).toBeVisible();
  await expect(yamlForm.submit).toBeDisabled({ timeout: 30_000 });
  await form.phase(0, "lr").fill("0.003");
  await expect(form.fieldError("training.phases[0].lr")).toHaveCount(0);
  await expect(yamlForm.valid).toBeVisible({ timeout: 30_000 });
  await shot(page, "new-run.png");

  await yamlForm.submit.click();
  await expect(page).toHaveURL(/\/runs\/(?!new\b)[^/?]+$/, { timeout: 30_000 });
  const runA = page.url().split("/").pop()!;
  const run = new RunPage(page);

  // live: the loss chart grows while running
  await expect(run.status).toHaveText("running", { timeout: 3 * 60_000 });
  await expect.poll(() => run.points("train/loss"), { timeout: 2 * 60_000 }).toBeGreaterThan(0);
  const first = await run.points("train/loss");
  await expect.poll(() => run.points("train/loss"), { timeout: 2 * 60_000, intervals: [250] }).toBeGreaterThan(first);
  const latency = await page.evaluate(() => (window as unknown as { __liveLatencyMs?: number[] }).__liveLatencyMs ?? []);
  test.info().annotations.push({ type: "liveLatencyMs", description: JSON.stringify(latency) });
  console.log("live latency ms (trainer print → drawn):", JSON.stringify(latency));

  // cancel once the first checkpoint exists, then resume from it
  await expect(page.getByTestId("checkpoint-row").first()).toBeVisible({ timeout: 3 * 60_000 });
  await page.getByTestId("cancel-run").click();
  await page.getByTestId("confirm-cancel").click();
  await expect(run.status).toHaveText(/cancelled|interrupted/, { timeout: 2 * 60_000 });
  await page.getByTestId("resume-run").click();
  await expect(run.status).toHaveText(/queued|running/, { timeout: 60_000 });
  await expect(run.status).toHaveText("completed", { timeout: 6 * 60_000 });
  await shot(page, "run-page.png");

  // best checkpoint and the full CSV of the loss chart
  const [dl] = await Promise.all([page.waitForEvent("download"), run.downloadBest.click()]);
  const ckpt = join("test-results", "flow-best.ckpt");
  await dl.saveAs(ckpt);
  expect(statSync(ckpt).size).toBeGreaterThan(0);
  const [csv] = await Promise.all([page.waitForEvent("download"), run.chart("train/loss").getByTestId("export-csv").click()]);
  const csvPath = join("test-results", "flow-loss.csv");
  await csv.saveAs(csvPath);
  const lines = readFileSync(csvPath, "utf8").trim().split("\n");
  expect(lines[0]).toBe("run_id,run_name,key,step,epoch,time,value");
  // a short run: the chart holds one bucket per stored point, so the export has exactly as many rows
  await expect.poll(() => run.points("train/loss"), { timeout: 15_000 }).toBe(lines.length - 1);

  // clone into the form with a different batch size, run it
  await page.getByTestId("config-block").locator("summary").click();
  await page.getByTestId("clone-run").click();
  await expect(yamlForm.yaml).toHaveValue(/name: flow-a-clone/, { timeout: 30_000 });
  await form.field("training.batch_size").fill("16");
  await expect(yamlForm.valid).toBeVisible({ timeout: 30_000 });
  await yamlForm.submit.click();
  await expect(page).toHaveURL(/\/runs\/(?!new\b)[^/?]+$/, { timeout: 30_000 });
  const runB = page.url().split("/").pop()!;
  await expect(run.status).toHaveText("completed", { timeout: 8 * 60_000 });

  // runs table: filter, select both, compare
  await page.goto("/");
  await page.getByTestId("runs-filter").fill("flow-a");
  await expect(page.getByTestId("run-row")).toHaveCount(2);
  await shot(page, "runs-list.png");
  for (const id of [runA, runB]) await page.locator(`[data-testid="run-row"][data-run-id="${id}"]`).getByTestId("select-run").check();
  await page.getByTestId("compare-selected").click();
  const compare = new ComparePage(page);
  await expect(compare.view).toBeVisible();
  await expect.poll(() => compare.lines("train/loss"), { timeout: 30_000 }).toBe(2);
  await expect(compare.configDiffRows.filter({ hasText: "training.batch_size" })).toHaveCount(1);
  await expect(page.getByTestId("class-metrics").locator("[data-best]").first()).toBeVisible();
  // the URL carries the selection and the chart settings
  await page.getByTestId("log-y").check();
  await expect(page).toHaveURL(new RegExp(`runs=${runA},${runB}.*log=1`), { timeout: 10_000 });
  await shot(page, "compare.png");
});
