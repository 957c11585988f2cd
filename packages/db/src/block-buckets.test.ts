import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readGroupBuckets } from "./block-buckets.ts";
import { GROUP_POINTS } from "./block-groups.ts";
import type { BucketedSeries } from "@trainyard/protocol/series";
import { bucketColumns, readBuckets, readSmoothing } from "./chart-queries.ts";
import { groupSeriesBlocks, readSeriesColumns, sealRun, seriesStride, seriesWithoutGroups } from "./metric-blocks.ts";
import { IngestWriter, type MetricPoint } from "./metrics.ts";
import { openStore } from "./open.ts";

const dir = mkdtempSync(join(tmpdir(), "group-buckets-"));
const store = openStore(join(dir, "t.db"));
const { sqlite } = store;
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const LO = -1e18;
const HI = 1e18;

function ingest(runId: string, key: string, steps: number[], value: (s: number, i: number) => number, batch = 500) {
  if (!sqlite.prepare("SELECT 1 FROM runs WHERE id = ?").get(runId)) {
    sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml) VALUES (?, 'x', 'd', '{}', '')").run(runId);
  }
  const pts: MetricPoint[] = steps.map((step, i) => ({ runId, key, step, epoch: Math.floor(i / 3000), phase: null, time: 1.7e9 + i * 0.1 + Math.sin(i) * 0.01, value: value(step, i) }));
  const writer = new IngestWriter(sqlite);
  for (let i = 0; i < pts.length; i += batch) writer.write({ metrics: pts.slice(i, i + batch), events: [], offsets: new Map() });
}

/** Every point bucketed one by one: the reference the group read must equal. */
function reference(runId: string, key: string, from: number, to: number, maxPoints: number): BucketedSeries {
  return bucketColumns(readSeriesColumns(sqlite, runId, key, from, to), from, maxPoints, 0, seriesStride(sqlite, runId, key) * GROUP_POINTS);
}

