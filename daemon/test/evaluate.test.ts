// `trainyard evaluate` against a real daemon and the real trainer: a finished demo run's best checkpoint on its
// test split stores an evaluation equal to the run's own test/* metrics; another dataset with the model's
// classes is evaluated with the model's metadata encoder; what cannot be evaluated is refused with what exists
// instead; an evaluation running when the daemon dies runs again after the restart.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

// short: two epochs at the demo's cache size, on a CPU slot
const SHORT = ["training.phases.0.epochs=1", "training.phases.1.epochs=1", "resources.gpus=0"];
let d: DaemonProcess;
let runId: string;

beforeAll(async () => {
  d = await startDaemon();
  const demo = await d.cli(["demo"]);
  expect(demo.code, demo.stderr).toBe(0);
}, 300_000);
afterAll(async () => {
  await d?.stop();
  if (d) rmSync(d.home, { recursive: true, force: true }); // the restarted daemon was given the home: its stop keeps it
});

/**
 * A manifest of the demo's images (rows kept by `keep`) imported as `name`; `followUp`: without the diagnosis
 * column, with follow-up years and an event flag instead (a dataset for risk, with nothing to classify).
 */
async function importDemoSubset(name: string, keep: (line: string) => boolean, opts: { followUp?: boolean } = {}) {
  const source = join(d.home, "demo-source");
  const [header, ...rows] = readFileSync(join(source, "manifest.csv"), "utf8").trim().split("\n");
  const file = join(d.home, `${name}.csv`);
  const reshape = (line: string, i: number) =>
    opts.followUp ? [...line.split(",").filter((_, k) => k !== 2), i < 0 ? "years" : String(1 + (i % 5)), i < 0 ? "event" : String(Number(i % 3 === 0))].join(",") : line;
  writeFileSync(file, [reshape(header, -1), ...rows.filter(keep).map(reshape)].join("\n") + "\n");
  const args = ["dataset", "import", name, "--manifest", file, "--images", join(source, "images"), "--image-col", "image_id", "--group-col", "patient_id", "--check", "exists"];
  const res = await d.cli([...args, ...(opts.followUp ? ["--time-col", "years", "--event-col", "event"] : ["--label-col", "diagnosis"])]);
  expect(res.code, `importing ${name}: ${res.stderr}`).toBe(0);
}

