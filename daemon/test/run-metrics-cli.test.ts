// A run's numbers without the browser: `trainyard show RUN --json` carries `metrics` (last value of every key,
// the best checkpoint's values, test/*), and `trainyard metrics RUN` streams every point as CSV or JSON lines.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IngestWriter, openStore, type MetricPoint } from "@trainyard/db";
import { REPO, startDaemon, type DaemonProcess } from "./daemon-process.ts";

const home = mkdtempSync(join(tmpdir(), "trainyard-run-metrics-"));
let d: DaemonProcess;

beforeAll(async () => {
  const store = openStore(join(home, "trainyard.db"));
  store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status, ended_at) VALUES ('m1', 'metrics run', 'd', '{}', '', 'completed', 1)").run();
  const pts: MetricPoint[] = [];
  const point = (key: string, step: number, epoch: number, value: number) => pts.push({ runId: "m1", key, step, epoch, phase: null, time: 1.7e9 + step, value });
  for (let s = 1; s <= 30; s++) point("train/loss", s, Math.ceil(s / 10), 1 / s);
  // three evaluations; epoch 2 is the best
  [0.7, 0.9, 0.8].forEach((v, i) => point("val/auc_macro", (i + 1) * 10, i + 1, v));
  [0.5, 0.4, 0.45].forEach((v, i) => point("val/loss", (i + 1) * 10, i + 1, v));
  point("test/auc_macro", 30, 2, 0.88);
  new IngestWriter(store.sqlite).write({ metrics: pts, events: [], offsets: new Map() });
  store.sqlite
    .prepare("INSERT INTO checkpoints (run_id, name, epoch, step, path, monitor_name, monitor_value) VALUES ('m1', 'best', 2, 20, '/x', 'val/auc_macro', 0.9)")
    .run();
  store.close();
  d = await startDaemon({ home });
});
afterAll(async () => {
  await d?.stop();
  rmSync(home, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO, "bin/trainyard.mjs"), ...args], { encoding: "utf8", env: { ...process.env, TRAINYARD_URL: d.url } });

describe("run metrics from the CLI", () => {
  it("show --json gives last, best-checkpoint and test values", () => {
    const r = cli("show", "m1", "--json");
    expect(r.status, r.stderr).toBe(0);
    const { metrics } = JSON.parse(r.stdout);
    expect(metrics.last["train/loss"]).toEqual({ value: 1 / 30, step: 30 });
    expect(metrics.last["val/auc_macro"]).toEqual({ value: 0.8, step: 30 });
    expect(metrics.best).toEqual({ checkpoint: "best", epoch: 2, step: 20, monitor: "val/auc_macro", values: { "val/auc_macro": 0.9, "val/loss": 0.4 } });
    expect(metrics.test).toEqual({ "test/auc_macro": 0.88 });
    const human = cli("show", "m1");
    expect(human.stdout).toMatch(/at best +val\/auc_macro=0\.9000 {2}val\/loss=0\.4000 \(epoch 2\)/);
    expect(human.stdout).toMatch(/test +test\/auc_macro=0\.8800/);
  });

  it("metrics streams every point, as CSV or JSON lines, for the keys asked", () => {
    const csv = cli("metrics", "m1", "--key", "val/auc_macro");
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stdout.trimEnd().split("\n")).toEqual([
      "run_id,run_name,key,step,epoch,time,value",
      `m1,metrics run,val/auc_macro,10,1,${1.7e9 + 10},0.7`,
      `m1,metrics run,val/auc_macro,20,2,${1.7e9 + 20},0.9`,
      `m1,metrics run,val/auc_macro,30,3,${1.7e9 + 30},0.8`,
    ]);
    const json = cli("metrics", "m1", "--format", "json");
    expect(json.status, json.stderr).toBe(0);
    const rows = json.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(rows).toHaveLength(30 + 3 + 3 + 1); // every key when none is named
    expect(rows.filter((p) => p.key === "val/auc_macro").map((p) => p.value)).toEqual([0.7, 0.9, 0.8]);
  });

  it("refuses a bad format and an unknown run with what to do", () => {
    const bad = cli("metrics", "m1", "--format", "xml");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--format xml: expected csv or json/);
    const ghost = cli("metrics", "ghost", "--key", "train/loss");
    expect(ghost.status).not.toBe(0);
    expect(ghost.stderr).toMatch(/404.*no run "ghost"/);
  });
});
