// Sweeps from the browser against the real daemon, Optuna process and trainer: mark the demo config's LR and
// batch size as swept on the new-run form (the sweep YAML it writes validates), then paste a small sweep on the
// new-run form (the demo at 32 px, two epochs of two batches, four random trials two at a time, checked live
// by sweeps.validate), create it, then on the sweep page see the trial table fill, the parallel-coordinates
// plot draw a line per trial on a log LR axis and a categorical batch-size axis, sort the table by the metric,
// and pause and resume the sweep. Kept short: the trials are tiny, the spec checks the plumbing, not the search.
import { expect, test } from "@playwright/test";

const SWEEP = `name: e2e-sweep
base:
  name: e2e-sweep-base
  dataset: {name: demo, image_size: 32, labels: {set: demo3, other_class: true, other_ratio: 0.25}}
  model: {arch: gen2a, backbone: baseline_cnn, pretrained: none, image_head: 32, metadata: {enabled: true, hidden: 16}, fusion: 16}
  training:
    batch_size: 16
    precision: fp32
    limit_train_batches: 2
    phases:
      - {name: all, epochs: 2, lr: 1.0e-3, train: [all]}
    checkpoint: {monitor: val/auc_macro, mode: max, top_k: 1, every_n_epochs: 0, last: true}
  resources: {gpus: 0}
method: random
metric: {name: val/auc_macro, goal: max}
max_trials: 4
parallel: 2
seed: 3
early_stopping: {type: none}
parameters:
  training.phases.0.lr: {log_uniform: [1.0e-4, 1.0e-2]}
  training.batch_size: {values: [8, 16]}
`;

test("sweeps: paste a sweep, create it, trial table and parallel coordinates, sort, pause and resume", async ({ page }) => {
  test.setTimeout(3 * 60_000);
  await page.goto("/runs/new?sweep=1");
  const launch = page.getByTestId("sweep-launch");
  await expect(launch).toBeVisible();
  // marking fields as swept on the form's config writes the sweep YAML, which the daemon validates
  await page.getByTestId("example-config").selectOption("configs/demo.yaml");
  await page.locator('[data-testid="swept-field"][data-key="training.phases.1.lr"] [data-testid="swept-toggle"]').check();
  await page.locator('[data-testid="swept-field"][data-key="training.batch_size"] [data-testid="swept-toggle"]').check();
  await expect(page.getByTestId("sweep-yaml")).toHaveValue(/training\.phases\.1\.lr: \{ log_uniform: \[ 0\.0002, 0\.02 \] \}/);
  await expect(page.getByTestId("sweep-yaml")).toHaveValue(/training\.batch_size: \{ values: \[ 16, 32, 64 \] \}/);
  await expect(page.getByTestId("sweep-valid")).toBeVisible({ timeout: 30_000 });
  // a bad distribution first: the issue names its path
  await page.getByTestId("sweep-yaml").fill(SWEEP.replace("{log_uniform: [1.0e-4, 1.0e-2]}", "{log_uniform: [0, 1.0e-2]}"));
  await expect(page.locator('[data-testid="config-issue"][data-path=\'parameters["training.phases.0.lr"].log_uniform\']')).toContainText("min > 0");
  await expect(page.getByTestId("create-sweep")).toBeDisabled();
  await page.getByTestId("sweep-yaml").fill(SWEEP);
  await expect(page.getByTestId("sweep-valid")).toContainText("4 trials, 2 at once", { timeout: 30_000 });
  await page.getByTestId("create-sweep").click();
  await expect(page).toHaveURL(/\/sweeps\/[^/?]+$/, { timeout: 30_000 });

  await expect(page.getByTestId("sweep-name")).toHaveText("e2e-sweep");
  await expect(page.getByTestId("trial-row").first()).toBeVisible({ timeout: 60_000 });
  const pc = page.getByTestId("parallel-coords");
  await expect(pc).toBeVisible();
  await expect(pc.locator('[data-testid="pc-axis"][data-key="training.phases.0.lr"]')).toHaveAttribute("data-kind", "log");
  await expect(pc.locator('[data-testid="pc-axis"][data-key="training.batch_size"]')).toHaveAttribute("data-kind", "categorical");

  // pause: no new trial is asked; resume goes on
  await page.getByTestId("pause-sweep").click();
  await expect(page.getByTestId("sweep-status")).toHaveText("paused");
  await page.getByTestId("resume-sweep").click();
  await expect(page.getByTestId("sweep-status")).toHaveText("running");

  // the trials end (live, through sweeps.watch): a line per trial with its metric, the axis for the metric
  await expect(page.getByTestId("sweep-status")).toHaveText("completed", { timeout: 150_000 });
  await expect(page.getByTestId("trial-row")).toHaveCount(4);
  await expect(pc).toHaveAttribute("data-lines", "4");
  await expect(pc).toHaveAttribute("data-axes", "3");

  // sort by the metric: best first, the values descending
  await page.locator('[data-testid="sort-trials"][data-col="value"]').click();
  await expect(page.getByTestId("trial-table")).toHaveAttribute("data-dir", "desc");
  const values = await page.locator('[data-testid="trial-row"] td[data-col="value"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-value")).filter((v) => v !== "").map(Number));
  expect(values.length).toBeGreaterThan(0);
  expect([...values].sort((a, b) => b - a)).toEqual(values);
  await expect(page.getByTestId("compare-top")).toHaveAttribute("href", /\/compare\?runs=/);
  await page.getByTestId("param-scatter").first().waitFor();
});
