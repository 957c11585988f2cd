// Predictions through the real daemon, CLI and trainer: a short demo run's best checkpoint is exported to ONNX
// on demand, `trainyard predict` and POST /api/predict answer from it through onnxruntime-node, and the answer
// equals the trainer's PyTorch output on the same image as training reads it (its image cache row and encoded
// metadata row) within 1e-4. Every bad input is refused with a message saying what is wrong.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeNpyInts, readCacheIndex, readDatasetTable, type MetadataEncoder } from "@trainyard/data";
import type { Prediction } from "@trainyard/protocol";
import { REPO, startDaemon, type DaemonProcess } from "./daemon-process.ts";

const MAX_BYTES = 2 * 1024 * 1024;
let d: DaemonProcess;
let runId: string;

beforeAll(async () => {
  d = await startDaemon({ env: { TRAINYARD_PREDICT_MAX_BYTES: String(MAX_BYTES) } });
  const demo = await d.cli(["demo"]);
  expect(demo.code, demo.stderr).toBe(0);
  const res = await d.cli(["run", "configs/demo.yaml", "training.phases.0.epochs=1", "training.phases.1.epochs=1", "--wait", "--json"]);
  expect(res.code, res.stderr.slice(-3000)).toBe(0);
  const run = JSON.parse(res.stdout);
  expect(run.status).toBe("completed");
  runId = run.id;
}, 600_000);
afterAll(async () => d?.stop());

async function post(query: Record<string, string>, body: Uint8Array, type = "application/octet-stream") {
  const res = await fetch(`${d.url}/api/predict?${new URLSearchParams(query)}`, { method: "POST", headers: { "content-type": type }, body: new Blob([body as Uint8Array<ArrayBuffer>]) });
  return { status: res.status, body: (await res.json()) as Prediction & { error?: string } };
}

/** A demo image as training saw it: its source file, manifest values, cache row and run row. */
function demoSample(k: number) {
  const table = readDatasetTable(join(d.home, "datasets", "demo"));
  const cacheDir = join(d.home, "cache", "demo", "64");
  const index = readCacheIndex(cacheDir)!;
  const runRows = decodeNpyInts(readFileSync(join(d.home, "runs", runId, "rows.npy")));
  const spec = JSON.parse(readFileSync(join(d.home, "runs", runId, "spec.json"), "utf8"));
  const encoder = spec.data.metadata_encoder as MetadataEncoder;
  const tableRow = runRows.indexOf(index.rows[k]) >= 0 ? k : index.rows.findIndex((r) => runRows.includes(r));
  const cacheRow = index.rows[tableRow];
  const manifest = readFileSync(join(d.home, "demo-source", "manifest.csv"), "utf8").trim().split("\n").map((l) => l.split(","));
  const header = manifest[0];
  const line = manifest.find((r) => r[0] === table.imageIds[tableRow])!;
  const metadata = Object.fromEntries(encoder.features.map((f) => [f.name, line[header.indexOf(f.name)]]));
  return { file: join(d.home, "demo-source", "images", table.imagePaths[tableRow]), cache: join(cacheDir, "images.u8"), cacheRow, runRow: runRows.indexOf(cacheRow), metadata, encoder };
}

function torchReference(args: string[]): Promise<number[]> {
  return new Promise((resolve, reject) =>
    execFile("/usr/bin/python3", [join(REPO, "bench/predict/torch_reference.py"), ...args], { env: { ...process.env, PYTHONPATH: join(REPO, "packages/trainer") }, timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout).outputs[0][0])),
  );
}

