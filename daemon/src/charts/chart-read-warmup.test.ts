import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IngestWriter, openStore, readBuckets, sealRun, type MetricPoint } from "@trainyard/db";
import { encodeSeries } from "@trainyard/protocol/series-wire";
import { ChartReadPool } from "./chart-read-pool.ts";
import { warmChartReads, warmupBudgetMs, warmupJobs } from "./chart-read-warmup.ts";

const dir = mkdtempSync(join(tmpdir(), "chart-warmup-"));
const file = join(dir, "t.db");
const store = openStore(file);
const keys = ["train/loss", "val/auc"];
for (const [id, status, ended] of [["old", "completed", 1000], ["new", "failed", 2000], ["live", "running", null]] as const) {
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status, ended_at) VALUES (?, 'x', 'd', '{}', '', ?, ?)").run(id, status, ended);
  const pts: MetricPoint[] = [];
  for (let s = 0; s < 3000; s++) for (const key of keys) pts.push({ runId: id, key, step: s, epoch: s >> 10, phase: null, time: s / 10, value: Math.cos(s / 30) });
  new IngestWriter(store.sqlite).write({ metrics: pts, events: [], offsets: new Map() });
  sealRun(store.sqlite, id);
}
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("chart-read warm-up", () => {
  it("reads the newest finished runs' series, both kinds of read, never a running run's", () => {
    const jobs = warmupJobs(store.sqlite);
    expect(new Set(jobs.map((j) => j.runId))).toEqual(new Set(["new", "old"]));
    expect(jobs[0].runId).toBe("new"); // newest first
    expect(new Set(jobs.map((j) => `${j.kind} ${j.key}`))).toEqual(new Set(keys.flatMap((k) => [`buckets ${k}`, `smoothing ${k}`])));
    expect(warmupJobs(store.sqlite, 1).filter((j) => j.kind === "smoothing")).toHaveLength(1);
  });

  it("stops at its time budget or when a real read arrives, and can be turned off", async () => {
    expect(await warmChartReads(store.sqlite, 0)).toBe(0);
    expect(await warmChartReads(store.sqlite, 10_000, () => true)).toBe(0);
    let asked = false;
    const running = warmChartReads(store.sqlite, 10_000, () => asked);
    asked = true; // a read came in after the first warm-up read
    expect(await running).toBe(1);
    expect(await warmChartReads(store.sqlite, 10_000)).toBe(warmupJobs(store.sqlite).length);
    expect(warmupBudgetMs({ TRAINYARD_CHART_WARMUP_MS: "0" })).toBe(0);
    expect(warmupBudgetMs({ TRAINYARD_CHART_WARMUP_MS: "-5" })).toBe(warmupBudgetMs({}));
    expect(warmupBudgetMs({})).toBeGreaterThan(0);
  });

  it("runs in each chart-read worker before it reports ready; answers are unchanged", async () => {
    const pool = new ChartReadPool(store.sqlite, file, 1);
    try {
      while (!pool.started) await new Promise((r) => setTimeout(r, 10));
      expect(pool.warmed).toBeGreaterThan(0); // all of them, unless this machine took over 300 ms
      const job = { kind: "buckets" as const, runId: "live", key: "val/auc", opts: { maxPoints: 200 } };
      expect(await pool.read([job])).toEqual([encodeSeries(readBuckets(store.sqlite, "live", "val/auc", job.opts))]);
    } finally {
      await pool.close();
    }
  });
});
