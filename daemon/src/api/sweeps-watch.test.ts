// sweeps.watch tells the dashboard which sweep changed, as it changes: creating it and its first trial, a
// trial's run changing state, the trial told and the next one asked, a pause. A real daemon object with a real
// Optuna process, never started (trials stay queued; a cancel moves a trial on instead of training).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stringify } from "yaml";
import { generateDemoDataset } from "@trainyard/data";
import { Daemon } from "../daemon.ts";
import { importDataset } from "../datasets/import-dataset.ts";
import { appRouter } from "./router.ts";

let home: string;
let daemon: Daemon;

const SWEEP = {
  name: "watch-grid",
  method: "grid",
  parallel: 1,
  base: {
    name: "watch-base",
    dataset: { name: "watch-demo", image_size: 16, labels: { set: ["melanoma", "nevus"] } },
    model: { backbone: "baseline_cnn", pretrained: "none" },
    training: { precision: "fp32", phases: [{ name: "all", epochs: 1, lr: 1e-3 }] },
  },
  parameters: { "training.phases.0.lr": { values: [1e-3, 1e-2] } },
};

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "trainyard-sweeps-watch-"));
  daemon = new Daemon({ home, cpuSlots: 1 }); // never started: trials stay queued
  const { manifest, imagesDir } = await generateDemoDataset({ outDir: join(home, "src"), patients: 30, size: 16, seed: 1 });
  await importDataset(daemon, "watch-demo", { manifest, imagesDir, imageCol: "image_id", groupCol: "patient_id", labelCol: "diagnosis", imageCheck: "exists" });
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Collects the ids a watch yields until `until` holds or the time runs out. */
function collect(iter: AsyncIterable<{ id: string }>) {
  const ids: string[] = [];
  let waiters: (() => void)[] = [];
  void (async () => {
    for await (const e of iter) {
      ids.push(e.id);
      for (const w of waiters) w();
      waiters = [];
    }
  })();
  return {
    ids,
    async until(ok: () => boolean, what: string, ms = 20_000) {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(ids)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
  };
}

it("yields the sweep's id on creation, on each trial's state change and next trial, and on pause; another sweep's watch stays quiet", async () => {
  const abort = new AbortController();
  const caller = appRouter.createCaller({ daemon, user: { name: "local", admin: true }, authRequired: false }, { signal: abort.signal });
  const all = collect(await caller.sweeps.watch());
  const other = collect(await caller.sweeps.watch({ id: "s-none" }));
  try {
    const sweep = await caller.sweeps.create({ yaml: stringify(SWEEP) });
    await all.until(() => all.ids.includes(sweep.id), "the new sweep");
    // the controller asks Optuna for the first trial and queues its run
    await all.until(() => (daemon.sweeps.summary(sweep.id)?.trials.length ?? 0) === 1, "the first trial");
    const first = daemon.sweeps.summary(sweep.id)!.trials[0];
    expect(first.state).toBe("queued");

    // the trial's run is cancelled: the run event, then its tell and the second trial, each wake the watch
    all.ids.length = 0;
    daemon.cancel(first.runId!);
    await all.until(() => daemon.sweeps.summary(sweep.id)!.trials.length === 2 && all.ids.length > 0, "the second trial");
    const after = daemon.sweeps.summary(sweep.id)!;
    expect(after.trials[0]).toMatchObject({ state: "cancelled", outcome: "fail" });
    expect(all.ids.every((id) => id === sweep.id)).toBe(true);

    all.ids.length = 0;
    await caller.sweeps.pause({ id: sweep.id });
    await all.until(() => all.ids.includes(sweep.id), "the pause");
    expect((await caller.sweeps.get({ id: sweep.id })).status).toBe("paused");
    expect(other.ids).toEqual([]);
  } finally {
    abort.abort();
  }
}, 60_000);
