// Thousands of malformed tRPC requests at a running daemon: each gets a 4xx with a message, and the
// daemon keeps serving. Inputs are invalid by construction (wrong top-level types, bad fields, broken
// JSON, unknown procedures, wrong methods), so any 2xx or 5xx is a bug. Subscriptions (SSE) carry their
// error as a serialized-error event with its HTTP status inside, which is what EventSource clients see.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/api/router.ts";
import { FAKE_TRAINER_ENV, startDaemon, type DaemonProcess } from "./daemon-process.ts";

let d: DaemonProcess;
beforeAll(async () => {
  d = await startDaemon({ env: FAKE_TRAINER_ENV });
});
afterAll(async () => d?.stop());

type Proc = { path: string; type: string; hasInput: boolean };
const procedures: Proc[] = Object.entries((appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string; inputs: unknown[] } }> } })._def.procedures).map(
  ([path, p]) => ({ path, type: p._def.type, hasInput: p._def.inputs.length > 0 }),
);

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];

const WRONG_TOP = [0, -1, 1e308, "", "x", "runs", true, false, null, [], [1, 2], [{}], "\u0000", "💥".repeat(50)];
// Field-level garbage for procedures whose input shape this test knows (any of these is invalid for each).
const BAD_FIELDS: Record<string, unknown[]> = {
  "runs.get": [{ id: 5 }, { id: "" }, { id: "x".repeat(65) }, { id: null }, { id: ["a"] }, {}],
  "runs.series": [{ id: "r", keys: "k" }, { id: "r", keys: [] }, { id: "r", keys: ["a"], maxPoints: 1 }, { id: "r", keys: ["a"], maxPoints: 1e9 }, { keys: ["a"] }],
  "runs.list": [{ limit: -1 }, { limit: 1e9 }, { status: ["exploded"] }, { offset: 0.5 }, { sort: "password" }, { zzz: 1 }],
  "runs.submit": [{ yaml: 7 }, { yaml: "" }, { yaml: "a", overrides: "x=1" }, { overrides: [] }],
  "runs.cancel": [{ id: 1 }, { id: { $ne: 1 } }, {}],
  "users.add": [{ name: "" }, { name: "../etc" }, { name: "a b" }, { name: "x", admin: "yes" }],
  "checkpoints.list": [{ runId: 1 }, { runId: "" }, {}],
};
const BROKEN_JSON = ["{", "}", "[", '{"id":', "{'id':'x'}", "nul", "NaN", "\u0000", "%", "%E0%A4%A", '{"id":"' + "a".repeat(5000)];

function send(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const u = new URL(d.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers: body !== undefined ? { "content-type": "application/json", ...headers } : headers }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function oneCase(i: number): { method: string; path: string; body?: string; headers?: Record<string, string> } {
  const withInput = procedures.filter((p) => p.hasInput);
  const p = pick(withInput);
  const kind = i % 6;
  if (kind === 1) {
    const [path, inputs] = pick(Object.entries(BAD_FIELDS));
    const json = encodeURIComponent(JSON.stringify(pick(inputs)));
    return path === "runs.submit" || path === "runs.cancel" || path === "users.add" ? { method: "POST", path: `/api/trpc/${path}`, body: decodeURIComponent(json) } : { method: "GET", path: `/api/trpc/${path}?input=${json}` };
  }
  const input = kind === 0 ? pick(WRONG_TOP) : undefined;
  if (kind === 2) {
    const raw = pick(BROKEN_JSON);
    return p.type === "mutation" ? { method: "POST", path: `/api/trpc/${p.path}`, body: raw } : { method: "GET", path: `/api/trpc/${p.path}?input=${raw.startsWith("%") ? raw : encodeURIComponent(raw)}` };
  }
  if (kind === 3) {
    const path = `/api/trpc/${pick(["nope", "runs.nope", "runs..get", "__proto__", "runs.get,nope", "constructor"])}?input=1`;
    return rand() < 0.5 ? { method: "GET", path } : { method: "POST", path, body: "{}" };
  }
  if (kind === 4) {
    // a mutation over GET, or a subscription/query over POST
    const m = pick(procedures.filter((x) => x.type === "mutation"));
    return rand() < 0.5 ? { method: "GET", path: `/api/trpc/${m.path}?input=${encodeURIComponent(JSON.stringify({ id: "r" }))}` } : { method: "POST", path: `/api/trpc/${pick(procedures.filter((x) => x.type !== "mutation")).path}`, body: "{}" };
  }
  if (kind === 5) return { method: "GET", path: `/api/trpc/runs.get,runs.series?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: pick(WRONG_TOP), 1: pick(BAD_FIELDS["runs.series"]) }))}` };
  const json = JSON.stringify(input) ?? "null";
  return p.type === "mutation" ? { method: "POST", path: `/api/trpc/${p.path}`, body: json } : { method: "GET", path: `/api/trpc/${p.path}?input=${encodeURIComponent(json)}` };
}

describe("malformed tRPC input", () => {
  it("gets a 4xx with a message for every one of 3,000 requests, and the daemon stays up", async () => {
    const failures: string[] = [];
    for (let i = 0; i < 3000; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, j) => {
          const c = oneCase(i + j);
          const res = await send(c.method, c.path, c.body, c.headers);
          let message = "";
          // subscriptions answer over SSE, where tRPC reports errors in-stream (EventSource cannot read a status)
          const sse = res.text.match(/event: serialized-error\ndata: (.*)/);
          if (res.status === 200 && sse) {
            const err = JSON.parse(sse[1]) as { message?: string; data?: { httpStatus?: number } };
            if (!err.message || !err.data?.httpStatus || err.data.httpStatus < 400 || err.data.httpStatus >= 500) failures.push(`${c.method} ${c.path} -> SSE ${sse[1].slice(0, 200)}`);
            return;
          }
          try {
            const body = JSON.parse(res.text);
            const first = Array.isArray(body) ? body.find((b) => b.error) : body;
            message = typeof first?.error === "string" ? first.error : (first?.error?.message ?? first?.error?.json?.message ?? "");
          } catch {
            message = "";
          }
          if (res.status < 400 || res.status >= 500 || !message) failures.push(`${c.method} ${c.path.slice(0, 120)} ${c.body?.slice(0, 60) ?? ""} -> ${res.status} ${res.text.slice(0, 200)}`);
        }),
      );
    }
    expect(failures.slice(0, 10), `${failures.length} bad answers`).toEqual([]);
    expect((await fetch(`${d.url}/healthz`)).status).toBe(200);
    expect((await d.client.runs.list.query()).length).toBe(0); // nothing malformed created a run
    expect(d.child.exitCode).toBeNull();
  });

  it("refuses a rebound DNS name on a loopback daemon", async () => {
    const res = await send("GET", "/api/trpc/runs.list", undefined, { host: "evil.example:7070" });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text).error).toMatch(/Host "evil.example:7070" refused/);
  });
});
