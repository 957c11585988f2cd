// One run end to end through the real daemon, the real CLI and the real trainer, and the ways it fails.
import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

const PYTHON = process.env.TRAINYARD_PYTHON ?? "/usr/bin/python3";
const SHORT = ["training.phases.0.epochs=1", "training.phases.1.epochs=1"];

let d: DaemonProcess;
beforeAll(async () => {
  d = await startDaemon();
  const demo = await d.cli(["demo"]);
  expect(demo.code, demo.stderr).toBe(0);
});
afterAll(async () => d?.stop());

describe("a demo run", () => {
  it("completes from the CLI, and the downloaded best checkpoint loads in the trainer", async () => {
    const res = await d.cli(["run", "configs/demo.yaml", "--wait", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout);
    expect(run.status).toBe("completed");
    expect(run.best.name).toBe("val/auc_macro");
    expect(run.best.value).toBeGreaterThan(0.7); // the demo data carries a real signal
    expect(run.checkpoints.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(["best", "last"]));

    const out = join(d.home, "best.ckpt");
    const dl = await d.cli(["download", run.id, "-o", out]);
    expect(dl.code, dl.stderr).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(10_000);
    const inspected = JSON.parse(
      execFileSync(PYTHON, ["-m", "trainyard_trainer", "inspect", "--checkpoint", out], { env: { ...process.env, PYTHONPATH: join(REPO, "packages/trainer") }, encoding: "utf8" }).trim().split("\n").pop()!,
    );
    expect(inspected.ok).toBe(true);
    expect(inspected.classes).toEqual(["melanoma", "nevus", "keratosis", "other"]);
    expect(inspected.epoch).toBe(run.best.epoch);

    // the ONNX export gives PyTorch's outputs under onnxruntime (this Python has no ONNX runtime of its own)
    const onnx = join(d.home, "best.onnx");
    execFileSync(PYTHON, ["-m", "trainyard_trainer", "export", "--checkpoint", out, "--format", "onnx", "-o", onnx], { env: { ...process.env, PYTHONPATH: join(REPO, "packages/trainer") } });
    const parity = await d.cli(["check-onnx", onnx]);
    expect(parity.code, parity.stderr + parity.stdout).toBe(0);
    expect(parity.stdout).toMatch(/: ok$/m);
    const expectedFile = join(`${onnx}.check`, "expected.npy");
    const tampered = readFileSync(expectedFile);
    tampered.writeFloatLE(tampered.readFloatLE(tampered.length - 4) + 0.01, tampered.length - 4);
    writeFileSync(expectedFile, tampered);
    const mismatch = await d.cli(["check-onnx", onnx]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain("MISMATCH");

    // every metric the trainer printed is in the store: events.jsonl and SQLite agree
    const lines = readFileSync(join(d.home, "runs", run.id, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const printed = lines.filter((e) => e.type === "metrics" && "val/auc_macro" in e.values).map((e) => e.values["val/auc_macro"]);
    const stored = await d.client.runs.series.query({ id: run.id, keys: ["val/auc_macro"] });
    expect(stored["val/auc_macro"].map((p) => p.value)).toEqual(printed);

    const show = await d.cli(["show", run.id]);
    expect(show.stdout).toMatch(/status +completed/);
    const list = JSON.parse((await d.cli(["runs", "--json"])).stdout);
    expect(list.map((r: { id: string }) => r.id)).toContain(run.id);
  }, 300_000); // the whole demo: about 40 s on two quiet cores, minutes when they are shared
});

describe("bad input", () => {
  it("rejects invalid YAML and schema violations with the field path, storing nothing", async () => {
    const before = (await d.client.runs.list.query()).length;
    const bad = await d.cli(["run", "configs/demo.yaml", "training.phases.1.lr=fast"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('training.phases[1].lr: expected a positive number, got "fast"');
    await expect(d.client.runs.submit.mutate({ yaml: "name: x\ndataset: {name: [demo\n" })).rejects.toThrow(/line \d+/);
    await expect(d.client.runs.submit.mutate({ yaml: "name: x\ndataset: {name: demo}\nmodel: {backbone: resnet9000}\n" })).rejects.toThrow(/model\.backbone: expected one of resnet18/);
    expect((await d.client.runs.list.query()).length).toBe(before);
  });

  it("names the known datasets when the config's is unknown", async () => {
    const res = await d.cli(["run", "configs/demo.yaml", "dataset.name=nope"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('dataset.name: unknown dataset "nope"; known datasets: demo');
  });

  it("answers 404 with a message for missing checkpoints and never serves files outside the home", async () => {
    const [run] = await d.client.runs.list.query({ status: ["completed"] });
    for (const path of [
      `/api/runs/${run.id}/checkpoints/nope/download`,
      `/api/runs/${run.id}/checkpoints/..%2F..%2F..%2Ftrainyard.db/download`,
      `/api/runs/..%2F..%2Fetc/checkpoints/best/download`,
      `/api/runs/nope/checkpoints/best/download`,
    ]) {
      const res = await fetch(d.url + path);
      expect(res.status, path).toBe(404);
      expect((await res.json()).error).toMatch(/no (run|checkpoint)/);
    }
    const traversal = await fetch(`${d.url}/api/runs/${run.id}/checkpoints/../../../../etc/passwd`);
    expect(traversal.status).not.toBe(200);
    expect(await traversal.text()).not.toContain("root:");
  });
});

describe("a trainer that dies", () => {
  it("is failed with the signal and stderr tail after SIGKILL, and the next run works", async () => {
    const run = await d.client.runs.submit.mutate({ yaml: readFileSync(join(REPO, "configs/demo.yaml"), "utf8") });
    await waitUntil(async () => (await d.client.runs.get.query({ id: run.id })).step > 2, 120_000, "training steps");
    const pid = execFileSync("pgrep", ["-f", `trainyard_trainer train --spec .*${run.id}`], { encoding: "utf8" }).trim().split("\n")[0];
    process.kill(Number(pid), "SIGKILL");
    const failed = await waitUntil(async () => {
      const r = await d.client.runs.get.query({ id: run.id });
      return r.status === "failed" && r;
    }, 30_000, "failed state");
    expect(failed.error).toMatch(/SIGKILL/);
    expect(failed.signal).toBe("SIGKILL");
    expect(failed.stderrTail).toMatch(/phase heads/);
    const show = await d.cli(["show", run.id]);
    expect(show.stdout).toMatch(/trainer stderr \(tail\)/);

    const next = await d.cli(["run", "configs/demo.yaml", ...SHORT, "--wait", "--json"]);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).status).toBe("completed");
  });

  it("is failed with the trainer's own error when it raises", async () => {
    const res = await d.cli(["run", "configs/demo.yaml", ...SHORT, "model.pretrained=/nonexistent/weights.pt", "--wait", "--json"]);
    expect(res.code).toBe(1);
    const run = JSON.parse(res.stdout);
    expect(run.status).toBe("failed");
    expect(run.error).toContain("/nonexistent/weights.pt");
  });
});

describe("without a Python that has torch", () => {
  it("fails the run with a message saying how to install it", async () => {
    const other = await startDaemon({ env: { TRAINYARD_PYTHON: "/nonexistent/python3" } });
    try {
      expect((await other.cli(["demo"])).code).toBe(0);
      const res = await other.cli(["run", "configs/demo.yaml", "--wait", "--json"]);
      const run = JSON.parse(res.stdout);
      expect(run.status).toBe("failed");
      expect(run.error).toContain("apt-get install -y python3-torch");
      expect(run.error).toContain("TRAINYARD_PYTHON");
      expect((await other.client.system.health.query()).ok).toBe(true); // still serving
    } finally {
      await other.stop();
    }
  });
});
