// Prediction latency through the daemon: p50 / p95 of one 224 px image POSTed to /api/predict (decode, metadata,
// onnxruntime-node, JSON answer, all over HTTP) for a ResNet-50 Gen2A (pretrained: none, with metadata), and the
// ratio against the same model's forward pass in PyTorch in the trainer's interpreter on the same input (the
// image cache row training reads; bench/predict/torch_reference.py). The target: p95 under 100 ms.
//   npx tsx bench/predict/predict-latency.ts [requests]
// The checkpoint comes from a one-batch demo run at 224 px on a tenth of the demo (its weights do not matter for the timing); its ONNX
// export is built on the first request, which is not timed.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import sharp from "sharp";
import { decodeNpyInts, readCacheIndex, readDatasetTable } from "@trainyard/data";
import { REPO, startDaemon } from "../../daemon/test/daemon-process.ts";

const REQUESTS = Number(process.argv[2] ?? 60);
const SIZE = 224;
const home = mkdtempSync(join(tmpdir(), "trainyard-bench-predict-"));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const d = await startDaemon({ home });
try {
  if ((await d.cli(["demo"])).code !== 0) throw new Error("demo import failed");
  const overrides = [
    `dataset.image_size=${SIZE}`, "dataset.subsample.fraction=0.1", "model.backbone=resnet50", "model.pretrained=none", "model.image_head=256",
    "training.batch_size=8", "training.phases.0.epochs=1", "training.phases.1.epochs=1", "training.phases.1.warmup_epochs=0",
    "training.limit_train_batches=1", "training.limit_val_batches=1",
  ];
  const t0 = Date.now();
  const res = await d.cli(["run", "configs/demo.yaml", ...overrides, "--wait", "--json"]);
  if (res.code !== 0) throw new Error(`the ResNet-50 run failed:\n${res.stderr.slice(-2000)}`);
  const run = JSON.parse(res.stdout);
  console.log(`ResNet-50 Gen2A checkpoint from a one-batch demo run at ${SIZE} px: ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  // one demo image at 224 px (the cache holds it at that size: the daemon's resize and the cache's are the same)
  const table = readDatasetTable(join(home, "datasets", "demo"));
  const cacheDir = join(home, "cache", "demo", String(SIZE));
  const index = readCacheIndex(cacheDir)!;
  const runRows = decodeNpyInts(readFileSync(join(home, "runs", run.id, "rows.npy")));
  const tableRow = index.rows.findIndex((r) => runRows.includes(r));
  const source = readFileSync(join(home, "demo-source", "images", table.imagePaths[tableRow]));
  const image = await sharp(source).resize(SIZE, SIZE, { kernel: "linear" }).png().toBuffer();
  const spec = JSON.parse(readFileSync(join(home, "runs", run.id, "spec.json"), "utf8"));
  const metadata = Object.fromEntries((spec.data.metadata_encoder.features as { name: string; kind: string; categories?: string[] }[]).map((f) =>
    [f.name, f.kind === "continuous" ? 50 : f.kind === "boolean" ? true : f.categories?.[0] ?? null]));
  const url = `${d.url}/api/predict?${new URLSearchParams({ target: run.id, metadata: JSON.stringify(metadata) })}`;
  const once = async () => {
    const t = performance.now();
    const r = await fetch(url, { method: "POST", headers: { "content-type": "image/png" }, body: new Blob([image]) });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error);
    return { ms: performance.now() - t, model: body.ms.model as number };
  };
  const t1 = Date.now();
  await once(); // builds the ONNX export and the session
  console.log(`first request (ONNX export on demand + session): ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  for (let i = 0; i < 5; i++) await once();
  const wall: number[] = [], model: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const r = await once();
    wall.push(r.ms);
    model.push(r.model);
  }

  const py = JSON.parse(execFileSync("/usr/bin/python3", [
    join(REPO, "bench/predict/torch_reference.py"), join(home, "runs", run.id, "checkpoints", "best", "checkpoint.pt"),
    join(cacheDir, "images.u8"), String(SIZE), String(index.rows[tableRow]), join(home, "runs", run.id, "metadata.npy"), String(runRows.indexOf(index.rows[tableRow])),
    "--time", String(Math.max(20, Math.round(REQUESTS / 2))), "--threads", String(availableParallelism()),
  ], { env: { ...process.env, PYTHONPATH: join(REPO, "packages/trainer") }, encoding: "utf8", maxBuffer: 16 << 20 }));
  const torchMs: number[] = py.ms.slice(3);

  const f = (x: number) => x.toFixed(1).padStart(7);
  // the cores are shared with whatever else runs here: the load says how much of them this bench had
  console.log(`\n${REQUESTS} requests of one ${SIZE}x${SIZE} PNG, ResNet-50 Gen2A with metadata, ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)}`);
  console.log(`                                   p50 ms  p95 ms`);
  console.log(`daemon POST /api/predict (HTTP)   ${f(quantile(wall, 0.5))} ${f(quantile(wall, 0.95))}`);
  console.log(`  of which onnxruntime-node run   ${f(quantile(model, 0.5))} ${f(quantile(model, 0.95))}`);
  console.log(`PyTorch forward in Python (${py.threads} thr) ${f(quantile(torchMs, 0.5))} ${f(quantile(torchMs, 0.95))}`);
  console.log(`ratio daemon / PyTorch (p50)       ${(quantile(wall, 0.5) / quantile(torchMs, 0.5)).toFixed(2)}x`);
  console.log(`target p95 < 100 ms: ${quantile(wall, 0.95) < 100 ? "met" : "NOT met"} (${quantile(wall, 0.95).toFixed(1)} ms)`);
} finally {
  await d.stop();
  rmSync(home, { recursive: true, force: true });
}
