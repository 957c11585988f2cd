// POST /api/auth/sign-in {token} sets the HttpOnly, SameSite=Strict session cookie the dashboard uses;
// POST /api/auth/sign-out clears it. The token itself never reaches page JavaScript after sign-in.
import type { IncomingMessage, ServerResponse } from "node:http";
import { userByToken, type Db } from "@trainyard/db";
import { sendJson } from "../api/json-response.ts";
import { SESSION_COOKIE } from "./request-user.ts";

const MAX_BODY = 4096;
const SESSION_SECONDS = 30 * 24 * 3600;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, body, { "cache-control": "no-store", ...headers });
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(null));
  });
}

function cookie(value: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export async function signIn(db: Db, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === null) return send(res, 413, { error: `request body over ${MAX_BODY} bytes` });
  let token: unknown;
  try {
    token = (JSON.parse(body) as { token?: unknown }).token;
  } catch {
    return send(res, 400, { error: 'expected a JSON body {"token": "ty_..."}' });
  }
  if (typeof token !== "string" || !token.trim() || token.length > 200) return send(res, 400, { error: "token: expected the token string `trainyard user add` printed" });
  const user = userByToken(db, token.trim());
  if (!user) return send(res, 401, { error: "unknown token: check for a typo, or ask an admin for a new one (`trainyard user add NAME`)" });
  const secure = req.headers["x-forwarded-proto"] === "https";
  send(res, 200, { name: user.name, admin: user.admin }, { "set-cookie": cookie(token.trim(), SESSION_SECONDS, secure) });
}

export function signOut(res: ServerResponse): void {
  send(res, 200, { ok: true }, { "set-cookie": cookie("", 0, false) });
}