describe("trainyard evaluate", () => {
  it("the best checkpoint on the run's test split gives the run's own test metrics", async () => {
    const res = await d.cli(["run", "configs/demo.yaml", ...SHORT, "--wait", "--json"]);
    expect(res.code, res.stderr.slice(-3000)).toBe(0);
    runId = JSON.parse(res.stdout).id;
    const show = JSON.parse((await d.cli(["show", runId, "--json"])).stdout);
    const own: Record<string, number> = show.metrics.test;
    expect(Object.keys(own).length).toBeGreaterThan(10);

    const ev = await d.cli(["evaluate", runId, "--checkpoint", "best", "--split", "test", "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect(e).toMatchObject({ runId, checkpoint: "best", dataset: "demo", split: "test", status: "completed" });
    expect(Object.keys(e.metrics).sort()).toEqual(Object.keys(own).sort());
    for (const [k, v] of Object.entries(own)) expect(Math.abs(e.metrics[k] - v), k).toBeLessThan(1e-6);
    expect(e.curves.map((c: { kind: string }) => c.kind)).toEqual(expect.arrayContaining(["roc", "pr"]));

    // stored as an evaluation of the run, with its curves
    const list = await d.client.evaluations.list.query({ runId });
    expect(list.map((x) => x.id)).toEqual([e.id]);
    const stored = await d.client.evaluations.get.query({ id: e.id });
    expect(stored.curves.find((c) => c.kind === "roc" && c.class === "melanoma")?.points.length).toBeGreaterThan(2);

    // the table: one line per metric
    const table = await d.cli(["evaluate", runId, "--checkpoint", "last", "--split", "val"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^val\/auc_macro\s+0\.\d{4}$/m);
  }, 600_000);

  it("evaluates another dataset that has the model's classes, with the model's metadata encoder", async () => {
    await importDemoSubset("demo-half", (line) => Number(line.slice(1, 5)) < 240);
    const ev = await d.cli(["evaluate", runId, "--dataset", "demo-half", "--split", "all", "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect(e.status).toBe("completed");
    expect(e.metrics["all/auc_macro"]).toBeGreaterThan(0.5);
    const spec = JSON.parse(readFileSync(join(d.home, "runs", runId, "evaluations", e.id, "spec.json"), "utf8"));
    const runSpec = JSON.parse(readFileSync(join(d.home, "runs", runId, "spec.json"), "utf8"));
    expect(spec.data.metadata_encoder).toEqual(runSpec.data.metadata_encoder);
    expect(spec.classes).toEqual(runSpec.classes);
  }, 600_000);

  it("refuses what cannot be evaluated, saying what exists", async () => {
    const noRun = await d.cli(["evaluate", "r-nope"]);
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toMatch(/no run "r-nope"/);

    const noCkpt = await d.cli(["evaluate", runId, "--checkpoint", "epoch-7"]);
    expect(noCkpt.code).toBe(1);
    expect(noCkpt.stderr).toMatch(/cannot evaluate checkpoint "epoch-7": run \S+ has no checkpoint "epoch-7"; its checkpoints: best, last/);

    const split = await d.cli(["evaluate", runId, "--split", "train"]);
    expect(split.code).toBe(1);
    expect(split.stderr).toMatch(/--split is "train"; expected one of test, val, all/);
    await expect(d.client.evaluations.create.mutate({ run: runId, split: "train" as never })).rejects.toThrow(/split: expected one of test, val, all/);

    await importDemoSubset("demo-no-keratosis", (line) => !line.includes("keratosis"));
    const missing = await d.cli(["evaluate", runId, "--dataset", "demo-no-keratosis"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/dataset "demo-no-keratosis" lacks 1 of the diagnoses run \S+'s model predicts: keratosis/);

    await importDemoSubset("demo-follow-up", (line) => Number(line.slice(1, 5)) < 120, { followUp: true });
    const task = await d.cli(["evaluate", runId, "--dataset", "demo-follow-up"]);
    expect(task.code).toBe(1);
    expect(task.stderr).toMatch(/cannot evaluate run \S+'s multilabel model: dataset "demo-follow-up" has no diagnoses/);

    const noDataset = await d.cli(["evaluate", runId, "--dataset", "nope"]);
    expect(noDataset.stderr).toMatch(/no dataset "nope"; datasets: .*demo/);

    // a run that never wrote a checkpoint: one still in the queue behind a running one
    const busy = await d.client.runs.submit.mutate({ yaml: readFileSync(join(import.meta.dirname, "../../configs/demo.yaml"), "utf8"), overrides: SHORT });
    const queued = await d.client.runs.submit.mutate({ yaml: readFileSync(join(import.meta.dirname, "../../configs/demo.yaml"), "utf8"), overrides: SHORT });
    const never = await d.cli(["evaluate", queued.id]);
    expect(never.code).toBe(1);
    expect(never.stderr).toMatch(/run \S+ never wrote a checkpoint \(it is queued\): there is no model to evaluate/);
    // an evaluation waits for the slot the busy run holds; cancelled there, it never runs
    const waiting = await d.client.evaluations.create.mutate({ run: runId });
    expect((await d.client.evaluations.get.query({ id: waiting.id })).status).toBe("queued");
    expect((await d.client.evaluations.cancel.mutate({ id: waiting.id })).status).toBe("cancelled");
    await expect(d.client.evaluations.cancel.mutate({ id: waiting.id })).rejects.toThrow(/is cancelled; only queued or running evaluations can be cancelled/);
    await d.client.runs.cancel.mutate({ id: queued.id });
    await d.client.runs.cancel.mutate({ id: busy.id });
    await waitUntil(async () => (await d.client.runs.get.query({ id: busy.id })).status !== "running" || null, 120_000, "the busy run to stop");
  }, 600_000);

  it("an evaluation running when the daemon dies runs again after the restart", async () => {
    const e = await d.client.evaluations.create.mutate({ run: runId, checkpoint: "best", split: "test" });
    await waitUntil(async () => (await d.client.evaluations.get.query({ id: e.id })).status === "running", 60_000, "the evaluation to start");
    d.child.kill("SIGKILL");
    await new Promise((r) => d.child.once("exit", r));
    const home = d.home;
    d = await startDaemon({ home });
    const done = await waitUntil(async () => {
      const x = await d.client.evaluations.get.query({ id: e.id });
      return ["completed", "failed", "cancelled"].includes(x.status) && x;
    }, 300_000, "the evaluation to finish after the restart");
    expect(done.status, done.error ?? "").toBe("completed");
    const first = (await d.client.evaluations.list.query({ runId })).find((x) => x.split === "test" && x.status === "completed" && x.dataset === "demo" && x.id !== e.id)!;
    expect(done.metrics).toEqual(first.metrics);
  }, 600_000);
});
