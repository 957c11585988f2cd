// The model registry end to end through the real daemon, CLI and trainer: a short demo run registered as
// numbered versions with their lineage, aliases moved with their history, exports built once on demand and
// downloaded (and checked against PyTorch), the run's deletion refused, and every bad input refused by name.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, type DaemonProcess } from "./daemon-process.ts";

const SHORT = ["training.phases.0.epochs=1", "training.phases.1.epochs=1"];
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

let d: DaemonProcess;
let runId: string;
let daemonOutput = "";

beforeAll(async () => {
  d = await startDaemon();
  d.child.stdout!.on("data", (b: Buffer) => (daemonOutput += b.toString()));
  const demo = await d.cli(["demo"]);
  expect(demo.code, demo.stderr).toBe(0);
  const res = await d.cli(["run", "configs/demo.yaml", ...SHORT, "--wait", "--json"]);
  expect(res.code, res.stderr).toBe(0);
  runId = JSON.parse(res.stdout).id;
}, 600_000);
afterAll(async () => d?.stop());

describe("registering a run's checkpoint", () => {
  it("refuses what cannot be registered, each with what to do instead", async () => {
    const failed = await d.cli(["run", "configs/demo.yaml", ...SHORT, "model.pretrained=/nonexistent/weights.pt", "--wait", "--json"]);
    const failedId = JSON.parse(failed.stdout).id;
    const never = await d.cli(["model", "register", failedId, "--name", "lesions"]);
    expect(never.code).toBe(1);
    expect(never.stderr).toContain(`run ${failedId} never wrote a checkpoint (it is failed`);
    expect(never.stderr).toContain("there is nothing to register");

    const ghost = await d.cli(["model", "register", runId, "--checkpoint", "epoch-99", "--name", "lesions"]);
    expect(ghost.stderr).toMatch(/cannot register: run \S+ has no checkpoint "epoch-99"; its checkpoints: best, last/);
    const noRun = await d.cli(["model", "register", "nope", "--name", "lesions"]);
    expect(noRun.stderr).toContain('no run "nope"');
    const badName = await d.cli(["model", "register", runId, "--name", "lesion classifier!"]);
    expect(badName.stderr).toContain('model name "lesion classifier!": use 1-100 letters, digits');
    const badTag = await d.cli(["model", "register", runId, "--name", "lesions", "--tag", "=x"]);
    expect(badTag.stderr).toContain('tag "=x": write KEY=VALUE or a bare TAG');
    const noName = await d.cli(["model", "register", runId]);
    expect(noName.stderr).toContain("needs RUN and --name M");
    // nothing above created a model
    expect(await d.client.models.list.query()).toEqual([]);

    // the run without versions still deletes
    expect((await d.cli(["delete", failedId])).code).toBe(0);
  }, 300_000);

  it("numbers versions per model and keeps each one's lineage", async () => {
    const v1 = await d.cli(["model", "register", runId, "--name", "lesions", "--description", "demo baseline", "--tag", "stage=demo", "--tag", "baseline", "--json"]);
    expect(v1.code, v1.stderr).toBe(0);
    expect(JSON.parse(v1.stdout)).toMatchObject({ model: "lesions", version: 1, ref: "lesions@1", runId, checkpoint: "best" });
    const v2 = await d.cli(["model", "register", runId, "--checkpoint", "last", "--name", "lesions"]);
    expect(v2.code, v2.stderr).toBe(0);
    expect(v2.stdout).toMatch(/^lesions@2: registered checkpoint last of run /);
    const other = await d.client.models.register.mutate({ runId, name: "other-model" });
    expect(other.version).toBe(1); // numbered per name

    const show = JSON.parse((await d.cli(["model", "show", "lesions", "--json"])).stdout);
    expect(show.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const [first, second] = show.versions;
    expect(first.description).toBe("demo baseline");
    expect(first.tags).toEqual({ stage: "demo", baseline: "" });
    expect(first.lineage.run).toMatchObject({ id: runId, name: "demo", status: "completed" });
    expect(first.lineage.checkpoint.name).toBe("best");
    expect(second.lineage.checkpoint.name).toBe("last");
    // the checkpoint's sha256 is that of the run's file, and the version keeps its own frozen copy
    const runFile = join(d.home, "runs", runId, "checkpoints", "best", "checkpoint.pt");
    expect(first.lineage.checkpoint.sha256).toBe(sha256(runFile));
    expect(sha256(join(d.home, "models", "lesions", "1", "checkpoint.pt"))).toBe(first.lineage.checkpoint.sha256);
    // the dataset fingerprint is the sha256 of the demo dataset's sample table
    expect(first.lineage.dataset).toEqual({ name: "demo", fingerprint: `sha256:${sha256(join(d.home, "datasets", "demo", "table.json"))}` });
    expect(first.classes).toEqual(["melanoma", "nevus", "keratosis", "other"]);
    expect(first.task).toBe("multilabel");
    expect(first.lineage.config.dataset.name).toBe("demo");
    // metrics at registration: the checkpoint's monitor and the run's test values
    const metrics = await d.client.runs.metrics.query({ id: runId });
    const run = await d.client.runs.get.query({ id: runId });
    const best = run.checkpoints.find((c) => c.name === "best")!;
    expect(first.metrics.monitor).toEqual({ name: "val/auc_macro", value: best.monitorValue });
    expect(first.metrics.test).toEqual(metrics.test);
    expect(Object.keys(first.metrics.test)).toContain("test/auc_macro");

    const text = await d.cli(["model", "show", "lesions"]);
    expect(text.stdout).toContain(`run        ${runId} (demo, completed), checkpoint best`);
    expect(text.stdout).toContain(`fingerprint sha256:`);
    const ls = await d.cli(["model", "ls"]);
    expect(ls.stdout).toMatch(/^lesions\s+2 versions/m);
    expect(ls.stdout).toMatch(/^other-model\s+1 version\s/m);
  });
});

describe("aliases", () => {
  it("point at versions, and every move is recorded", async () => {
    const set = await d.cli(["model", "alias", "lesions", "1", "production"]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout.trim()).toBe("lesions@production: 1");
    expect((await d.cli(["model", "alias", "lesions", "2", "staging"])).code).toBe(0);
    const moved = await d.cli(["model", "alias", "lesions", "2", "production"]);
    expect(moved.stdout.trim()).toBe("lesions@production: 1 → 2");
    const again = await d.cli(["model", "alias", "lesions", "v2", "production"]);
    expect(again.stdout.trim()).toBe("lesions@production already names version 2");

    const show = await d.client.models.get.query({ name: "lesions" });
    expect(show.aliases).toEqual({ production: 2, staging: 2 });
    expect(show.aliasHistory.map((h) => [h.alias, h.from, h.to, h.by])).toEqual([
      ["production", null, 1, "local"],
      ["staging", null, 2, "local"],
      ["production", 1, 2, "local"],
    ]);
    expect(show.versions[1].aliases).toEqual(["production", "staging"]);
    expect((await d.cli(["model", "show", "lesions"])).stdout).toMatch(/alias history\n.*production: set to 1 by local\n.*staging: set to 2 by local\n.*production: 1 → 2 by local/);
  });

  it("refuses bad alias names, unknown versions and unknown models", async () => {
    expect((await d.cli(["model", "alias", "lesions", "1", "Production!"])).stderr).toContain('alias "Production!": use 1-64 lower-case letters');
    expect((await d.cli(["model", "alias", "lesions", "1", "latest"])).stderr).toContain('alias "latest" is reserved');
    expect((await d.cli(["model", "alias", "lesions", "1", "3"])).stderr).toContain('alias "3": use 1-64 lower-case letters');
    expect((await d.cli(["model", "alias", "lesions", "9", "production"])).stderr).toContain("model lesions has no version 9; its versions: 1, 2");
    expect((await d.cli(["model", "alias", "lesions", "production", "staging"])).stderr).toContain('version "production": expected a version number');
    expect((await d.cli(["model", "alias", "lesion", "1", "production"])).stderr).toContain('no model "lesion"; closest: lesions');
    expect((await d.cli(["model", "alias", "lesions", "1"])).stderr).toContain("usage: trainyard model alias M VERSION ALIAS");
    // nothing moved
    expect((await d.client.models.get.query({ name: "lesions" })).aliasHistory).toHaveLength(3);
  });
});

describe("resolving a reference", () => {
  it("finds the newest version, a numbered one, or an alias's", async () => {
    expect((await d.client.models.resolve.query({ ref: "lesions" })).version).toBe(2);
    expect((await d.client.models.resolve.query({ ref: "lesions@latest" })).version).toBe(2);
    expect((await d.client.models.resolve.query({ ref: "lesions@1" })).version).toBe(1);
    const viaAlias = await d.client.models.resolve.query({ ref: "lesions@production" });
    expect(viaAlias).toMatchObject({ version: 2, alias: "production", ref: "lesions@2" });
  });

  it("lists the closest names when a model or alias does not exist", async () => {
    await expect(d.client.models.resolve.query({ ref: "lesons@1" })).rejects.toThrow('no model "lesons"; closest: lesions, other-model');
    await expect(d.client.models.resolve.query({ ref: "lesions@prod" })).rejects.toThrow('model lesions has no alias "prod"; closest: production, staging (its aliases: production → 2, staging → 2)');
    await expect(d.client.models.resolve.query({ ref: "lesions@7" })).rejects.toThrow("model lesions has no version 7; its versions: 1, 2");
    await expect(d.client.models.resolve.query({ ref: "lesions@" })).rejects.toThrow("is not MODEL, MODEL@VERSION or MODEL@ALIAS");
    await expect(d.client.models.get.query({ name: "nothing-here" })).rejects.toThrow('no model "nothing-here"; closest:');
  });
});

describe("exports on demand", () => {
  it("builds an ONNX export once for concurrent requests, serves it, and it matches PyTorch", async () => {
    const url = `${d.url}/api/models/lesions/versions/production/export/onnx`;
    const before = (daemonOutput.match(/model export: building lesions@2 as onnx/g) ?? []).length;
    expect(before).toBe(0);
    const [a, b] = await Promise.all([fetch(url), fetch(url)]);
    expect(a.status, await a.clone().text()).toBe(200);
    expect(b.status).toBe(200);
    const [ba, bb] = [Buffer.from(await a.arrayBuffer()), Buffer.from(await b.arrayBuffer())];
    expect(ba.length).toBeGreaterThan(10_000);
    expect(ba.equals(bb)).toBe(true);
    expect(a.headers.get("content-disposition")).toBe('attachment; filename="lesions-v2-model.onnx"');
    const file = join(d.home, "models", "lesions", "2", "exports", "model.onnx");
    const mtime = statSync(file).mtimeMs;
    // a later request is served from the file, not built again
    expect((await fetch(`${d.url}/api/models/lesions/versions/2/export/onnx`)).status).toBe(200);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect((daemonOutput.match(/model export: building lesions@2 as onnx/g) ?? []).length).toBe(1);
    const sidecar = JSON.parse(readFileSync(`${file}.json`, "utf8"));
    expect(sidecar.classes).toEqual(["melanoma", "nevus", "keratosis", "other"]);
    expect(sidecar.checkpoint).toBe(join(d.home, "models", "lesions", "2", "checkpoint.pt"));

    const parity = await d.cli(["check-onnx", file]);
    expect(parity.code, parity.stderr + parity.stdout).toBe(0);
    expect(parity.stdout).toMatch(/: ok$/m);
    const shown = await d.client.models.get.query({ name: "lesions" });
    expect(shown.versions[1].exports.onnx).toEqual({ built: true, url: "/api/models/lesions/versions/2/export/onnx" });
    expect(shown.versions[0].exports.onnx.built).toBe(false);
  }, 300_000);

  it("downloads a TorchScript export from the CLI", async () => {
    const out = join(d.home, "lesions-1.pt");
    const res = await d.cli(["model", "export", "lesions@1", "--format", "torchscript", "-o", out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe(out);
    expect(sha256(out)).toBe(sha256(join(d.home, "models", "lesions", "1", "exports", "model.torchscript.pt")));
  }, 300_000);

  it("refuses an unknown format, model or version", async () => {
    const format = await fetch(`${d.url}/api/models/lesions/versions/1/export/tflite`);
    expect(format.status).toBe(400);
    expect((await format.json()).error).toBe('export format "tflite": expected onnx or torchscript');
    const model = await fetch(`${d.url}/api/models/lesion/versions/1/export/onnx`);
    expect(model.status).toBe(404);
    expect((await model.json()).error).toBe('no model "lesion"; closest: lesions, other-model');
    const version = await fetch(`${d.url}/api/models/lesions/versions/5/export/onnx`);
    expect(version.status).toBe(404);
    const cli = await d.cli(["model", "export", "lesions@1", "--format", "pickle"]);
    expect(cli.stderr).toContain('export format "pickle": expected onnx or torchscript');
  });
});

describe("a run with registered versions", () => {
  it("cannot be deleted, and the error names the versions", async () => {
    const res = await d.cli(["delete", runId]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`run ${runId} cannot be deleted: it is the lineage of registered model versions lesions@1, lesions@2, other-model@1`);
    await expect(d.client.runs.delete.mutate({ id: runId })).rejects.toThrow("lesions@1, lesions@2, other-model@1");
    expect((await d.client.runs.get.query({ id: runId })).status).toBe("completed");
    expect(statSync(join(d.home, "runs", runId, "checkpoints", "best", "checkpoint.pt")).size).toBeGreaterThan(0);
  });
});
