import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smoothTensorBoard } from "../../../apps/web/lib/smoothing.ts";
import { pageRuns, queuePositions, readBuckets, readCurves, listCurveEvaluations, summarizeMetrics } from "./chart-queries.ts";
import { openStore, type Store } from "./open.ts";
import { insertRun } from "./runs.ts";

let dir: string;
let store: Store;
const values = Array.from({ length: 5000 }, (_, i) => (i === 2345 ? 50 : Math.cos(i / 50) + (i % 7) / 10));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "chart-queries-"));
  store = openStore(join(dir, "t.db"));
  const mk = (id: string, name: string, status: string, extra: object = {}) =>
    insertRun(store.db, { id, name, status, datasetName: "derm", config: { tags: id === "r1" ? ["sweep"] : [], dataset: { labels: { set: "common25" } } }, configYaml: "", ...extra });
  mk("r1", "alpha-resnet", "completed", { bestValue: 0.9, createdAt: 1 });
  mk("r2", "beta-effnet", "queued", { priority: 10, createdAt: 2 });
  mk("r3", "gamma-resnet", "queued", { priority: 90, createdAt: 3 });
  const ins = store.sqlite.prepare("INSERT INTO metrics (run_id, key, step, epoch, phase, time, value) VALUES ('r1', 'train/loss', ?, ?, NULL, ?, ?)");
  store.sqlite.transaction(() => values.forEach((v, i) => ins.run(i + 1, 1 + Math.floor(i / 1000), 1000 + i, v)))();
  store.sqlite.prepare("INSERT INTO metrics (run_id, key, step, epoch, phase, time, value) VALUES ('r1', 'val/auc_macro', 10, 1, NULL, 1, 0.7), ('r1', 'val/auc_macro', 20, 2, NULL, 2, 0.8), ('r1', 'val/auc_macro', 30, 3, NULL, 3, 0.75)").run();
  const ev = store.sqlite.prepare("INSERT INTO run_events (run_id, type, payload, time) VALUES ('r1', 'curve', ?, 0)");
  for (const epoch of [1, 2]) for (const kind of ["roc", "pr"]) ev.run(JSON.stringify({ split: "val", epoch, kind, class: "mel", step: epoch * 10, points: [[0, 0], [1, epoch / 2]] }));
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("readBuckets", () => {
  it("returns at most maxPoints buckets that keep the spike and count every point", () => {
    const b = readBuckets(store.sqlite, "r1", "train/loss", { maxPoints: 100 });
    expect(b.step.length).toBeLessThanOrEqual(100);
    expect(Math.max(...b.max)).toBe(50);
    expect(b.count.reduce((a, c) => a + c, 0)).toBe(5000);
    expect(b.total).toBe(5000);
    expect(b.smooth).toBeNull();
  });

  it("smooths over every stored point: equals TensorBoard's EMA of the full series at each bucket's last step", () => {
    const full = smoothTensorBoard(values.map((y, i) => ({ x: i + 1, y })), 0.95);
    const b = readBuckets(store.sqlite, "r1", "train/loss", { maxPoints: 100, smoothing: 0.95 });
    b.step.forEach((step, i) => expect(b.smooth![i]).toBeCloseTo(full[step - 1].y, 9));
  });

  it("a zoomed range keeps the EMA of everything before it", () => {
    const full = smoothTensorBoard(values.map((y, i) => ({ x: i + 1, y })), 0.9);
    const b = readBuckets(store.sqlite, "r1", "train/loss", { fromStep: 4000, toStep: 4010, smoothing: 0.9 });
    expect(b.step[0]).toBe(4000);
    expect(b.smooth![0]).toBeCloseTo(full[3999].y, 9);
    expect(b.last).toEqual(values.slice(3999, 4010));
  });
});

describe("summaries, curves, csv", () => {
  it("summarizes last and extremes of val/ keys only", () => {
    expect(summarizeMetrics(store.sqlite, "r1", ["val/"])).toEqual({ "val/auc_macro": { last: 0.75, lastStep: 30, min: 0.7, max: 0.8 } });
  });
  it("lists curve evaluations and reads one", () => {
    expect(listCurveEvaluations(store.sqlite, "r1").map((e) => [e.split, e.epoch, e.classes])).toEqual([["val", 1, ["mel"]], ["val", 2, ["mel"]]]);
    const curves = readCurves(store.sqlite, "r1", "val", 2);
    expect(curves.map((c) => c.kind).sort()).toEqual(["pr", "roc"]);
    expect(curves[0].points[1]).toEqual([1, 1]);
  });
});

describe("pageRuns", () => {
  it("filters by text, regex, status and tag", () => {
    expect(pageRuns(store.sqlite, { text: "RESNET" }).ids.sort()).toEqual(["r1", "r3"]);
    expect(pageRuns(store.sqlite, { regex: "^(alpha|beta)" }).ids.sort()).toEqual(["r1", "r2"]);
    expect(pageRuns(store.sqlite, { status: ["queued"] }).total).toBe(2);
    expect(pageRuns(store.sqlite, { tag: "sweep" }).ids).toEqual(["r1"]);
    expect(() => pageRuns(store.sqlite, { regex: "(" })).toThrow(SyntaxError);
  });
  it("sorts any column both ways and pages", () => {
    expect(pageRuns(store.sqlite, { sort: "name", dir: "asc" }).ids).toEqual(["r1", "r2", "r3"]);
    expect(pageRuns(store.sqlite, { sort: "priority", dir: "desc" }).ids).toEqual(["r3", "r1", "r2"]);
    expect(pageRuns(store.sqlite, { sort: "created", dir: "desc", offset: 1, limit: 1 })).toEqual({ total: 3, ids: ["r2"] });
  });
  it("queue positions follow priority, then arrival", () => {
    expect([...queuePositions(store.sqlite)]).toEqual([["r3", 1], ["r2", 2]]);
  });
});
