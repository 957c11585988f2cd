// GPUs through a fake nvidia-smi on PATH (the one edge this machine cannot run): allow-list, exactly the
// assigned GPUs in CUDA_VISIBLE_DEVICES, GPU system metrics on the run, backfill and the reservation.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_TRAINER_ENV, REPO, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

const DEMO = readFileSync(join(REPO, "configs/demo.yaml"), "utf8");
const bin = mkdtempSync(join(tmpdir(), "fake-nvidia-"));
writeFileSync(
  join(bin, "nvidia-smi"),
  `#!/bin/sh
cat <<'CSV'
0, GPU-aaaa-0000, NVIDIA H100 80GB HBM3, 81559, 100, 5
1, GPU-aaaa-1111, NVIDIA H100 80GB HBM3, 81559, 2048, 61
2, GPU-aaaa-2222, NVIDIA H100 80GB HBM3, 81559, 0, 0
3, GPU-aaaa-3333, NVIDIA H100 80GB HBM3, 81559, 4096, 88
CSV
`,
);
chmodSync(join(bin, "nvidia-smi"), 0o755);

let d: DaemonProcess;
beforeAll(async () => {
  d = await startDaemon({
    env: { ...FAKE_TRAINER_ENV, PATH: `${bin}:${process.env.PATH}`, TRAINYARD_GPU_POLL_MS: "200", TRAINYARD_RESERVE_AFTER_MS: "3000" },
    args: ["--gpus", "1,GPU-aaaa-3333"],
  });
  expect((await d.cli(["demo"])).code).toBe(0);
});
afterAll(async () => d?.stop());

const submit = (tags: string[], extra: string[] = []) => d.client.runs.submit.mutate({ yaml: DEMO, overrides: [`tags=${JSON.stringify(tags)}`, ...extra] });
const get = (id: string) => d.client.runs.get.query({ id });
const finished = (id: string) => waitUntil(async () => {
  const r = await get(id);
  return ["completed", "failed", "cancelled"].includes(r.status) && r;
}, 60_000, `run ${id} to finish`);
const logText = async (id: string) => (await d.client.runs.logs.query({ id, limit: 2000 })).map((l) => l.message).join("\n");

