// SIGKILL the daemon while runs train, start it again on the same home: every line of events.jsonl is in
// SQLite exactly once, the orphaned trainer is gone, and the run resumes from its last checkpoint and
// completes as attempt 2. Once with the fake trainer (fast, many lines), once with the real PyTorch one.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, readSeriesColumns } from "@trainyard/db";
import { expectEventsStoredOnce } from "./events-stored-once.ts";
import { FAKE_TRAINER_ENV, REPO, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

const DEMO = readFileSync(join(REPO, "configs/demo.yaml"), "utf8");
const homes: string[] = [];
const daemons: DaemonProcess[] = [];
afterAll(async () => {
  for (const d of daemons) await d.stop();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function newHome(): string {
  const h = mkdtempSync(join(tmpdir(), "trainyard-crash-"));
  homes.push(h);
  return h;
}

const alive = (pid: number) => existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, "utf8").length > 0;

async function crashAndRestart(home: string, env: Record<string, string>, ready: (d: DaemonProcess, id: string) => Promise<boolean>, overrides: string[]) {
  const first = await startDaemon({ home, env });
  daemons.push(first);
  expect((await first.cli(["demo"])).code).toBe(0);
  const run = await first.client.runs.submit.mutate({ yaml: DEMO, overrides });
  await waitUntil(() => ready(first, run.id), 180_000, "a checkpoint and progress past it");
  const peek = openStore(join(home, "trainyard.db"), { readonly: true });
  const trainerPid = (peek.sqlite.prepare("SELECT pid FROM runs WHERE id = ?").get(run.id) as { pid: number }).pid;
  peek.close();
  first.child.kill("SIGKILL");
  await new Promise((r) => first.child.once("exit", r));
  const second = await startDaemon({ home, env });
  daemons.push(second);
  expect(alive(trainerPid), `orphaned trainer ${trainerPid} still running`).toBe(false);
  return { second, runId: run.id };
}

const finished = (d: DaemonProcess, id: string, timeout: number) =>
  waitUntil(async () => {
    const r = await d.client.runs.get.query({ id });
    return ["completed", "failed", "cancelled", "interrupted"].includes(r.status) && r;
  }, timeout, `run ${id} to finish`);

describe("daemon SIGKILL mid-run, then restart", () => {
  it("fake trainer: replays exactly once, stops the orphan, resumes from the checkpoint and completes", async () => {
    const home = newHome();
    const { second, runId } = await crashAndRestart(
      home,
      FAKE_TRAINER_ENV,
      async (d, id) => (await d.client.runs.get.query({ id })).step >= 60 && existsSync(join(home, "runs", id, "checkpoints/last/checkpoint.pt")),
      ['tags=["steps=400","interval=5","values=8","ckpt_every=25"]'],
    );
    const r = await finished(second, runId, 60_000);
    expect(r.status).toBe("completed");
    expect(r.attempt).toBe(2);
    expect(r.restarts).toBe(1);
    const logs = (await second.client.runs.logs.query({ id: runId, limit: 2000 })).map((l) => l.message).join("\n");
    expect(logs).toMatch(/re-queued \(restart 1 of 3\) to resume from checkpoints\/last\/checkpoint\.pt/);
    expect(logs).toMatch(/resumed at step \d+/);
    expect(expectEventsStoredOnce(home, runId, "in-file")).toBeGreaterThan(60);
  });

  it("real trainer: the run resumes from its last checkpoint and completes, every line stored once", async () => {
    const home = newHome();
    const { second, runId } = await crashAndRestart(
      home,
      {},
      async (d, id) => (await d.client.runs.get.query({ id })).epoch >= 2 && existsSync(join(home, "runs", id, "checkpoints/last/checkpoint.pt")),
      ["training.phases.0.epochs=1", "training.phases.1.epochs=2"],
    );
    const r = await finished(second, runId, 300_000);
    expect(r.status, r.error ?? "").toBe("completed");
    expect(r.attempt).toBe(2);
    expect(r.checkpoints.map((c) => c.name)).toEqual(expect.arrayContaining(["best", "last"]));
    const logs = (await second.client.runs.logs.query({ id: runId, limit: 2000 })).map((l) => l.message).join("\n");
    expect(logs).toMatch(/resumed from .*checkpoints\/last\/checkpoint\.pt/);
    expectEventsStoredOnce(home, runId, "in-file");
  });
});

describe("daemon restart when a running run's directory is gone", () => {
  it("starts anyway and fails that run with the reason, keeping its stored metrics", async () => {
    const home = newHome();
    const store = openStore(join(home, "trainyard.db"));
    store.sqlite.prepare("INSERT INTO runs (id, name, dataset_name, config, config_yaml, status, pid) VALUES ('gone', 'gone', 'd', '{}', '', 'running', NULL)").run();
    store.sqlite.prepare("INSERT INTO metrics (run_id, key, step, epoch, phase, time, value) VALUES ('gone', 'train/loss', 1, 0, NULL, 1, 0.5)").run();
    store.close();
    const d = await startDaemon({ home, env: FAKE_TRAINER_ENV });
    daemons.push(d);
    const r = await d.client.runs.get.query({ id: "gone" });
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/directory .*gone.* is gone \(deleted or moved\?\)/);
    const ro = openStore(join(home, "trainyard.db"), { readonly: true });
    expect(readSeriesColumns(ro.sqlite, "gone", "train/loss").length).toBe(1);
    ro.close();
  });
});
