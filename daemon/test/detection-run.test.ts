// Detection end to end through the real daemon, CLI and trainer: the detection demo learns, the run stores val
// and test mAP, the gallery's samples and an ONNX export whose boxes match PyTorch's under onnxruntime; and,
// when HAM10000 is beside the repo, a detection run on its lesion boxes does the same.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, type DaemonProcess } from "./daemon-process.ts";

const HAM = join(process.env.TRAINYARD_SHARED_DATASETS ?? join(import.meta.dirname, "../../../shared/datasets"), "ham10000_200x150");
let d: DaemonProcess;

beforeAll(async () => {
  d = await startDaemon();
});
afterAll(async () => d?.stop());

async function runAndCheck(config: string, overrides: string[]) {
  const res = await d.cli(["run", config, ...overrides, "training.export=[onnx]", "--wait", "--json"]);
  expect(res.code, res.stderr.slice(-3000)).toBe(0);
  const run = JSON.parse(res.stdout);
  expect(run.status).toBe("completed");
  expect(run.best.name).toBe("val/map50_95");
  const show = await d.cli(["show", run.id, "--json"]);
  const { metrics } = JSON.parse(show.stdout);
  for (const key of ["test/map50_95", "test/map50", "test/precision", "test/recall"]) expect(metrics.test[key], key).toBeTypeOf("number");
  const samples = await d.client.charts.sampleEvaluations.query({ id: run.id });
  expect(samples.length).toBeGreaterThan(0);
  // the export's boxes, scores and labels on a real validation image, against PyTorch's, under onnxruntime
  const onnx = join(d.home, "runs", run.id, "exports", "model.onnx");
  expect(existsSync(onnx)).toBe(true);
  const parity = await d.cli(["check-onnx", onnx]);
  expect(parity.code, parity.stdout + parity.stderr).toBe(0);
  expect(parity.stdout).toMatch(/: ok$/m);
  return { run, metrics };
}

describe("detection runs", () => {
  it("trainyard demo --task detection, then the demo config learns well above an untrained model", async () => {
    const demo = await d.cli(["demo", "--task", "detection"]);
    expect(demo.code, demo.stderr).toBe(0);
    // three of the config's six epochs: enough to show the learning (an untrained FCOS scores ~0.00)
    const { metrics } = await runAndCheck("configs/demo-detection.yaml", ["training.phases.1.epochs=2"]);
    expect(metrics.best.values["val/map50"]).toBeGreaterThan(0.25);
  }, 900_000);

  it.skipIf(!existsSync(join(HAM, "HAM10000_lesion_boxes.csv")))("HAM10000 with its lesion boxes trains from the CLI and stores val and test mAP", async () => {
    const imp = await d.cli([
      "dataset", "import", "ham10000-boxes", "--manifest", join(HAM, "HAM10000_metadata.csv"), "--images", join(HAM, "images"),
      "--image-col", "image_id", "--group-col", "lesion_id", "--label-col", "dx", "--boxes", join(HAM, "HAM10000_lesion_boxes.csv"), "--check", "exists",
    ]);
    expect(imp.code, imp.stderr).toBe(0);
    const { metrics } = await runAndCheck("configs/ham10000-detection.yaml", ["dataset.subsample.fraction=0.04", "training.phases.1.epochs=1"]);
    expect(metrics.best.values["val/map50"]).toBeTypeOf("number");
  }, 900_000);
});
