// A daemon bound beyond loopback: tokens required (401 without), users bootstrapped through the store,
// owners and admins, the sign-in cookie, cross-site refusals, file routes that never leave the home.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeClient } from "../src/cli/client.ts";
import { FAKE_TRAINER_ENV, REPO, startDaemon, waitUntil, withToken, type DaemonProcess } from "./daemon-process.ts";

const DEMO = readFileSync(join(REPO, "configs/demo.yaml"), "utf8");
let d: DaemonProcess;
let admin = "";
let alice = "";
let bob = "";
const as = (token: string) => withToken(token, () => makeClient(d.url));

beforeAll(async () => {
  d = await startDaemon({ env: FAKE_TRAINER_ENV, args: ["--host", "0.0.0.0", "--cpu-slots", "2"] });
});
afterAll(async () => d?.stop());

describe("tokens off loopback", () => {
  it("answers 401 with what to do when no token or a wrong one is sent", async () => {
    const res = await fetch(`${d.url}/api/trpc/runs.list`);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).toMatch(/requires a token: set TRAINYARD_TOKEN/);
    expect((await fetch(`${d.url}/api/trpc/runs.list`, { headers: { authorization: "Bearer ty_nope" } })).status).toBe(401);
    expect((await fetch(`${d.url}/api/runs/x/checkpoints/best/download`)).status).toBe(401);
    expect((await fetch(`${d.url}/api/export/metrics.csv?run=x&key=train/loss`)).status).toBe(401);
    const page = await fetch(`${d.url}/runs/new`, { redirect: "manual" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/sign-in?next=%2Fruns%2Fnew");
    const cli = await d.cli(["runs"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/TRAINYARD_TOKEN/);
  });

  it("bootstraps the first admin through the store, then adds members through the API", async () => {
    const first = await d.cli(["user", "add", "root", "--admin"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/directly to .*trainyard\.db/);
    admin = first.stdout.trim();
    expect(admin).toMatch(/^ty_[\w-]{40,}$/);
    const a = await d.cli(["user", "add", "alice"], { TRAINYARD_TOKEN: admin });
    expect(a.stderr).toMatch(/through http/);
    alice = a.stdout.trim();
    bob = (await d.cli(["user", "add", "bob"], { TRAINYARD_TOKEN: admin })).stdout.trim();
    const denied = await d.cli(["user", "add", "mallory"], { TRAINYARD_TOKEN: bob });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/bob is not an admin/);
    const dbText = readFileSync(join(d.home, "trainyard.db")).toString("latin1");
    expect(dbText).not.toContain(alice); // only hashes are stored
    expect(await as(alice).users.me.query()).toEqual({ name: "alice", admin: false, authRequired: true });
  });

  it("lets only the owner or an admin cancel or delete a run", async () => {
    expect((await as(admin).datasets.createDemo.mutate()).name).toBe("demo");
    const run = await as(alice).runs.submit.mutate({ yaml: DEMO, overrides: ['tags=["steps=300","interval=20"]'] });
    expect(run.owner).toBe("alice");
    await expect(as(bob).runs.cancel.mutate({ id: run.id })).rejects.toThrow(/belongs to alice; only alice or an admin may cancel it/);
    await expect(as(bob).runs.delete.mutate({ id: run.id })).rejects.toThrow(/only alice or an admin may delete it/);
    expect((await as(admin).runs.cancel.mutate({ id: run.id })).id).toBe(run.id);
    await waitUntil(async () => (await as(alice).runs.get.query({ id: run.id })).status === "cancelled", 30_000, "cancelled");
    await as(alice).runs.delete.mutate({ id: run.id });
  });
});

describe("the browser session", () => {
  it("signs in with a token into an HttpOnly SameSite=Strict cookie, and refuses cross-site changes", async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(d.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    expect((await post("/api/auth/sign-in", { token: "ty_wrong" })).status).toBe(401);
    expect((await post("/api/auth/sign-in", { token: 5 })).status).toBe(400);
    const ok = await post("/api/auth/sign-in", { token: alice });
    expect(ok.status).toBe(200);
    const setCookie = ok.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^trainyard_session=ty_.*; HttpOnly; SameSite=Strict; Path=\//);
    const cookie = setCookie.split(";")[0];
    const list = await fetch(`${d.url}/api/trpc/runs.list`, { headers: { cookie } });
    expect(list.status).toBe(200);

    const mutation = (headers: Record<string, string>) => post("/api/trpc/runs.cancel", { id: "nope" }, { cookie, ...headers });
    expect((await mutation({ origin: "https://evil.example" })).status).toBe(403);
    expect((await mutation({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    const form = await fetch(`${d.url}/api/trpc/runs.cancel`, { method: "POST", headers: { cookie, "content-type": "text/plain" }, body: '{"id":"nope"}' });
    expect(form.status).toBe(415);
    const sameOrigin = await mutation({ origin: d.url, "sec-fetch-site": "same-origin" });
    expect(sameOrigin.status).toBe(404); // allowed through: the run simply does not exist
  });
});

describe("files and sizes", () => {
  it("serves only checkpoint files inside the run folder, never through a symlink or a crafted path", async () => {
    const client = as(admin);
    const run = await client.runs.submit.mutate({ yaml: DEMO, overrides: ['tags=["steps=2","symlink_ckpt=1","ckpt_every=1"]'] });
    await waitUntil(async () => (await client.runs.get.query({ id: run.id })).status === "completed", 30_000, "completed");
    const auth = { authorization: `Bearer ${admin}` };
    const last = await fetch(`${d.url}/api/runs/${run.id}/checkpoints/last/download`, { headers: auth });
    expect(last.status).toBe(200);
    for (const path of [
      `/api/runs/${run.id}/checkpoints/evil/download`, // recorded, but a symlink out of the home
      `/api/runs/${run.id}/checkpoints/..%2F..%2F..%2Ftrainyard.db/download`,
      `/api/runs/${run.id}/checkpoints/%2e%2e%2f%2e%2e%2ftrainyard.db/download`,
      `/api/runs/..%2F..%2Fetc/checkpoints/best/download`,
      `/api/runs/${run.id}/checkpoints/last%00/download`,
      `/api/runs/${run.id}/checkpoints/..%5C..%5Ctrainyard.db/download`,
      `/api/runs/%E0%A4%A/checkpoints/best/download`,
    ]) {
      const res = await fetch(d.url + path, { headers: auth });
      expect([400, 404], path).toContain(res.status);
      expect(await res.text()).not.toContain("secret outside the home");
    }
  });

  it("rejects oversized inputs with a message", async () => {
    await expect(as(admin).runs.submit.mutate({ yaml: "x".repeat(200_001) })).rejects.toThrow(/yaml: .*200000/);
    const big = await fetch(`${d.url}/api/trpc/runs.submit`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: JSON.stringify({ yaml: "y".repeat(2_000_000) }),
    });
    expect(big.status).toBe(413);
    expect(JSON.stringify(await big.json())).toMatch(/message/);
  });
});