describe("predict from a run's best checkpoint", () => {
  it("equals the trainer's PyTorch output on the same image within 1e-4, exported on demand", async () => {
    const onnx = join(d.home, "runs", runId, "exports", "model.onnx");
    expect(existsSync(onnx)).toBe(false); // the demo config exports nothing at the run's end
    for (const k of [0, 7, 23]) {
      const s = demoSample(k);
      const { status, body } = await post({ target: runId, metadata: JSON.stringify(s.metadata) }, readFileSync(s.file));
      expect(status, body.error).toBe(200);
      expect(body.result.kind).toBe("probabilities");
      if (body.result.kind !== "probabilities") return;
      const expected = await torchReference([join(d.home, "runs", runId, "checkpoints", "best", "checkpoint.pt"), s.cache, "64", String(s.cacheRow), join(d.home, "runs", runId, "metadata.npy"), String(s.runRow)]);
      expect(body.result.probabilities.map((p) => p.label)).toEqual(body.target.classes);
      const got = body.result.probabilities.map((p) => p.probability);
      expect(got).toHaveLength(expected.length);
      const diff = Math.max(...got.map((g, i) => Math.abs(g - expected[i])));
      expect(diff, `image ${s.file}: ${JSON.stringify(got)} vs PyTorch ${JSON.stringify(expected)}`).toBeLessThanOrEqual(1e-4);
      // the metadata counts: the same image with every field missing answers otherwise
      const bare = await post({ target: runId }, readFileSync(s.file));
      expect(bare.status).toBe(200);
      expect(bare.body.missing.sort()).toEqual(s.encoder.features.map((f) => f.name).sort());
    }
    expect(existsSync(onnx)).toBe(true);
  }, 300_000);

  it("trainyard predict prints the bars, or the JSON answer", async () => {
    const s = demoSample(3);
    const meta = Object.entries(s.metadata).filter(([, v]) => v !== "").map(([k, v]) => `--meta=${k}=${v}`);
    const text = await d.cli(["predict", `${runId}:best`, s.file, ...meta]);
    expect(text.code, text.stderr).toBe(0);
    const classes = JSON.parse((await d.cli(["show", runId, "--json"])).stdout).classes as string[];
    for (const c of classes) expect(text.stdout).toMatch(new RegExp(`^  ${c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +[█·]{30} +\\d+\\.\\d%$`, "m"));
    const json = await d.cli(["predict", runId, s.file, ...meta, "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const p = JSON.parse(json.stdout) as Prediction;
    expect(p.target.ref).toBe(`${runId}:best`);
    expect(p.target.fields.map((f) => f.name).sort()).toEqual(s.encoder.features.map((f) => f.name).sort());
  }, 120_000);

  it("GET /api/predict/target describes the metadata fields the form shows", async () => {
    const res = await fetch(`${d.url}/api/predict/target?target=${runId}`);
    expect(res.status).toBe(200);
    const info = await res.json();
    const s = demoSample(0);
    for (const f of s.encoder.features) {
      const field = info.fields.find((x: { name: string }) => x.name === f.name);
      expect(field?.kind, f.name).toBe(f.kind);
      if (f.kind === "categorical") expect(field.choices).toEqual(f.categories);
    }
  });
});

describe("predict from a registered model version", () => {
  it("M@ALIAS answers as the run's checkpoint it was registered from; unknown names and aliases list the closest", async () => {
    const reg = await d.cli(["model", "register", runId, "--name", "demo-lesions"]);
    expect(reg.code, reg.stderr).toBe(0);
    const alias = await d.cli(["model", "alias", "demo-lesions", "1", "production"]);
    expect(alias.code, alias.stderr).toBe(0);
    const s = demoSample(5);
    const image = readFileSync(s.file);
    const metadata = JSON.stringify(s.metadata);
    const fromRun = await post({ target: runId, metadata }, image);
    for (const target of ["demo-lesions@production", "demo-lesions@1", "demo-lesions"]) {
      const fromModel = await post({ target, metadata }, image);
      expect(fromModel.status, fromModel.body.error).toBe(200);
      expect(fromModel.body.target.ref).toBe("demo-lesions@1");
      if (fromModel.body.result.kind !== "probabilities" || fromRun.body.result.kind !== "probabilities") throw new Error("expected probabilities");
      const run = fromRun.body.result.probabilities;
      fromModel.body.result.probabilities.forEach((p, i) => expect(p.probability).toBeCloseTo(run[i].probability, 6));
    }
    const cli = await d.cli(["predict", "demo-lesions@production", s.file, "--json"]);
    expect(cli.code, cli.stderr).toBe(0);
    const typo = await post({ target: "demo-lesion" }, image);
    expect(typo.status).toBe(404);
    expect(typo.body.error).toContain("closest: demo-lesions");
    const badAlias = await post({ target: "demo-lesions@prodution" }, image);
    expect(badAlias.status).toBe(404);
    expect(badAlias.body.error).toContain("closest: production");
  }, 300_000);
});

describe("bad input", () => {
  const png = () => sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 90, g: 40, b: 30 } } }).png().toBuffer();

  it("refuses what is not an image, 0 bytes, a truncated PNG and an upload over the limit", async () => {
    const text = await post({ target: runId }, new TextEncoder().encode("patient_id,age\n1,54\n"));
    expect(text.status).toBe(415);
    expect(text.body.error).toMatch(/not a PNG or JPEG/);
    const empty = await post({ target: runId }, new Uint8Array(0));
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatch(/empty \(0 bytes\)/);
    const good = await png();
    const truncated = await post({ target: runId }, good.subarray(0, 40));
    expect(truncated.status).toBe(415);
    expect(truncated.body.error).toMatch(/cannot be decoded/);
    const big = new Uint8Array(MAX_BYTES + 1);
    big.set(good);
    const over = await post({ target: runId }, big);
    expect(over.status).toBe(413);
    expect(over.body.error).toMatch(/over the 2097152-byte limit/);
    const cli = await d.cli(["predict", runId, join(REPO, "package.json")]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/415: the upload is not a PNG or JPEG/);
  });

  it("refuses a decompression bomb: a small PNG declaring huge dimensions", async () => {
    // a real 1x1 PNG whose header says 60000 x 60000: refused from the header, nothing decoded
    const bomb = Buffer.from(await png());
    bomb.writeUInt32BE(60_000, 16);
    bomb.writeUInt32BE(60_000, 20);
    expect(bomb.length).toBeLessThan(1000);
    const res = await post({ target: runId }, bomb);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/declares 60000x60000 pixels .* over the 50,000,000-pixel limit/);
    // a genuinely large image (8000 x 8000 of one colour compresses to a few KB) is refused the same way
    const real = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: "#000" } }).png({ compressionLevel: 9 }).toBuffer();
    expect(real.length).toBeLessThan(MAX_BYTES);
    const big = await post({ target: runId }, real);
    expect(big.status).toBe(413);
  });

  it("refuses metadata of the wrong kind, naming the field and the kind it takes", async () => {
    const image = await png();
    const s = demoSample(0);
    const cont = s.encoder.features.find((f) => f.kind === "continuous")!;
    const wrong = await post({ target: runId, metadata: JSON.stringify({ [cont.name]: "old" }) }, image);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe(`metadata field "${cont.name}" is continuous: expected a number, got "old"`);
    const cat = s.encoder.features.find((f) => f.kind === "categorical");
    if (cat && cat.kind === "categorical") {
      const bad = await post({ target: runId, metadata: JSON.stringify({ [cat.name]: "elbow" }) }, image);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain(`metadata field "${cat.name}" is categorical: expected one of ${cat.categories.map((c) => `"${c}"`).join(", ")}`);
    }
    const unknown = await post({ target: runId, metadata: JSON.stringify({ weight: 70 }) }, image);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/unknown metadata field "weight"; the model takes /);
    const notJson = await post({ target: runId, metadata: "age=54" }, image);
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/metadata is not JSON/);
  });

  it("refuses an unknown target with the closest names, and an unknown checkpoint with the run's own", async () => {
    const image = await png();
    const typo = runId.slice(0, -1) + (runId.endsWith("x") ? "y" : "x");
    const res = await post({ target: typo }, image);
    expect(res.status).toBe(404);
    // the run first; then other names (the model registered above)
    expect(res.body.error).toMatch(new RegExp(`^no run or registered model "${typo}"; closest: ${runId}(, |$)`));
    const ckpt = await post({ target: `${runId}:epoch-99` }, image);
    expect(ckpt.status).toBe(404);
    expect(ckpt.body.error).toMatch(new RegExp(`run ${runId} has no checkpoint "epoch-99"; its checkpoints: .*best`));
    const cli = await d.cli(["predict", typo, join(d.home, "demo-source", "images", readDatasetTable(join(d.home, "datasets", "demo")).imagePaths[0])]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain(`closest: ${runId}`);
  });

  it("refuses a form post (another site could send one without asking) and a GET", async () => {
    const form = await fetch(`${d.url}/api/predict?target=${runId}`, { method: "POST", headers: { "content-type": "multipart/form-data; boundary=x" }, body: "--x--" });
    expect(form.status).toBe(415);
    expect((await form.json()).error).toMatch(/expected the image itself as the body/);
    const get = await fetch(`${d.url}/api/predict?target=${runId}`);
    expect(get.status).toBe(405);
  });
});
