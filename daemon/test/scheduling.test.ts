// The queue against a real daemon with fake trainer processes (daemon/test/fake-trainer.mjs): slots are
// never shared, priority and FIFO order, cancel, resume, crash classification, delete.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_TRAINER_ENV, REPO, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

const DEMO = readFileSync(join(REPO, "configs/demo.yaml"), "utf8");
let d: DaemonProcess;

beforeAll(async () => {
  d = await startDaemon({ env: { ...FAKE_TRAINER_ENV, TRAINYARD_RESERVE_AFTER_MS: "600000" }, args: ["--cpu-slots", "2"] });
  const demo = await d.cli(["demo"]);
  expect(demo.code, demo.stderr).toBe(0);
});
afterAll(async () => d?.stop());

const submit = (tags: string[], extra: string[] = []) => d.client.runs.submit.mutate({ yaml: DEMO, overrides: [`tags=${JSON.stringify(tags)}`, ...extra] });
const get = (id: string) => d.client.runs.get.query({ id });
const finished = (id: string, timeout = 60_000) =>
  waitUntil(async () => {
    const r = await get(id);
    return ["completed", "failed", "cancelled", "interrupted"].includes(r.status) && r;
  }, timeout, `run ${id} to finish`);

describe("the queue on 2 CPU slots", () => {
  it("never runs two trainers on one slot, and starts higher priority first, FIFO within a priority", async () => {
    const blockers = [await submit(["steps=100", "interval=50"]), await submit(["steps=100", "interval=50"])];
    await waitUntil(async () => (await Promise.all(blockers.map((b) => get(b.id)))).every((r) => r.status === "running"), 30_000, "both slots busy");
    const low1 = await submit(["steps=3"], ["resources.priority=10"]);
    const low2 = await submit(["steps=3"], ["resources.priority=10"]);
    const high = await submit(["steps=3"], ["resources.priority=90"]);
    const queued = await d.client.runs.list.query({ status: ["queued"] });
    const byId = new Map(queued.map((r) => [r.id, r]));
    expect(byId.get(high.id)?.queue).toMatchObject({ position: 1, reason: expect.stringMatching(/waiting for 1 slot/) });
    expect(byId.get(low1.id)?.queue?.position).toBe(2);
    expect(byId.get(low2.id)?.queue?.position).toBe(3);
    const cliList = await d.cli(["runs"]);
    expect(cliList.stdout).toMatch(new RegExp(`${high.id}.*#1 waiting for 1 slot`));

    const all = [...blockers, low1, low2, high];
    const done = await Promise.all(all.map((r) => finished(r.id)));
    expect(done.every((r) => r.status === "completed")).toBe(true);
    const start = (id: string) => done.find((r) => r.id === id)!.startedAt!;
    expect(start(high.id)).toBeLessThanOrEqual(start(low1.id));
    expect(start(low1.id)).toBeLessThanOrEqual(start(low2.id));
    // no two runs held the same slot at overlapping times
    for (const a of done)
      for (const b of done) {
        if (a.id >= b.id || a.slots[0] !== b.slots[0]) continue;
        const overlap = a.startedAt! < b.endedAt! && b.startedAt! < a.endedAt!;
        expect(overlap, `${a.id} and ${b.id} both on ${a.slots[0]}`).toBe(false);
      }
  });
});

describe("cancel, resume, delete", () => {
  it("cancels a queued run at once and a running one through SIGTERM, which leaves it resumable", async () => {
    const a = await submit(["steps=400", "interval=20", "ckpt_every=10"]);
    const b = await submit(["steps=400", "interval=20"]);
    const c = await submit(["steps=2"]);
    await waitUntil(async () => (await get(a.id)).step >= 15, 30_000, "progress");
    const cq = await d.client.runs.cancel.mutate({ id: c.id });
    expect(cq.status).toBe("cancelled");
    await d.client.runs.cancel.mutate({ id: a.id });
    await d.client.runs.cancel.mutate({ id: b.id });
    const ra = await finished(a.id, 20_000);
    expect(ra.status).toBe("cancelled");
    expect(ra.error).toMatch(/resumable/);
    await finished(b.id, 20_000);
    const stepAtCancel = ra.step;

    const resumed = await d.cli(["resume", a.id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const rr = await finished(a.id, 60_000);
    expect(rr.status).toBe("completed");
    expect(rr.attempt).toBe(2);
    const logs = await d.client.runs.logs.query({ id: a.id, limit: 2000 });
    expect(logs.map((l) => l.message)).toContain(`resumed at step ${stepAtCancel}`);

    await expect(d.client.runs.resume.mutate({ id: a.id })).rejects.toThrow(/completed; only cancelled, interrupted or failed runs can be resumed/);
    await expect(d.client.runs.resume.mutate({ id: c.id })).rejects.toThrow(/no "last" checkpoint/);
  });

  it("deletes a finished run with its files, and refuses a running one", async () => {
    const r = await submit(["steps=2", "ckpt_every=1"]);
    await finished(r.id);
    const dir = join(d.home, "runs", r.id);
    expect(existsSync(join(dir, "checkpoints/last/checkpoint.pt"))).toBe(true);
    const del = await d.cli(["delete", r.id]);
    expect(del.code, del.stderr).toBe(0);
    expect(existsSync(dir)).toBe(false);
    await expect(get(r.id)).rejects.toThrow(/no run/);
    const long = await submit(["steps=200", "interval=20"]);
    await waitUntil(async () => (await get(long.id)).status === "running", 30_000, "running");
    await expect(d.client.runs.delete.mutate({ id: long.id })).rejects.toThrow(/is running; cancel it first/);
    await d.client.runs.cancel.mutate({ id: long.id });
    await finished(long.id);
  });
});

describe("a trainer that crashes", () => {
  it.each([
    ["crash", /crashed \(exit code 1\): ValueError: fake trainer crashed on purpose/],
    ["oom", /CUDA out of memory/],
    ["kill", /killed \(SIGKILL\)/],
    ["code3", /exited with code 3 without reporting a result/],
  ])("exit=%s is failed with the reason classified, and the next queued run starts", async (how, reason) => {
    const bad = await submit([`exit=${how}`, "steps=3"]);
    const blocker = await submit(["steps=30", "interval=20"]);
    const next = await submit(["steps=1"]);
    const failed = await finished(bad.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(reason);
    expect((await finished(next.id)).status).toBe("completed");
    await finished(blocker.id);
  });
});