function expectSame(got: BucketedSeries | null, want: BucketedSeries) {
  expect(got).not.toBeNull();
  const { mean, ...rest } = got!;
  const { mean: wantMean, ...wantRest } = want;
  expect(rest).toEqual(wantRest);
  // per-group sums are added in a different order: equal up to float rounding
  expect(mean.length).toBe(wantMean.length);
  mean.forEach((m, i) => expect(m).toBeCloseTo(wantMean[i], 9));
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const noisy = (s: number, i: number) => Math.exp(-s / 40_000) + 0.1 * Math.sin(i * 12.9898) + (i % 9973 === 0 ? 3 : 0);

describe("chart buckets from group aggregates", () => {
  ingest("even", "loss", range(100_000, (i) => i + 1), noisy);
  sealRun(sqlite, "even");
  ingest("stride", "loss", range(30_000, (i) => 10 + i * 5), noisy);
  ingest("stride", "loss-live", range(30_500, (i) => i * 2), noisy); // not sealed: a running run's tail
  ingest("uneven", "auc", range(20_000, (i) => i * 3 + (i % 3 === 2 ? 1 : 0)), (s) => s / 60_000);
  sealRun(sqlite, "uneven");
  ingest("resumed", "loss", [...range(5_000, (i) => i), ...range(5_000, (i) => 3_000 + i)], noisy);
  sealRun(sqlite, "resumed");

  it("equals bucketing every point, for whole series, zoomed ranges and any bucket count", () => {
    const cases: [string, string, number, number, number][] = [
      ["even", "loss", LO, HI, 400],
      ["even", "loss", LO, HI, 1000],
      ["even", "loss", LO, HI, 37],
      ["even", "loss", 12_345, 80_001, 300], // ends inside blocks and inside groups
      ["stride", "loss", LO, HI, 300],
      ["stride", "loss", 5_000, 90_000, 200],
      ["stride", "loss-live", LO, HI, 400],
      ["uneven", "auc", LO, HI, 400],
      ["uneven", "auc", 1_000, 50_000, 100],
    ];
    for (const [run, key, from, to, maxPoints] of cases) {
      const want = reference(run, key, from, to, maxPoints);
      expect(want.step.length).toBeLessThanOrEqual(maxPoints);
      expectSame(readGroupBuckets(sqlite, run, key, from, to, maxPoints, seriesStride(sqlite, run, key)), want);
      expectSame(readBuckets(sqlite, run, key, { fromStep: from === LO ? undefined : from, toStep: to === HI ? undefined : to, maxPoints }), want);
    }
  });

  it("samples the exact smoothing at the same buckets, bit for bit, from steps and values alone", () => {
    const cases: [string, string, number | undefined, number | undefined, number, number][] = [
      ["even", "loss", undefined, undefined, 400, 0.6],
      ["even", "loss", 12_345, 80_001, 300, 0.99],
      ["even", "loss", 99_990, undefined, 400, 0.9], // fits: one bucket per point
      ["stride", "loss-live", undefined, undefined, 400, 0.8],
      ["uneven", "auc", 1_000, 50_000, 100, 0.5],
      ["resumed", "loss", undefined, undefined, 100, 0.7], // steps go backwards: the sorting read
    ];
    for (const [run, key, fromStep, toStep, maxPoints, smoothing] of cases) {
      const full = readBuckets(sqlite, run, key, { fromStep, toStep, maxPoints, smoothing });
      const got = readSmoothing(sqlite, run, key, { fromStep, toStep, maxPoints, smoothing });
      expect(got.total).toBe(full.total);
      expect(got.smooth).toEqual(full.smooth);
      // and the unsmoothed buckets of the same request line up with it
      expect(readBuckets(sqlite, run, key, { fromStep, toStep, maxPoints }).step).toEqual(full.step);
    }
  });

  it("keeps every spike and rounds bucket widths to whole groups on evenly spaced series", () => {
    const b = readBuckets(sqlite, "even", "loss", { maxPoints: 400 });
    expect(b.step.length).toBeGreaterThan(320); // 250 steps a bucket rounded to 256: 391 buckets
    expect(b.step.length).toBeLessThanOrEqual(400);
    expect(b.step[1] - b.step[0]).toBe(256);
    expect(Math.max(...b.max)).toBeGreaterThan(3);
    expect(b.count.reduce((a, c) => a + c, 0)).toBe(100_000);
  });

  it("builds whole-group buckets without reading the block's points", () => {
    ingest("probe", "loss", range(10_240, (i) => i), noisy);
    sealRun(sqlite, "probe");
    const want = readBuckets(sqlite, "probe", "loss", { maxPoints: 40 });
    // blank the points of a middle block: only its aggregates can have produced the same answer
    sqlite.prepare("UPDATE metric_blocks SET value_data = zeroblob(8192), time_data = zeroblob(8192) WHERE run_id = 'probe' AND seq = 4").run();
    expect(readBuckets(sqlite, "probe", "loss", { maxPoints: 40 })).toEqual(want);
    expect(readSeriesColumns(sqlite, "probe", "loss").value[4 * 1024 + 5]).toBe(0);
  });

  it("falls back to every point when steps go backwards (a resumed run logging again)", () => {
    expect(readGroupBuckets(sqlite, "resumed", "loss", LO, HI, 100, 1)).toBeNull();
    const b = readBuckets(sqlite, "resumed", "loss", { maxPoints: 100 });
    expect(b.total).toBe(10_000);
    expect(b.step).toEqual([...b.step].sort((x, y) => x - y));
  });

  it("reads point by point until old blocks get their aggregates, then from them", () => {
    ingest("old", "loss", range(20_000, (i) => i), noisy);
    sealRun(sqlite, "old");
    const want = reference("old", "loss", LO, HI, 200);
    sqlite.prepare("DELETE FROM metric_groups WHERE run_id = 'old' AND page = 1").run();
    expect(readGroupBuckets(sqlite, "old", "loss", LO, HI, 200, 1)).toBeNull();
    expectSame(readBuckets(sqlite, "old", "loss", { maxPoints: 200 }), want);
    expect(seriesWithoutGroups(sqlite)).toEqual([{ runId: "old", key: "loss" }]);
    expect(groupSeriesBlocks(sqlite, "old", "loss")).toBe(Math.ceil(20_000 / 1024));
    expect(seriesWithoutGroups(sqlite)).toEqual([]);
    expectSame(readGroupBuckets(sqlite, "old", "loss", LO, HI, 200, 1), want);
  });

  it("rebuilds a page from its blocks when new blocks would land after a gap in it", () => {
    ingest("grow", "loss", range(9 * 1024, (i) => i), noisy); // page 0 full, page 1 with one block
    sqlite.prepare("DELETE FROM metric_groups WHERE run_id = 'grow' AND page = 1").run();
    ingest("grow", "loss", range(3 * 1024, (i) => 9 * 1024 + i), noisy, 1024);
    const pages = sqlite.prepare("SELECT page, blocks FROM metric_groups WHERE run_id = 'grow' ORDER BY page").raw().all();
    expect(pages).toEqual([[0, 8], [1, 4]]);
    expectSame(readGroupBuckets(sqlite, "grow", "loss", LO, HI, 100, 1), reference("grow", "loss", LO, HI, 100));
  });
});
