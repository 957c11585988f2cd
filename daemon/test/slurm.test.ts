// The Slurm executor against a real single-host cluster (scripts/local-slurm.sh: slurmctld + two slurmd on this
// host): the demo on two nodes to `completed` with every events.jsonl line stored once, cancel, a daemon SIGKILL
// mid-job (the job is followed again, never submitted twice), a controller that is down at submission, and the
// bad inputs (sbatch missing, unknown partition, nodes > 1 on the local executor, more nodes than the cluster
// has, a job sbatch refuses). Skipped when the Slurm daemons are not installed. Cluster state and ports:
// TRAINYARD_SLURM_DIR / TRAINYARD_SLURM_PORT (default a fresh folder, 7817).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectEventsStoredOnce } from "./events-stored-once.ts";
import { FAKE_TRAINER_ENV, REPO, startDaemon, waitUntil, type DaemonProcess } from "./daemon-process.ts";

const DEMO = readFileSync(join(REPO, "configs/demo.yaml"), "utf8");
const SCRIPT = join(REPO, "scripts/local-slurm.sh");
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const missing = ["sbatch", "squeue", "slurmctld", "slurmd", "munged"].filter((c) => !has(c) && !existsSync(`/usr/sbin/${c}`));
const skip = missing.length ? `Slurm is not installed here (${missing.join(", ")} missing; setup.sh installs slurm-wlm and munge)` : null;
if (skip) console.warn(`daemon/test/slurm.test.ts skipped: ${skip}`);

const PORT = process.env.TRAINYARD_SLURM_PORT ?? "7817";
const DIR = process.env.TRAINYARD_SLURM_DIR ?? mkdtempSync(join(tmpdir(), "trainyard-slurm-test-"));
const clusterEnv = { TRAINYARD_SLURM_PORT: PORT, TRAINYARD_SLURM_DIR: DIR, TRAINYARD_SLURM_NODES: "2" };
let slurmEnv: Record<string, string> = {};
const daemons: DaemonProcess[] = [];
const homes: string[] = [];

function cluster(action: "start" | "stop"): string {
  return execFileSync("bash", [SCRIPT, action], { env: { ...process.env, ...clusterEnv }, encoding: "utf8", timeout: 120_000 });
}
const slurmctldPid = () => Number(readFileSync(join(DIR, "run/slurmctld.pid"), "utf8"));
const squeueAll = (name: string) =>
  execFileSync("squeue", ["--states=all", "-h", "--name", name, "-o", "%i|%T"], { env: { ...process.env, ...slurmEnv }, encoding: "utf8" }).trim().split("\n").filter(Boolean);

