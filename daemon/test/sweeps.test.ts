// Sweeps on a real daemon with real trainers and the sweep's real Optuna process, driven through the CLI: a
// random + ASHA sweep prunes and never runs more than `parallel` trials at once, a grid runs exactly its points,
// pause / resume / cancel, a daemon SIGKILL mid-sweep, and every kind of bad input refused with its message.
// Trials are tiny (32 px, 4 training batches, 1-3 epochs) so the file fits in minutes on two cores.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { SweepSummary, TrialSummary } from "../src/sweeps/sweep-summary.ts";
import { REPO, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

const PYTHON = process.env.TRAINYARD_PYTHON ?? "/usr/bin/python3";
const home = mkdtempSync(join(tmpdir(), "trainyard-sweeps-"));
/** Sweep files live here, away from the CLI's cwd (the repository): a base path is read relative to them. */
const dir = join(home, "sweep-files");
let d: DaemonProcess;

/** The demo config made tiny: 32 px, four training batches an epoch. */
const BASE = readFileSync(join(REPO, "configs/demo.yaml"), "utf8")
  .replace("image_size: 64", "image_size: 32")
  .replace("  log_every_n_steps: 2\n", "  log_every_n_steps: 2\n  limit_train_batches: 4\n");

function sweepFile(name: string, sweep: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify({ name, base: "base.yaml", ...sweep }));
  return file;
}

async function cli(args: string[]) {
  const res = await d.cli(args);
  return { ...res, json: () => JSON.parse(res.stdout) };
}

const sweepOf = (id: string) => d.client.sweeps.get.query({ id }) as Promise<SweepSummary>;
const ended = (id: string, ms: number) => waitUntil(async () => {
  const s = await sweepOf(id);
  return ["completed", "cancelled", "failed"].includes(s.status) && s;
}, ms, `sweep ${id} to end`);

