import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readBuckets } from "./chart-queries.ts";
import { BLOCK_POINTS, countPoints, distinctKeys, readSeriesColumns, sealRun, seriesSummary } from "./metric-blocks.ts";
import { IngestWriter, type MetricPoint } from "./metrics.ts";
import { openStore } from "./open.ts";
import { deleteRun } from "./runs.ts";

const dir = mkdtempSync(join(tmpdir(), "blocks-"));
const store = openStore(join(dir, "t.db"));
const { sqlite } = store;
const addRun = (id: string) => sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml) VALUES (?, 'x', 'd', '{}', '')").run(id);
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const point = (runId: string, key: string, step: number, value: number, epoch = Math.floor(step / 700)): MetricPoint => ({
  runId, key, step, epoch, phase: epoch < 2 ? "heads" : "all", time: 1_700_000_000 + step * 0.25, value,
});

/** Writes the points in batches of `batch`, as the ingest of a running trainer does. */
function ingest(points: MetricPoint[], batch: number) {
  const writer = new IngestWriter(sqlite);
  for (let i = 0; i < points.length; i += batch) writer.write({ metrics: points.slice(i, i + batch), events: [], offsets: new Map() });
}

const tailRows = (runId: string, key?: string) =>
  sqlite.prepare(`SELECT COUNT(*) FROM metrics WHERE run_id = ?${key ? " AND key = ?" : ""}`).pluck().get(...(key ? [runId, key] : [runId])) as number;
const blockCount = (runId: string) => sqlite.prepare("SELECT COUNT(*) FROM metric_blocks WHERE run_id = ?").pluck().get(runId) as number;

