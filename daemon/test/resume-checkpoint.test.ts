// Resume from any checkpoint (`trainyard resume RUN --checkpoint NAME`) and warm starts (`model.init_from:
// RUN[:CHECKPOINT]`) against a real daemon with the fake trainer: the spec names the checkpoint asked for,
// and a name that does not exist is refused with the ones that do.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_TRAINER_ENV, REPO, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

const DEMO = readFileSync(join(REPO, "configs/demo.yaml"), "utf8");
let d: DaemonProcess;

beforeAll(async () => {
  d = await startDaemon({ env: FAKE_TRAINER_ENV });
  const demo = await d.cli(["demo"]);
  expect(demo.code, demo.stderr).toBe(0);
});
afterAll(async () => d?.stop());

const submit = (tags: string[], extra: string[] = []) => d.client.runs.submit.mutate({ yaml: DEMO, overrides: [`tags=${JSON.stringify(tags)}`, ...extra] });
const finished = (id: string) =>
  waitUntil(async () => {
    const r = await d.client.runs.get.query({ id });
    return ["completed", "failed", "cancelled", "interrupted"].includes(r.status) && r;
  }, 60_000, `run ${id} to finish`);
const logs = async (id: string) => (await d.client.runs.logs.query({ id })).map((l: { message: string }) => l.message);

describe("resume and warm start from a named checkpoint", () => {
  it("resumes a failed run from its best checkpoint, not only from last", async () => {
    const run = await submit(["steps=10", "interval=5", "ckpt_every=1", "best_at=4", "exit=crash"], ["resources.gpus=0"]);
    expect((await finished(run.id)).status).toBe("failed");

    const ghost = await d.cli(["resume", run.id, "--checkpoint", "epoch-99"]);
    expect(ghost.code).not.toBe(0);
    expect(ghost.stderr).toMatch(/cannot resume from "epoch-99": run \S+ has no checkpoint "epoch-99"; its checkpoints: best, last/);

    const res = await d.cli(["resume", run.id, "--checkpoint", "best"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/queued to resume from its best checkpoint/);
    await waitUntil(async () => (await logs(run.id)).some((m) => m === "resumed at step 4"), 60_000, "the resumed attempt");
    const spec = JSON.parse(readFileSync(join(d.home, "runs", run.id, "spec.json"), "utf8"));
    expect(spec.resume.checkpoint).toBe(join(d.home, "runs", run.id, "checkpoints", "best", "checkpoint.pt"));
  });

  it("warm-starts a new run from another run's checkpoint, and refuses one that does not exist", async () => {
    const source = await submit(["steps=6", "interval=5", "best_at=3"], ["resources.gpus=0"]);
    expect((await finished(source.id)).status).toBe("completed");
    const warm = await submit(["steps=2", "interval=5"], ["resources.gpus=0", `model.init_from=${source.id}`]);
    expect((await finished(warm.id)).status).toBe("completed");
    expect(await logs(warm.id)).toContain(`init_from ${join(d.home, "runs", source.id, "checkpoints", "best", "checkpoint.pt")}`);

    const missing = await d.cli(["run", "configs/demo.yaml", `model.init_from=${source.id}:top-2`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/model\.init_from: run \S+ has no checkpoint "top-2"; its checkpoints: best/);
    const noRun = await d.cli(["run", "configs/demo.yaml", "model.init_from=nope:best"]);
    expect(noRun.stderr).toMatch(/model\.init_from: no run "nope"/);
  });
});
