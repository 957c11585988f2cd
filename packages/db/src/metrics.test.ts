import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IngestWriter, readSeries, type MetricPoint } from "./metrics.ts";
import { openStore } from "./open.ts";

const dir = mkdtempSync(join(tmpdir(), "series-"));
const store = openStore(join(dir, "t.db"));
store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml) VALUES ('r', 'x', 'd', '{}', '')").run();
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const N = 100_000;
const pts: MetricPoint[] = Array.from({ length: N }, (_, i) => ({ runId: "r", key: "loss", step: i, epoch: 1, phase: null, time: i, value: Math.sin(i / 100) }));
pts[12_345].value = 50; // one spike up
pts[87_654].value = -50; // one spike down
new IngestWriter(store.sqlite).write({ metrics: pts, events: [], offsets: new Map() });

describe("readSeries downsampling", () => {
  it("returns at most maxPoints buckets over the whole range and keeps both extremes and the last point", () => {
    const s = readSeries(store.sqlite, "r", "loss", { maxPoints: 100 });
    expect(s.length).toBeLessThanOrEqual(100);
    expect(Math.max(...s.map((p) => p.max))).toBe(50);
    expect(Math.min(...s.map((p) => p.min))).toBe(-50);
    expect(s.at(-1)).toMatchObject({ step: N - 1, value: pts[N - 1].value });
    // buckets are rounded up to whole 32-point groups (bucketWidth): at most a fifth wider than N / 100
    expect(s[0].step).toBeLessThan((N / 100) * 1.25);
    expect(s.length).toBeGreaterThanOrEqual(80);
  });
  it("keeps extremes in a narrow range too, and returns raw points when they fit", () => {
    const s = readSeries(store.sqlite, "r", "loss", { maxPoints: 10, fromStep: 12_000, toStep: 13_000 });
    expect(s.length).toBeLessThanOrEqual(10);
    expect(Math.max(...s.map((p) => p.max))).toBe(50);
    expect(s.every((p) => p.step >= 12_000 && p.step <= 13_000)).toBe(true);
    const raw = readSeries(store.sqlite, "r", "loss", { maxPoints: 1000, fromStep: 0, toStep: 9 });
    expect(raw.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it("answers an empty range with no points", () => {
    expect(readSeries(store.sqlite, "r", "loss", { fromStep: N + 5 })).toEqual([]);
    expect(readSeries(store.sqlite, "r", "nope")).toEqual([]);
  });
});