describe("metric blocks", () => {
  it("seals full blocks during ingest and reads back every point exactly, in step order", () => {
    addRun("a");
    const pts: MetricPoint[] = [];
    for (let s = 0; s < 5000; s++) {
      pts.push(point("a", "train/loss", s * 4, Math.sin(s) * 10 + s / 1e3)); // evenly spaced: stored as start + stride
      if (s % 3 === 0) pts.push(point("a", "val/auc", s * 4 + (s % 7), s / 5000)); // uneven steps: stored as a blob
    }
    ingest(pts, 333);
    expect(tailRows("a", "train/loss")).toBeLessThan(BLOCK_POINTS);
    expect(tailRows("a", "train/loss")).toBe(5000 % BLOCK_POINTS);
    expect(blockCount("a")).toBeGreaterThanOrEqual(Math.floor(5000 / BLOCK_POINTS));
    for (const key of ["train/loss", "val/auc"]) {
      const want = pts.filter((p) => p.key === key);
      const c = readSeriesColumns(sqlite, "a", key);
      expect(c.length).toBe(want.length);
      expect(Array.from(c.step)).toEqual(want.map((p) => p.step));
      expect(Array.from(c.value)).toEqual(want.map((p) => p.value));
      expect(Array.from(c.time)).toEqual(want.map((p) => p.time));
      expect(Array.from(c.epoch)).toEqual(want.map((p) => p.epoch));
    }
    expect(distinctKeys(sqlite, "a")).toEqual(["train/loss", "val/auc"]);
    expect(countPoints(sqlite, "a")).toBe(pts.length);

    sealRun(sqlite, "a");
    expect(tailRows("a")).toBe(0);
    expect(countPoints(sqlite, "a")).toBe(pts.length);
    const c = readSeriesColumns(sqlite, "a", "train/loss");
    expect(Array.from(c.value)).toEqual(pts.filter((p) => p.key === "train/loss").map((p) => p.value));
    expect(distinctKeys(sqlite, "a")).toEqual(["train/loss", "val/auc"]);
  });

  it("clips a range read to the range, across block edges and the tail", () => {
    const c = readSeriesColumns(sqlite, "a", "train/loss", 4000, 4100);
    expect(Array.from(c.step)).toEqual(Array.from({ length: 26 }, (_, i) => 4000 + i * 4));
    expect(readSeriesColumns(sqlite, "a", "train/loss", 1e9).length).toBe(0);
    expect(readSeriesColumns(sqlite, "a", "nope").length).toBe(0);
  });

  it("orders a resumed attempt's repeated steps after the first attempt's, like ORDER BY step, rowid", () => {
    addRun("r");
    const first = Array.from({ length: 1500 }, (_, s) => point("r", "loss", s, 1)); // attempt 1 reaches step 1499
    const second = Array.from({ length: 1000 }, (_, i) => point("r", "loss", 1000 + i, 2)); // resumed from step 1000
    ingest([...first, ...second], 400);
    sealRun(sqlite, "r");
    const c = readSeriesColumns(sqlite, "r", "loss");
    expect(c.length).toBe(2500);
    for (let i = 1; i < c.length; i++) expect(c.step[i]).toBeGreaterThanOrEqual(c.step[i - 1]);
    // at a repeated step the first attempt's value comes first, the resumed one last
    const at1200 = Array.from(c.step).flatMap((s, i) => (s === 1200 ? [c.value[i]] : []));
    expect(at1200).toEqual([1, 2]);
    expect(readBuckets(sqlite, "r", "loss", { maxPoints: 5000 }).last.at(-1)).toBe(2);
  });

  it("summarises last (highest step, newest first) and extremes from block columns and the tail", () => {
    addRun("s");
    const writer = new IngestWriter(sqlite);
    const at = (step: number, value: number) => point("s", "val/auc", step, value);
    writer.write({ metrics: Array.from({ length: 1100 }, (_, i) => at(i, i === 500 ? -3 : 0.5)), events: [], offsets: new Map() });
    // one sealed block (steps 0..1023, holding the minimum) and a tail up to step 1099
    expect(seriesSummary(sqlite, "s", "val/auc")).toEqual({ last: 0.5, lastStep: 1099, min: -3, max: 0.5 });
    // a resumed attempt repeats step 1099 with a new value: the newer one is "last"
    writer.write({ metrics: [at(1099, 0.9)], events: [], offsets: new Map() });
    expect(seriesSummary(sqlite, "s", "val/auc")).toEqual({ last: 0.9, lastStep: 1099, min: -3, max: 0.9 });
    sealRun(sqlite, "s");
    expect(seriesSummary(sqlite, "s", "val/auc")).toEqual({ last: 0.9, lastStep: 1099, min: -3, max: 0.9 });
    expect(seriesSummary(sqlite, "s", "nope")).toBeNull();
  });

  it("keeps the tail readable when ingest and sealing interleave with a crash-style fresh writer", () => {
    addRun("w");
    ingest(Array.from({ length: 900 }, (_, s) => point("w", "k", s, s)), 900);
    // a new writer (a restarted daemon) knows nothing of the counts: it re-counts the tail
    ingest(Array.from({ length: 300 }, (_, s) => point("w", "k", 900 + s, 900 + s)), 300);
    expect(tailRows("w", "k")).toBe(1200 - BLOCK_POINTS);
    expect(Array.from(readSeriesColumns(sqlite, "w", "k").value)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  it("forgets a rolled-back batch, also one that sealed a block", () => {
    addRun("t");
    const writer = new IngestWriter(sqlite);
    const pts = (from: number, n: number, value: number) => Array.from({ length: n }, (_, i) => point("t", "k", from + i, value));
    writer.write({ metrics: pts(0, 600, 1), events: [], offsets: new Map() });
    const failing = sqlite.transaction(() => {
      writer.write({ metrics: pts(600, 700, 666), events: [], offsets: new Map() }); // seals 1,024 points, then...
      throw new Error("boom"); // ...the enclosing batch fails (as applyLines' transaction can)
    });
    expect(() => failing()).toThrow("boom");
    expect(blockCount("t")).toBe(0);
    writer.write({ metrics: pts(600, 600, 2), events: [], offsets: new Map() });
    sealRun(sqlite, "t");
    const c = readSeriesColumns(sqlite, "t", "k");
    expect(Array.from(c.value)).toEqual([...Array(600).fill(1), ...Array(600).fill(2)]);
    expect(Array.from(c.step)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
  });

  it("deletes a run's blocks with the run", () => {
    expect(blockCount("a")).toBeGreaterThan(0);
    deleteRun(store.db, "a");
    expect(blockCount("a")).toBe(0);
    expect(countPoints(sqlite, "a")).toBe(0);
  });

  it("refuses a corrupt block instead of returning shifted values", () => {
    addRun("c");
    ingest(Array.from({ length: BLOCK_POINTS }, (_, s) => point("c", "k", s, s)), BLOCK_POINTS);
    sqlite.prepare("UPDATE metric_blocks SET value_data = zeroblob(10) WHERE run_id = 'c'").run();
    expect(() => readSeriesColumns(sqlite, "c", "k")).toThrow(/corrupt: 10 bytes for 1024 points/);
  });
});