/** The most trials whose runs were in a slot at the same time, from their runs' start and end times. */
function maxConcurrent(trials: TrialSummary[]): number {
  const edges = trials.flatMap((t) => [
    { at: t.startedAt!, delta: 1 },
    { at: t.endedAt!, delta: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta); // an end and a start at the same ms: the slot was handed on
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.delta));
  return most;
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "base.yaml"), BASE);
  d = await startDaemon({ home, args: ["--cpu-slots", "2"] });
  const demo = await d.cli(["demo"]);
  expect(demo.code, demo.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await d?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("a random search with ASHA", () => {
  it("runs 12 trials, prunes some at the first rung, and never more than parallel at once", async () => {
    const file = sweepFile("asha", {
      method: "random",
      metric: { name: "val/auc_macro", goal: "max" },
      max_trials: 12,
      parallel: 2,
      seed: 3,
      early_stopping: { type: "asha", min_epochs: 1, max_epochs: 3, reduction_factor: 3 },
      parameters: { "training.phases.0.lr": { log_uniform: [1e-4, 3e-2] }, "model.dropout": { uniform: [0, 0.5] } },
    });
    const res = await cli(["sweep", file, "--wait", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const s: SweepSummary = res.json();
    expect(s.status).toBe("completed");
    expect(s.trials.map((t) => t.number)).toEqual([...Array(12).keys()]);
    expect(s.rungs).toEqual([1, 3]);
    const pruned = s.trials.filter((t) => t.state === "pruned");
    const completed = s.trials.filter((t) => t.state === "completed");
    expect(pruned.length, JSON.stringify(s.counts)).toBeGreaterThan(0);
    expect(pruned.length + completed.length, JSON.stringify(s.counts)).toBe(12);
    for (const t of pruned) expect(t).toMatchObject({ outcome: "pruned", epochs: 1, rung: 0 });
    for (const t of completed) expect(t).toMatchObject({ outcome: "complete", epochs: 3, rung: 1 });
    expect(maxConcurrent(s.trials)).toBeLessThanOrEqual(2);
    expect(maxConcurrent(s.trials)).toBe(2); // and it did use both slots
    // the cost: epochs validated, well under the bound
    expect(s.trialEpochs).toBe(pruned.length + 3 * completed.length);
    expect(s.maxTrialEpochs).toBe(36);
    // the best is the completed trial with the highest metric, and its run's best is that value
    const best = completed.reduce((a, b) => (b.value! > a.value! ? b : a));
    expect(s.best?.number).toBe(best.number);
    const run = await d.client.runs.get.query({ id: best.runId! });
    expect(run.best?.value).toBeCloseTo(best.value!, 10);
    expect(run.name).toBe(`asha-t${best.number}`);
    // each trial trained with its own params: the run's resolved config carries them, and its sweep's tags
    const config = run.config as { tags: string[]; training: { phases: { lr: number }[] }; model: { dropout: number } };
    expect(config.tags).toEqual(expect.arrayContaining([`sweep:${s.id}`, `trial:${best.number}`]));
    expect(config.training.phases[0].lr).toBeCloseTo(best.params["training.phases.0.lr"] as number, 12);
    expect(config.model.dropout).toBeCloseTo(best.params["model.dropout"] as number, 12);

    // the human view: the trial table and the best trial
    const show = await cli(["sweep", "show", s.id]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^#\s+state\s+rung\s+epochs\s+val\/auc_macro\s+training\.phases\.0\.lr\s+model\.dropout$/m);
    expect(show.stdout).toMatch(/^\d+\s+pruned\s+0\s+1\s+0\.\d{4}\s/m);
    expect(show.stdout).toContain(`best       trial ${best.number} (run ${best.runId}): val/auc_macro = ${best.value!.toFixed(4)}`);
    expect(show.stdout).toMatch(/stopping +asha: rungs at epochs 1, 3/);
    const list = await cli(["sweeps", "--json"]);
    expect(list.json().map((x: SweepSummary) => x.id)).toContain(s.id);
    expect((await cli(["sweeps"])).stdout).toMatch(new RegExp(`^${s.id}\\s+asha\\s.*completed\\s+random/asha`, "m"));
  }, 400_000);
});

describe("a grid", () => {
  it("runs exactly its points, once each, with a base the daemon reads and base.* overrides", async () => {
    // configs/demo.yaml is not next to this file: the daemon reads its own repository's, then the overrides apply
    const file = join(dir, "grid.yaml");
    writeFileSync(file, stringify({
      name: "grid",
      base: "configs/demo.yaml",
      method: "grid",
      parallel: 2,
      early_stopping: { max_epochs: 1 },
      parameters: { "training.phases.0.lr": { values: [1e-3, 1e-2] }, "training.batch_size": { int_uniform: [16, 32], q: 16 } },
    }));
    const res = await cli(["sweep", file, "base.dataset.image_size=32", "base.training.limit_train_batches=2", "--wait", "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const s: SweepSummary = res.json();
    expect(s).toMatchObject({ status: "completed", gridSize: 4, maxTrials: 4, maxTrialEpochs: 4 });
    const points = s.trials.map((t) => `${t.params["training.phases.0.lr"]}/${t.params["training.batch_size"]}`).sort();
    expect(points).toEqual(["0.001/16", "0.001/32", "0.01/16", "0.01/32"]);
    expect(s.trials.every((t) => t.state === "completed" && t.epochs === 1)).toBe(true);
    const run = await d.client.runs.get.query({ id: s.trials[0].runId! });
    expect(run.epochs).toBe(1);
    const config = run.config as { dataset: { image_size: number }; training: { limit_train_batches: number } };
    expect(config.dataset.image_size).toBe(32);
    expect(config.training.limit_train_batches).toBe(2);
  }, 300_000);
});

describe("pause, resume and cancel", () => {
  it("a paused sweep asks for no new trial until resumed, then completes; a cancelled one ends its trials", async () => {
    const file = sweepFile("pausing", {
      method: "tpe",
      max_trials: 3,
      parallel: 1,
      early_stopping: { max_epochs: 1 },
      parameters: { "training.phases.0.lr": { log_uniform: [1e-4, 1e-2] } },
    });
    const created = await cli(["sweep", file]);
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim();
    await waitUntil(async () => (await sweepOf(id)).trials.length > 0, 60_000, "the first trial");
    const paused = await cli(["sweep", "pause", id]);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain(`${id}: paused`);
    // its first trial still runs to the end; nothing is asked after it
    await waitUntil(async () => (await sweepOf(id)).trials[0]?.outcome === "complete", 120_000, "the first trial to complete");
    await new Promise((r) => setTimeout(r, 3000));
    let s = await sweepOf(id);
    expect(s.status).toBe("paused");
    expect(s.trials.length).toBe(1);
    expect((await cli(["sweep", "pause", id])).stderr).toMatch(/sweep .* is paused; only a running sweep can be paused/);

    const resumed = await cli(["sweep", "resume", id, "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json().status).toBe("running");
    s = await ended(id, 180_000);
    expect(s.status).toBe("completed");
    expect(s.trials.map((t) => t.outcome)).toEqual(["complete", "complete", "complete"]);
    const again = await cli(["sweep", "resume", id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/sweep .* is completed; only a running or paused sweep can be resumed/);

    // cancel: `--wait` on it exits 1, the trial in flight is cancelled and told as failed, nothing is asked after it
    // (trials of the base's ten epochs, so the cancel lands while one trains, however busy the machine is)
    const waiting = cli(["sweep", sweepFile("cancelling", { method: "random", max_trials: 5, parallel: 1, parameters: { "model.dropout": { uniform: [0, 0.5] } } }), "--wait"]);
    const started = await waitUntil(async () => (await d.client.sweeps.list.query()).find((x) => x.name === "cancelling" && x.trials.some((t) => t.state === "running")), 120_000, "a cancelling sweep's trial to run");
    const cancel = await cli(["sweep", "cancel", started.id]);
    expect(cancel.code, cancel.stderr).toBe(0);
    const waited = await waiting;
    expect(waited.code).toBe(1);
    expect(waited.stdout).toMatch(/^sweep +\S+ \(cancelling\), cancelled/m);
    s = await sweepOf(started.id);
    expect(s.status).toBe("cancelled");
    const last = s.trials.at(-1)!;
    expect(last).toMatchObject({ state: "cancelled", outcome: "fail" });
    for (const t of s.trials.slice(0, -1)) expect(t).toMatchObject({ state: "completed", outcome: "complete" });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await sweepOf(started.id)).trials.length).toBe(s.trials.length);
    expect((await cli(["sweep", "show", "s-nope"])).stderr).toMatch(/no sweep "s-nope"/);
  }, 400_000);
});

describe("bad input through the CLI", () => {
  const refused = async (name: string, sweep: Record<string, unknown>, message: string | RegExp, file?: string) => {
    const before = (await d.client.sweeps.list.query()).length;
    const res = await cli(["sweep", file ?? sweepFile(`${name}-sweep`, { method: "random", max_trials: 2, ...sweep })]);
    expect(res.code, `${name}: ${res.stdout}`).toBe(1);
    expect(res.stderr).toMatch(typeof message === "string" ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : message);
    expect((await d.client.sweeps.list.query()).length, `${name} stored a sweep`).toBe(before);
  };

  it("refuses each with the field and what to do, storing nothing", async () => {
    await refused("unknown-key", { parameters: { "training.phasez.0.lr": { uniform: [0.001, 0.01] } } }, 'parameters["training.phasez.0.lr"]: unknown key path: training has no key "phasez"');
    await refused("list-index", { parameters: { "training.phases.5.lr": { uniform: [0.001, 0.01] } } }, "training.phases has 2 entries in the base config");
    await refused("non-numeric", { parameters: { "model.backbone": { uniform: [0, 1] } } }, /parameters\["model\.backbone"\]\.uniform: model\.backbone takes one of .*resnet18.*, not a number: list its choices with values/);
    await refused("log-zero", { parameters: { "training.phases.0.lr": { log_uniform: [0, 0.01] } } }, "log_uniform needs min > 0 (got 0); use uniform for a range that includes 0");
    await refused("min-max", { parameters: { "model.dropout": { uniform: [0.5, 0.1] } } }, 'parameters["model.dropout"].uniform: min 0.5 is greater than max 0.1: write [min, max]');
    await refused("empty-values", { parameters: { "training.batch_size": { values: [] } } }, 'parameters["training.batch_size"].values: the values list is empty');
    const thirty = { values: [...Array(30).keys()].map((k) => 16 + k) };
    await refused("big-grid", { method: "grid", max_trials: undefined, parameters: { "training.batch_size": thirty, "training.log_every_n_steps": thirty, "training.early_stopping.patience": thirty } }, "parameters: the grid has 27,000 points (30 x 30 x 30); at most 10,000");
    // the base's own error, with its field path and its file
    writeFileSync(join(dir, "bad-base.yaml"), BASE.replace("lr: 2.0e-3", "lr: fast"));
    await refused("bad-base", { base: "bad-base.yaml", parameters: { "model.dropout": { uniform: [0, 0.5] } } }, /base\.training\.phases\[1\]\.lr: expected a positive number, got "fast"\n\(base: .*sweep-files\/bad-base\.yaml\)/);
    writeFileSync(join(dir, "broken-base.yaml"), "name: x\ndataset: {name: [demo\n");
    await refused("broken-base", { base: "broken-base.yaml", parameters: { "model.dropout": { uniform: [0, 0.5] } } }, /base .*broken-base\.yaml is not valid:\n.*line \d+, column \d+/);
    await refused("no-base", { base: "nowhere.yaml", parameters: { "model.dropout": { uniform: [0, 0.5] } } }, /base: no file "nowhere\.yaml" next to the sweep file \(looked for .*sweep-files\/nowhere\.yaml\)/);
    writeFileSync(join(dir, "nope-base.yaml"), BASE.replace("  name: demo\n", "  name: nope\n"));
    await refused("unknown-dataset", { base: "nope-base.yaml", parameters: { "model.dropout": { uniform: [0, 0.5] } } }, 'base.dataset.name: unknown dataset "nope"; known datasets: demo');
    const noFile = await cli(["sweep", join(dir, "absent.yaml")]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toMatch(/no sweep config ".*absent\.yaml"/);
  }, 120_000);

  it("queues trials beyond the daemon's slots and says so", async () => {
    const file = sweepFile("wide", { method: "random", max_trials: 3, parallel: 3, early_stopping: { max_epochs: 1 }, parameters: { "model.dropout": { uniform: [0, 0.5] } } });
    const res = await cli(["sweep", file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain("note: parallel 3, but this daemon has 2 slots (1 per trial): at most 2 trials train at once, the others wait in the queue");
    const id = res.stdout.trim();
    const s = await waitUntil(async () => {
      const x = await sweepOf(id);
      return x.trials.length === 3 && x.trials.filter((t) => t.state === "running").length === 2 && x;
    }, 120_000, "two trials running and one queued");
    expect(s.trials.filter((t) => t.state === "queued").length).toBe(1);
    const queued = await d.client.runs.get.query({ id: s.trials.find((t) => t.state === "queued")!.runId! });
    expect(queued.queue?.reason).toBeTruthy();
    expect((await cli(["sweep", "cancel", id])).code).toBe(0);
    expect((await ended(id, 60_000)).status).toBe("cancelled");
  }, 180_000);
});

describe("daemon SIGKILL mid-sweep, then restart", () => {
  it("completes with exactly max_trials trials, each run once and the study told each once", async () => {
    const file = sweepFile("crash", {
      method: "tpe",
      max_trials: 5,
      parallel: 2,
      seed: 7,
      early_stopping: { type: "asha", min_epochs: 1, max_epochs: 2, reduction_factor: 2 },
      parameters: { "training.phases.0.lr": { log_uniform: [1e-4, 3e-2] } },
    });
    const created = await cli(["sweep", file]);
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim();
    // kill once a trial has been told and others are in flight
    await waitUntil(async () => {
      const s = await sweepOf(id);
      return s.trials.some((t) => t.outcome) && s.trials.some((t) => t.state === "running" && t.epochs >= 1);
    }, 180_000, "a trial told and one running");
    d.child.kill("SIGKILL");
    await new Promise((r) => d.child.once("exit", r));
    d = await startDaemon({ home, args: ["--cpu-slots", "2"] });
    const s = await ended(id, 300_000);
    expect(s.status, s.error ?? "").toBe("completed");
    expect(s.trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4]);
    expect(s.trials.every((t) => t.outcome === "complete" || t.outcome === "pruned")).toBe(true);
    const runIds = s.trials.map((t) => t.runId);
    expect(new Set(runIds).size).toBe(5);
    // the trials in flight at the kill were re-queued by run recovery and carried on (or were settled) as the same run
    const restarted = await Promise.all(runIds.map(async (r) => (await d.client.runs.get.query({ id: r! })).restarts));
    expect(restarted.some((n) => n >= 1), JSON.stringify(restarted)).toBe(true);
    // no run beyond the trials' own was made for the sweep
    const runs = await d.client.runs.list.query({ limit: 5000 });
    expect(runs.filter((r) => r.name.startsWith("crash-t")).map((r) => r.id).sort()).toEqual([...runIds].sort());
    // Optuna's journal holds the same five trials, each finished once with the value the daemon stored
    const study = JSON.parse(execFileSync(PYTHON, ["-c", `
import json, optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
st = optuna.load_study(study_name=${JSON.stringify(id)}, storage=optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(${JSON.stringify(join(home, "sweeps", id, "study.journal"))})))
print(json.dumps([[t.number, t.state.name, t.value] for t in st.trials]))`], { encoding: "utf8" }));
    expect(study.map((t: unknown[]) => t[0])).toEqual([0, 1, 2, 3, 4]);
    for (const [number, state, value] of study) {
      const t = s.trials[number];
      expect(state).toBe(t.outcome === "complete" ? "COMPLETE" : "PRUNED");
      if (state === "COMPLETE") expect(value).toBeCloseTo(t.value!, 10);
    }
  }, 500_000);
});
