// Before the browser suite: a real daemon (with the built dashboard) on a fresh TRAINYARD_HOME, with the
// demo dataset imported. Returns the teardown.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { E2E_PORT } from "../playwright.config.ts";

export default async function globalSetup() {
  const url = `http://127.0.0.1:${E2E_PORT}`;
  // another daemon on the port would answer for ours (and ours would exit): the suite would test old code
  const taken = await fetch(`${url}/healthz`).then(() => true, () => false);
  if (taken) throw new Error(`port ${E2E_PORT} is already in use (a daemon left running?): stop it, or set TRAINYARD_E2E_PORT`);
  const home = mkdtempSync(join(tmpdir(), "trainyard-e2e-"));
  const child = spawn(process.execPath, ["bin/trainyard.mjs", "daemon", "--home", home, "--port", String(E2E_PORT)], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the daemon exited with ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/healthz`);
      // the daemon renders each dashboard page once at start; a page that fails to render fails here
      const web = res.ok ? ((await res.json()) as { web?: string }).web : "warming";
      if (web === "failed") throw new Error("the daemon could not render its dashboard pages at start (/healthz web: failed)");
      if (res.ok && web !== "warming") break;
    } catch (e) {
      if (e instanceof Error && e.message.includes("web: failed")) throw e;
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error("the daemon did not answer /healthz within 120 s");
    await new Promise((r) => setTimeout(r, 300));
  }
  const demo = spawn(process.execPath, ["bin/trainyard.mjs", "demo"], { stdio: "inherit", env: { ...process.env, TRAINYARD_URL: url } });
  const code = await new Promise((r) => demo.on("exit", r));
  if (code !== 0) throw new Error(`trainyard demo failed (${code})`);
  return async () => {
    // an already-exited child never emits "exit" again: waiting for it would end the run with no summary
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  };
}
