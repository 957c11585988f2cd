// Risk end to end through the real daemon, CLI and trainer: `trainyard demo --task risk` imports synthetic
// four-view exams with follow-up, configs/demo-risk.yaml learns from the CLI, the run stores val and test
// C-index (Harrell and Uno) and AUC by year, its test C-index reaches 0.9 of the true hazard's, the curves the
// dashboard plots are stored, and the ONNX export (all views, mask and metadata in; per-year risks out) gives
// PyTorch's risks under onnxruntime.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, type DaemonProcess } from "./daemon-process.ts";

let d: DaemonProcess;

beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.stop());

describe("risk runs", () => {
  it("trainyard demo --task risk, then the demo config reaches 0.9 of the oracle's test C-index", async () => {
    const demo = await d.cli(["demo", "--task", "risk"]);
    expect(demo.code, demo.stderr).toBe(0);
    const res = await d.cli(["run", "configs/demo-risk.yaml", "training.export=[onnx]", "--wait", "--json"]);
    expect(res.code, res.stderr.slice(-3000)).toBe(0);
    const run = JSON.parse(res.stdout);
    expect(run.status).toBe("completed");
    expect(run.best.name).toBe("val/c_index");
    const { metrics } = JSON.parse((await d.cli(["show", run.id, "--json"])).stdout);
    const test = metrics.test as Record<string, number>;
    for (const key of ["test/c_index", "test/c_index_uno", "test/auc_year_mean", "test/c_index_oracle", ...[1, 2, 3, 4, 5].map((k) => `test/auc_year/${k}`)])
      expect(test[key], key).toBeTypeOf("number");
    for (const key of ["val/c_index", "val/c_index_uno", "val/auc_year_mean", "val/auc_year/1"]) expect(metrics.best.values[key], key).toBeTypeOf("number");
    // the figures docs/trainer.md quotes, in the test log
    console.info(`risk demo: best epoch ${metrics.best.epoch} val C ${metrics.best.values["val/c_index"]}; ${["test/c_index", "test/c_index_uno", "test/auc_year_mean", "test/c_index_oracle"].map((k) => `${k} ${test[k]}`).join(", ")}`);
    expect(test["test/c_index"]).toBeGreaterThanOrEqual(0.9 * test["test/c_index_oracle"]);
    // the curves the run page and compare plot: AUC by year and calibration, for the test evaluation
    const evaluations = await d.client.charts.curveEvaluations.query({ id: run.id });
    const testEval = evaluations.find((e: { split: string }) => e.split === "test")!;
    expect(testEval).toBeTruthy();
    const curves = await d.client.charts.curves.query({ id: run.id, split: "test", epoch: testEval.epoch });
    const kinds = new Set(curves.map((c: { kind: string }) => c.kind));
    expect(kinds.has("auc_by_year") && kinds.has("calibration")).toBe(true);
    const onnx = join(d.home, "runs", run.id, "exports", "model.onnx");
    expect(existsSync(onnx)).toBe(true);
    const parity = await d.cli(["check-onnx", onnx]);
    expect(parity.code, parity.stdout + parity.stderr).toBe(0);
    expect(parity.stdout).toMatch(/: ok$/m);
  }, 900_000);
});
