import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IngestWriter, openStore, readBuckets, readSmoothing, sealRun, type MetricPoint } from "@trainyard/db";
import { ChartReadPool, defaultChartThreads } from "./chart-read-pool.ts";
import type { ChartReadJob } from "./chart-read-jobs.ts";
import { decodeSeries, encodeSeries, encodeSmoothing, type WireSeries } from "@trainyard/protocol/series-wire";

const dir = mkdtempSync(join(tmpdir(), "chart-pool-"));
const file = join(dir, "t.db");
const store = openStore(file);
const runs = ["a", "b", "c"];
const keys = ["train/loss", "val/auc"];
for (const id of runs) {
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml) VALUES (?, 'x', 'd', '{}', '')").run(id);
  const pts: MetricPoint[] = [];
  for (let s = 0; s < 5000; s++) for (const key of keys) pts.push({ runId: id, key, step: s, epoch: s >> 10, phase: null, time: s / 10, value: Math.sin(s / 40 + id.charCodeAt(0)) + (s === 1234 ? 9 : 0) });
  new IngestWriter(store.sqlite).write({ metrics: pts, events: [], offsets: new Map() });
  if (id !== "c") sealRun(store.sqlite, id); // "c" keeps an unsealed tail, like a running run
}
const jobs: ChartReadJob[] = runs.flatMap((runId) => keys.map((key) => ({ kind: "buckets" as const, runId, key, opts: { maxPoints: 300 } })));
const smoothJobs: ChartReadJob[] = jobs.map((j) => ({ ...j, kind: "smoothing", opts: { maxPoints: 300, smoothing: 0.8 } }));
const here = (js: ChartReadJob[]) =>
  js.map((j) => (j.kind === "buckets" ? encodeSeries(readBuckets(store.sqlite, j.runId, j.key, j.opts)) : encodeSmoothing(readSmoothing(store.sqlite, j.runId, j.key, j.opts))));
const pools: ChartReadPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("chart-read pool", () => {
  it("answers on worker threads exactly what an in-process read answers, in job order", async () => {
    const pool = new ChartReadPool(store.sqlite, file, 2);
    pools.push(pool);
    const got = await pool.read(jobs);
    expect(got).toEqual(here(jobs));
    expect(Math.max(...decodeSeries(got[0] as WireSeries).max)).toBeGreaterThan(9); // the spike survived
    expect(await pool.read(smoothJobs)).toEqual(here(smoothJobs));
    expect(pool.served).toEqual({ workers: 2 * jobs.length, local: 0 });
  });

  it("serves the buckets a page paints first before a smoothing read queued earlier", async () => {
    const pool = new ChartReadPool(store.sqlite, file, 1);
    pools.push(pool);
    while (!pool.started) await new Promise((r) => setTimeout(r, 10));
    const done: string[] = [];
    const slow = pool.read(Array.from({ length: 160 }, (_, i) => smoothJobs[i % smoothJobs.length])).then(() => done.push("smoothing"));
    const fast = pool.read(jobs, { priority: 1 }).then(() => done.push("buckets"));
    await Promise.all([slow, fast]);
    expect(done).toEqual(["buckets", "smoothing"]);
  });

  it("sees points committed after it started (its connections read the live store)", async () => {
    const pool = new ChartReadPool(store.sqlite, file, 1);
    pools.push(pool);
    const before = ((await pool.read(jobs.slice(4, 6)))[0] as WireSeries).total;
    new IngestWriter(store.sqlite).write({ metrics: [{ runId: "c", key: "train/loss", step: 6000, epoch: 5, phase: null, time: 600, value: 1 }], events: [], offsets: new Map() });
    expect(((await pool.read(jobs.slice(4, 6)))[0] as WireSeries).total).toBe(before + 1);
  });

  it("stops a read whose caller gave up", async () => {
    const pool = new ChartReadPool(store.sqlite, file, 1);
    pools.push(pool);
    const many = Array.from({ length: 200 }, (_, i) => jobs[i % jobs.length]);
    const abort = new AbortController();
    const reading = pool.read(many, { signal: abort.signal });
    setTimeout(() => abort.abort(new Error("the browser went away")), 5);
    await expect(reading).rejects.toThrow("the browser went away");
    expect(pool.served.workers).toBeLessThan(many.length);
  });

  it("reads in-process when its workers are gone", async () => {
    const pool = new ChartReadPool(store.sqlite, file, 2);
    await pool.close();
    expect(await pool.read(jobs)).toEqual(here(jobs));
    expect(pool.served).toEqual({ workers: 0, local: jobs.length });
  });

  it("falls back to this thread when a worker cannot open the store, instead of hanging", async () => {
    const pool = new ChartReadPool(store.sqlite, join(dir, "missing", "t.db"), 1);
    pools.push(pool);
    // the worker cannot open its store and exits; the read falls back to this thread, which answers
    expect(await pool.read(jobs.slice(0, 2))).toEqual(here(jobs.slice(0, 2)));
    expect(pool.served).toEqual({ workers: 0, local: 2 });
  });

  it("sizes itself from TRAINYARD_CHART_THREADS, else one core fewer than the machine has, 1 to 4", () => {
    expect(defaultChartThreads({ TRAINYARD_CHART_THREADS: "0" })).toBe(0);
    expect(defaultChartThreads({ TRAINYARD_CHART_THREADS: "3" })).toBe(3);
    expect(defaultChartThreads({ TRAINYARD_CHART_THREADS: "x" })).toBeGreaterThanOrEqual(1);
    expect(defaultChartThreads({}, 2)).toBe(1);
    expect(defaultChartThreads({}, 1)).toBe(1);
    expect(defaultChartThreads({}, 4)).toBe(3);
    expect(defaultChartThreads({}, 64)).toBe(4);
  });
});