describe("GPU slots from nvidia-smi", () => {
  it("offers only the allowed GPUs and hands a run exactly its GPUs", async () => {
    const health = await d.client.system.health.query();
    expect(health.slots.map((s) => s.id)).toEqual(["gpu:1", "gpu:3", "cpu:0"]);
    const two = await submit(["steps=2", "echo_env=1"], ["resources.gpus=2"]);
    expect((await finished(two.id)).slots).toEqual(["gpu:1", "gpu:3"]);
    expect(await logText(two.id)).toContain("CUDA_VISIBLE_DEVICES=1,3 ");
    const one = await submit(["steps=2", "echo_env=1"]);
    await finished(one.id);
    expect(await logText(one.id)).toMatch(/CUDA_VISIBLE_DEVICES=(1|3) /);
    await expect(submit([], ["resources.gpus=3"])).rejects.toThrow(/resources\.gpus: 3 GPUs requested, but this daemon may use 2 \(gpu:1, gpu:3\)/);
  });

  it("stores each GPU's utilisation and memory as system metrics of the run holding it", async () => {
    const r = await submit(["steps=40", "interval=50"]);
    await finished(r.id);
    const keys = await d.client.runs.metricKeys.query({ id: r.id });
    const gpu = keys.find((k) => /^system\/gpu[13]\/util$/.test(k));
    expect(gpu, keys.join(", ")).toBeTruthy();
    const series = await d.client.runs.series.query({ id: r.id, keys: [gpu!, gpu!.replace("util", "mem")] });
    expect(series[gpu!][0].value).toBe(gpu!.includes("gpu1") ? 61 : 88);
    expect(series[gpu!.replace("util", "mem")][0].value).toBe(gpu!.includes("gpu1") ? 2048 : 4096);
  });

  it("backfills a 1-GPU run past a young 2-GPU run, and holds GPUs for it once it has waited", async () => {
    const first = await submit(["steps=160", "interval=50"]); // 8 s on one GPU
    await waitUntil(async () => (await get(first.id)).status === "running", 30_000, "first running");
    const big = await submit(["steps=2"], ["resources.gpus=2"]);
    const small1 = await submit(["steps=20", "interval=50"]);
    await waitUntil(async () => (await get(small1.id)).status !== "queued", 30_000, "small1 to backfill");
    expect((await get(big.id)).status).toBe("queued");
    await new Promise((r) => setTimeout(r, 3500)); // big has now waited past TRAINYARD_RESERVE_AFTER_MS
    const small2 = await submit(["steps=2"]);
    await new Promise((r) => setTimeout(r, 1500)); // small1 is done by now: one GPU is free
    const s2 = await get(small2.id);
    expect(s2.status).toBe("queued");
    expect(s2.queue?.reason).toMatch(new RegExp(`held for ${big.id}`));
    expect((await get(big.id)).queue?.reason).toMatch(/held for it/);
    const [rb, rs2] = [await finished(big.id), await finished(small2.id)];
    expect(rb.startedAt!).toBeLessThanOrEqual(rs2.startedAt!);
    expect((await get(small1.id)).startedAt!).toBeLessThan(rb.startedAt!);
    await finished(first.id);
  });

  it("runs a run that asks for no GPU on a CPU slot, beside GPU runs, never on a GPU", async () => {
    const gpuRun = await submit(["steps=120", "interval=50"], ["resources.gpus=2"]); // holds both GPUs for 6 s
    await waitUntil(async () => (await get(gpuRun.id)).status === "running", 30_000, "the 2-GPU run running");
    const cpuRun = await submit(["steps=2", "echo_env=1"], ["resources.gpus=0"]);
    const done = await finished(cpuRun.id);
    expect(done.status).toBe("completed");
    expect(done.slots).toEqual(["cpu:0"]);
    expect(await logText(cpuRun.id)).toMatch(/CUDA_VISIBLE_DEVICES= /); // no GPU visible to it
    expect((await get(gpuRun.id)).status).toBe("running"); // it did not wait for the GPUs
    // a second CPU run queues for the CPU slot, not for a GPU
    const busy = await submit(["steps=60", "interval=50"], ["resources.gpus=0"]);
    await waitUntil(async () => (await get(busy.id)).status === "running", 30_000, "the CPU run running");
    const next = await submit(["steps=2"], ["resources.gpus=0"]);
    await waitUntil(async () => (await get(next.id)).queue?.reason !== undefined, 10_000, "a queue reason");
    expect((await get(next.id)).queue?.reason).toMatch(/waiting for 1 CPU slot \(0 CPU slots free\)/);
    await Promise.all([finished(gpuRun.id), finished(busy.id), finished(next.id)]);
  });
});

describe("a GPU machine with no CPU slot (--cpu-slots 0)", () => {
  it("refuses a run that asks for no GPU, saying how to allow it", async () => {
    const gpuOnly = await startDaemon({ env: { ...FAKE_TRAINER_ENV, PATH: `${bin}:${process.env.PATH}` }, args: ["--gpus", "1", "--cpu-slots", "0"] });
    try {
      expect((await gpuOnly.client.system.health.query()).slots.map((s) => s.id)).toEqual(["gpu:1"]);
      expect((await gpuOnly.cli(["demo"])).code).toBe(0);
      await expect(gpuOnly.client.runs.submit.mutate({ yaml: DEMO, overrides: ["resources.gpus=0"] })).rejects.toThrow(/resources\.gpus: 0 GPUs requested, but this daemon has no CPU slot.*--cpu-slots 1/);
    } finally {
      await gpuOnly.stop();
    }
  });
});
