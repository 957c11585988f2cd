// The registry on a daemon that requires tokens (fake trainer, so no real model): a model belongs to whoever
// registered it first; others may not add versions or move aliases, admins may; export downloads need a token;
// a failed export build is reported with the trainer's words and not remembered; a frozen checkpoint whose
// sha256 changed is refused.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeClient } from "../src/cli/client.ts";
import { FAKE_TRAINER_ENV, REPO, startDaemon, waitUntil, withToken, type DaemonProcess } from "./daemon-process.ts";

const DEMO = readFileSync(join(REPO, "configs/demo.yaml"), "utf8");
let d: DaemonProcess;
let admin = "";
let alice = "";
let bob = "";
let runId = "";
const as = (token: string) => withToken(token, () => makeClient(d.url));

beforeAll(async () => {
  d = await startDaemon({ env: FAKE_TRAINER_ENV, args: ["--host", "0.0.0.0"] });
  admin = (await d.cli(["user", "add", "root", "--admin"])).stdout.trim();
  alice = (await d.cli(["user", "add", "alice"], { TRAINYARD_TOKEN: admin })).stdout.trim();
  bob = (await d.cli(["user", "add", "bob"], { TRAINYARD_TOKEN: admin })).stdout.trim();
  expect((await d.cli(["demo"], { TRAINYARD_TOKEN: admin })).code).toBe(0);
  const run = await as(alice).runs.submit.mutate({ yaml: DEMO, overrides: ['tags=["steps=4","interval=2","best_at=2","ckpt_every=2"]', "resources.gpus=0"] });
  runId = run.id;
  await waitUntil(async () => (await as(alice).runs.get.query({ id: run.id })).status === "completed", 60_000, "completed");
});
afterAll(async () => d?.stop());

describe("model owners", () => {
  it("lets the owner and admins change a model, nobody else", async () => {
    const v1 = await as(alice).models.register.mutate({ runId, name: "alice-model" });
    expect(v1.ref).toBe("alice-model@1");
    await expect(as(bob).models.register.mutate({ runId, name: "alice-model" })).rejects.toThrow("model alice-model belongs to alice; only alice or an admin may register new versions of it");
    await expect(as(bob).models.alias.mutate({ name: "alice-model", version: 1, alias: "production" })).rejects.toThrow("only alice or an admin may move its aliases");
    expect((await as(alice).models.alias.mutate({ name: "alice-model", version: 1, alias: "staging" })).moved).toBe(true);
    expect((await as(admin).models.register.mutate({ runId, checkpoint: "last", name: "alice-model" })).version).toBe(2);
    expect((await as(admin).models.alias.mutate({ name: "alice-model", version: 2, alias: "staging" })).from).toBe(1);
    const show = await as(bob).models.get.query({ name: "alice-model" });
    expect(show.owner).toBe("alice");
    expect(show.versions.map((v) => v.owner)).toEqual(["alice", "root"]);
    expect(show.aliasHistory.map((h) => `${h.alias} ${h.from}→${h.to} ${h.by}`)).toEqual(["staging null→1 alice", "staging 1→2 root"]);
    // anyone may start a model of their own
    expect((await as(bob).models.register.mutate({ runId, name: "bobs" })).ref).toBe("bobs@1");
  });
});

describe("export downloads", () => {
  it("need a token, report a failed build with the trainer's error, and build again on the next request", async () => {
    const url = `${d.url}/api/models/alice-model/versions/1/export/onnx`;
    expect((await fetch(url)).status).toBe(401);
    const auth = { headers: { authorization: `Bearer ${bob}` } };
    const first = await fetch(url, auth);
    expect(first.status).toBe(500);
    const error = (await first.json()).error as string;
    expect(error).toMatch(/^the onnx export of alice-model@1 failed \(exit 1\): /);
    expect(error).toContain("cannot export");
    // a failure is not cached: the next request runs the build again (and fails the same way)
    const again = await fetch(url, auth);
    expect(again.status).toBe(500);
    expect((await again.json()).error).toMatch(/^the onnx export of alice-model@1 failed/);
  }, 120_000);

  it("refuses to export a version whose frozen checkpoint no longer has its sha256", async () => {
    // a new file, not a write through the hard link the version shares with the run's checkpoint
    const frozen = join(d.home, "models", "bobs", "1", "checkpoint.pt");
    rmSync(frozen);
    writeFileSync(frozen, "changed");
    const res = await fetch(`${d.url}/api/models/bobs/versions/latest/export/torchscript`, { headers: { authorization: `Bearer ${bob}` } });
    expect(res.status).toBe(409);
    expect((await res.json()).error).toMatch(/^bobs@1: its frozen checkpoint .* no longer has the sha256 recorded at registration; register the run's checkpoint again$/);
  });
});
