// The run page's Evaluate button against the real daemon and trainer: a short demo run, then an evaluation of
// its best checkpoint on the test split from the form; the list shows it queued / running, then completed with
// its metrics, and its details show the per-class precision / recall table and the curves.
import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { E2E_PORT } from "../playwright.config.ts";

test("Evaluate: the form queues an evaluation, the list shows it with its metrics", async ({ page }) => {
  test.setTimeout(8 * 60_000);
  const out = execFileSync(process.execPath, ["bin/trainyard.mjs", "run", "configs/demo.yaml", "training.phases.0.epochs=1", "training.phases.1.epochs=1", "resources.gpus=0", "--wait", "--json"], {
    env: { ...process.env, TRAINYARD_URL: `http://127.0.0.1:${E2E_PORT}` },
    encoding: "utf8",
  });
  const run = JSON.parse(out) as { id: string; status: string };
  expect(run.status).toBe("completed");

  await page.goto(`/runs/${run.id}`);
  // the run's own per-class precision / recall at the decision threshold
  await expect(page.getByTestId("run-class-decisions").getByTestId("class-decision-row")).not.toHaveCount(0);
  await expect(page.getByTestId("no-evaluations")).toBeVisible();
  await page.getByTestId("evaluate-button").click();
  const form = page.getByTestId("evaluate-form");
  await expect(form.getByTestId("evaluate-checkpoint")).toHaveValue("best");
  await form.getByTestId("evaluate-split").selectOption("test");
  await form.getByTestId("evaluate-submit").click();

  const row = page.getByTestId("evaluation-row");
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute("data-status", "completed", { timeout: 3 * 60_000 });
  await expect(row).toContainText("auc_macro");
  const detail = page.getByTestId("evaluation-detail");
  await expect(detail.getByTestId("evaluation-metrics")).toContainText("test/auc_macro");
  await expect(detail.getByTestId("class-decision-row")).toHaveCount(4); // demo3 + other
  await expect(detail.getByTestId("evaluation-chart-roc")).toBeVisible();
});
