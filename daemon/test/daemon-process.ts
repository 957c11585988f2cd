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

export async function startDaemon(opts: { env?: Record<string, string>; home?: string; web?: boolean } = {}): Promise<DaemonProcess> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), "trainyard-test-"));
  const args = [BIN, "daemon", "--home", home, "--port", "0", ...(opts.web ? [] : ["--no-web"])];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${output}`)), 60_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = output.match(/trainyard daemon on (http:\/\/[\d.]+:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d) => (output += d.toString()));
    child.on("exit", (code) => reject(new Error(`daemon exited (${code}):\n${output}`)));
  });
  const env = { ...process.env, TRAINYARD_URL: url };
  return {
    url,
    home,
    child,
    client: makeClient(url),
    cli: (cliArgs, extraEnv = {}) =>
      new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...cliArgs], { cwd: REPO, env: { ...env, ...extraEnv }, timeout: 600_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      }),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      if (!opts.home) rmSync(home, { recursive: true, force: true });
    },
  };
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