beforeAll(() => {
  if (skip) return;
  const out = cluster("start");
  slurmEnv = Object.fromEntries([...out.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  expect(slurmEnv.SLURM_CONF, `local-slurm.sh start printed no SLURM_CONF:\n${out}`).toBeTruthy();
}, 180_000);

afterAll(async () => {
  for (const d of daemons) await d.stop();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  if (!skip) cluster("stop");
  if (!process.env.TRAINYARD_SLURM_DIR) rmSync(DIR, { recursive: true, force: true });
});

function newHome(): string {
  const h = mkdtempSync(join(tmpdir(), "trainyard-slurm-home-"));
  homes.push(h);
  return h;
}

async function slurmDaemon(opts: { home?: string; env?: Record<string, string>; args?: string[] } = {}) {
  const d = await startDaemon({ home: opts.home ?? newHome(), env: { ...slurmEnv, TRAINYARD_SLURM_POLL_MS: "500", ...opts.env }, args: opts.args ?? ["--executor", "slurm", "--slurm-partition", "debug"] });
  daemons.push(d);
  return d;
}

const finished = (d: DaemonProcess, id: string, timeout: number) =>
  waitUntil(async () => {
    const r = await d.client.runs.get.query({ id });
    return ["completed", "failed", "cancelled", "interrupted"].includes(r.status) && r;
  }, timeout, `run ${id} to finish`);

const logsOf = async (d: DaemonProcess, id: string) => (await d.client.runs.logs.query({ id, limit: 2000 })).map((l) => l.message).join("\n");

describe.skipIf(!!skip)("the Slurm executor on a local cluster", () => {
  it("trains the demo on two nodes to completed, every events.jsonl line stored once", async () => {
    const d = await slurmDaemon();
    expect((await d.cli(["demo"])).code).toBe(0);
    const run = await d.client.runs.submit.mutate({ yaml: DEMO, overrides: ["resources.nodes=2", "training.phases.0.epochs=1", "training.phases.1.epochs=1"] });
    // live: metrics arrive while the job runs, as for local runs
    await waitUntil(async () => (await d.client.runs.get.query({ id: run.id })).step > 0 || null, 300_000, "live metrics from the job");
    const r = await finished(d, run.id, 600_000);
    expect(r.status, `${r.error}\n${readFileSync(join(d.home, "runs", run.id, "trainer.log"), "utf8").slice(-3000)}`).toBe("completed");
    expect(r.executor).toBe("slurm");
    expect(r.nodes).toBe(2);
    expect(r.job?.id).toMatch(/^\d+$/);
    expect(r.job?.state).toBe("COMPLETED");
    expect(r.job?.nodeList).toMatch(/n\[1-2\]|n1,n2/);
    expect(r.attempt).toBe(1);
    expect(readFileSync(join(d.home, "runs", run.id, "slurm-job.sh"), "utf8")).toMatch(/#SBATCH --nodes=2/);
    expect(expectEventsStoredOnce(d.home, run.id, "store-only")).toBeGreaterThan(10);
    // two Slurm tasks on two nodes joined one DDP group (the trainer's rendezvous from SLURM_*)
    expect(await logsOf(d, run.id)).toMatch(/DDP: 2 processes \(gloo\)/);
    expect(readFileSync(join(d.home, "runs", run.id, "trainer.log"), "utf8")).toMatch(/\[slurm\] job \d+ on n\[1-2\]: 2 node\(s\) x 1 task\(s\), CPU/);
    const shown = await d.cli(["show", run.id]);
    expect(shown.stdout).toMatch(new RegExp(`executor +slurm, 2 nodes, job ${r.job!.id} COMPLETED`));
  }, 900_000);

  it("cancel: scancel --signal=TERM, the trainer checkpoints, the run is cancelled and resumable", async () => {
    const d = await slurmDaemon({ env: FAKE_TRAINER_ENV });
    expect((await d.cli(["demo"])).code).toBe(0);
    const run = await d.client.runs.submit.mutate({ yaml: DEMO, overrides: ['tags=["steps=2000","interval=20","ckpt_every=10"]'] });
    await waitUntil(async () => (await d.client.runs.get.query({ id: run.id })).step >= 20 || null, 120_000, "the job to train");
    await d.client.runs.cancel.mutate({ id: run.id });
    const r = await finished(d, run.id, 60_000);
    expect(r.status).toBe("cancelled");
    expect(r.error).toMatch(/resumable/);
    // the trainer stops cleanly on the TERM, so Slurm may record the job COMPLETED before the full scancel
    expect(r.job?.state).toMatch(/^(CANCELLED|COMPLETED)$/);
    expect(existsSync(join(d.home, "runs", run.id, "checkpoints/last/checkpoint.pt"))).toBe(true);
    expect(expectEventsStoredOnce(d.home, run.id, "store-only")).toBeGreaterThan(20);
  }, 300_000);

  it("a job waiting in Slurm's queue: the run is queued with Slurm's reason, and cancel removes the job", async () => {
    // --hold keeps every job of this daemon pending (JobHeldUser) until released; the home probe job goes without it
    const d = await slurmDaemon({ env: FAKE_TRAINER_ENV, args: ["--executor", "slurm", "--slurm-partition", "debug", "--slurm-args", "--hold --comment=held"] });
    expect((await d.cli(["demo"])).code).toBe(0);
    const run = await d.client.runs.submit.mutate({ yaml: DEMO, overrides: ['tags=["steps=30","interval=10"]'] });
    const waiting = await waitUntil(async () => {
      const r = await d.client.runs.get.query({ id: run.id });
      return r.job?.state === "PENDING" && !!r.job.pendingReason && r;
    }, 60_000, "the held job to be seen pending");
    expect(waiting.status).toBe("queued");
    expect(waiting.startedAt).toBeNull();
    expect(waiting.queue?.reason).toBe(`slurm job ${waiting.job!.id} PENDING: ${waiting.job!.pendingReason}`);
    expect(waiting.job!.pendingReason).toMatch(/Held/);
    await d.client.runs.cancel.mutate({ id: run.id });
    const r = await finished(d, run.id, 60_000);
    expect(r.status).toBe("cancelled");
    await waitUntil(async () => squeueAll(`trainyard-${run.id}`).every((l) => /\|CANCELLED$/.test(l)) || null, 30_000, "the held job cancelled in Slurm");
    expect(squeueAll(`trainyard-${run.id}`)).toEqual([`${waiting.job!.id}|CANCELLED`]);
  }, 300_000);

  it("daemon SIGKILL mid-job: the restarted daemon follows the same job to completed, one job in Slurm", async () => {
    const home = newHome();
    const first = await slurmDaemon({ home, env: FAKE_TRAINER_ENV });
    expect((await first.cli(["demo"])).code).toBe(0);
    const run = await first.client.runs.submit.mutate({ yaml: DEMO, overrides: ['tags=["steps=300","interval=30","ckpt_every=25"]'] });
    await waitUntil(async () => (await first.client.runs.get.query({ id: run.id })).step >= 40 || null, 120_000, "the job to train");
    first.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    const second = await slurmDaemon({ home, env: FAKE_TRAINER_ENV });
    const r = await finished(second, run.id, 120_000);
    expect(r.status, r.error ?? "").toBe("completed");
    expect(r.attempt).toBe(1);
    expect(r.restarts).toBe(0);
    expect(squeueAll(`trainyard-${run.id}`)).toEqual([`${r.job!.id}|COMPLETED`]);
    expect(await logsOf(second, run.id)).toMatch(/the daemon restarted: slurm job \d+ is still alive; following events\.jsonl again/);
    expect(expectEventsStoredOnce(home, run.id, "store-only")).toBeGreaterThan(300);
  }, 300_000);

  it("a job Slurm ends at its time limit is resubmitted and resumes from its last checkpoint", async () => {
    const d = await slurmDaemon({ env: FAKE_TRAINER_ENV });
    expect((await d.cli(["demo"])).code).toBe(0);
    // 3000 steps of 30 ms outlast the one-minute limit; the resubmitted attempt finishes the rest
    const run = await d.client.runs.submit.mutate({ yaml: DEMO, overrides: ['resources.time_limit="00:01:00"', 'tags=["steps=3000","interval=30","ckpt_every=20"]'] });
    const r = await finished(d, run.id, 400_000);
    expect(r.status, r.error ?? "").toBe("completed");
    expect(r.attempt).toBe(2);
    expect(r.restarts).toBe(1);
    const logs = await logsOf(d, run.id);
    expect(logs).toMatch(/Slurm ended job \d+ \(TIMEOUT\): it reached its time limit .*resubmitted \(restart 1 of 3\) to resume from checkpoints\/last\/checkpoint\.pt/);
    expect(logs).toMatch(/resumed at step [1-9]\d*/);
    expect(squeueAll(`trainyard-${run.id}`).map((l) => l.split("|")[1]).sort()).toEqual(["COMPLETED", "TIMEOUT"]);
    expectEventsStoredOnce(d.home, run.id, "store-only");
  }, 500_000);

  it("slurmctld down at submission: the run stays queued with the reason and goes on when it returns", async () => {
    const d = await slurmDaemon({ env: FAKE_TRAINER_ENV });
    expect((await d.cli(["demo"])).code).toBe(0);
    process.kill(slurmctldPid(), "SIGTERM"); // the controller this test's cluster started
    await waitUntil(async () => spawnSync("squeue", [], { env: { ...process.env, ...slurmEnv } }).status !== 0 || null, 30_000, "slurmctld to stop");
    try {
      const run = await d.client.runs.submit.mutate({ yaml: DEMO, overrides: ['tags=["steps=30","interval=10"]'] });
      const waiting = await waitUntil(async () => {
        const r = await d.client.runs.get.query({ id: run.id });
        return r.job?.pendingReason?.includes("controller does not answer") && r;
      }, 60_000, "the controller's absence on the run");
      // queued: nothing runs yet; the queue reason says what it waits for
      expect(waiting.status).toBe("queued");
      expect(waiting.queue?.reason).toMatch(/^slurm: the Slurm controller does not answer/);
      expect(waiting.job?.id).toBe("");
      expect((await d.cli(["show", run.id])).stdout).toMatch(/controller does not answer/);
      cluster("start");
      const r = await finished(d, run.id, 120_000);
      expect(r.status, r.error ?? "").toBe("completed");
      expect(r.job?.id).toMatch(/^\d+$/);
    } finally {
      cluster("start");
    }
  }, 300_000);

  describe("bad input", () => {
    it("an unknown partition stops the daemon at start; a run refused at submit names the partitions", async () => {
      await expect(slurmDaemon({ args: ["--executor", "slurm", "--slurm-partition", "nosuch"] })).rejects.toThrow(/Slurm has no partition "nosuch" \(sinfo lists debug\)/);
      const d = await slurmDaemon({ args: ["--slurm-partition", "nosuch"], env: FAKE_TRAINER_ENV });
      expect((await d.cli(["demo"])).code).toBe(0);
      await expect(d.client.runs.submit.mutate({ yaml: DEMO, overrides: ["resources.executor=slurm"] })).rejects.toThrow(/resources\.executor.*no partition "nosuch"/s);
    }, 120_000);

    it("a home the nodes do not share stops the daemon at start, saying so", () => {
      // the daemon in its own mount namespace, its home on a tmpfs that only it sees: the nodes cannot read it
      const dir = newHome();
      const bin = join(REPO, "bin", "trainyard.mjs");
      const res = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", `mount -t tmpfs tmpfs ${dir} && exec "$0" ${bin} daemon --home ${dir}/home --port 0 --no-web --executor slurm --slurm-partition debug`, process.execPath], {
        env: { ...process.env, ...slurmEnv, ...FAKE_TRAINER_ENV },
        encoding: "utf8",
        timeout: 120_000,
      });
      if (res.status !== 1 && /unshare|mount/.test(res.stderr) && !/trainyard daemon/.test(res.stderr)) return console.warn(`skipped: no private mount namespace here (${res.stderr.trim()})`);
      expect(res.status, res.stdout + res.stderr).toBe(1);
      expect(res.stderr).toMatch(/TRAINYARD_HOME .*home does not look shared with the Slurm nodes: a probe job \(\d+\) could not copy/);
    }, 150_000);

    it("more nodes than the partition has: refused at submit", async () => {
      const d = await slurmDaemon({ env: FAKE_TRAINER_ENV });
      expect((await d.cli(["demo"])).code).toBe(0);
      await expect(d.client.runs.submit.mutate({ yaml: DEMO, overrides: ["resources.nodes=3"] })).rejects.toThrow(/resources\.nodes.*3 nodes asked for, but Slurm partition debug has 2/s);
    }, 120_000);

    it("a job sbatch refuses: its message is the run's error", async () => {
      const d = await slurmDaemon({ env: FAKE_TRAINER_ENV, args: ["--executor", "slurm", "--slurm-partition", "debug", "--slurm-args=--mem=999999999"] });
      expect((await d.cli(["demo"])).code).toBe(0);
      const run = await d.client.runs.submit.mutate({ yaml: DEMO });
      const r = await finished(d, run.id, 60_000);
      expect(r.status).toBe("failed");
      expect(r.error).toMatch(/sbatch refused the job: sbatch: error: .*(memory|node configuration)/is);
    }, 120_000);

    it("sbatch missing from the daemon's PATH: the run fails saying so", async () => {
      // a PATH with node and every Slurm client command but sbatch
      const bin = join(newHome(), "bin");
      mkdirSync(bin);
      for (const c of ["node", "sinfo", "squeue", "scancel", "scontrol", "sacct", "bash", "sh", "cat", "env"]) {
        const path = execFileSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" }).trim();
        if (path) symlinkSync(path, join(bin, c));
      }
      const d = await slurmDaemon({ env: { ...FAKE_TRAINER_ENV, PATH: bin }, args: ["--slurm-partition", "debug"] });
      expect((await d.cli(["demo"])).code).toBe(0);
      const run = await d.client.runs.submit.mutate({ yaml: DEMO, overrides: ["resources.executor=slurm"] });
      const r = await finished(d, run.id, 60_000);
      expect(r.status).toBe("failed");
      expect(r.error).toMatch(/sbatch was not found on the daemon's PATH/);
    }, 120_000);
  });
});

describe("the local executor", () => {
  it("refuses nodes > 1 at submit and says how to enable Slurm", async () => {
    const d = await startDaemon({ env: FAKE_TRAINER_ENV });
    daemons.push(d);
    expect((await d.cli(["demo"])).code).toBe(0);
    await expect(d.client.runs.submit.mutate({ yaml: DEMO, overrides: ["resources.nodes=2"] })).rejects.toThrow(/resources\.nodes.*2 nodes asked for.*local executor.*--executor slurm --slurm-partition/s);
  }, 120_000);
});
