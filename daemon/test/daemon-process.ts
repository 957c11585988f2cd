// Test harness: a real daemon process on a fresh TRAINYARD_HOME and an ephemeral port, plus the real CLI.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { makeClient } from "../src/cli/client.ts";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(REPO, "bin", "trainyard.mjs");

export interface DaemonProcess {
  url: string;
  home: string;
  child: ChildProcess;
  client: ReturnType<typeof makeClient>;
  cli(args: string[], env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Environment for a daemon whose trainers are the fake trainer script (no PyTorch, fast, scriptable by tags). */
export const FAKE_TRAINER_ENV = { TRAINYARD_TRAINER_CMD: `${process.execPath} ${join(REPO, "daemon/test/fake-trainer.mjs")}`, TRAINYARD_KILL_GRACE_MS: "3000" };

export async function startDaemon(opts: { env?: Record<string, string>; home?: string; web?: boolean; args?: string[]; token?: string } = {}): Promise<DaemonProcess> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), "trainyard-test-"));
  const args = [BIN, "daemon", "--home", home, "--port", "0", ...(opts.web ? [] : ["--no-web"]), ...(opts.args ?? [])];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = output.match(/trainyard daemon on (http:\/\/[\d.]+:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace("0.0.0.0", "127.0.0.1"));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d) => (output += d.toString()));
    child.on("exit", (code) => reject(new Error(`daemon exited (${code}):\n${output}`)));
  });
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries({ ...process.env, TRAINYARD_URL: url, TRAINYARD_HOME: home, TRAINYARD_TOKEN: opts.token }).filter((e): e is [string, string] => e[1] !== undefined),
  ) as NodeJS.ProcessEnv;
  return {
    url,
    home,
    child,
    client: withToken(opts.token, () => makeClient(url)),
    cli: (cliArgs, extraEnv = {}) =>
      new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...cliArgs], { cwd: REPO, env: { ...env, ...extraEnv }, timeout: 600_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      if (!opts.home) rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A client that sends `token` (makeClient reads TRAINYARD_TOKEN when it is built). */
export function withToken<T>(token: string | undefined, make: () => T): T {
  const before = process.env.TRAINYARD_TOKEN;
  if (token) process.env.TRAINYARD_TOKEN = token;
  else delete process.env.TRAINYARD_TOKEN;
  try {
    return make();
  } finally {
    if (before === undefined) delete process.env.TRAINYARD_TOKEN;
    else process.env.TRAINYARD_TOKEN = before;
  }
}

/** Poll a condition on the run (tests only; the product pushes). */
export async function waitUntil<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 120_000, what = "condition"): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
