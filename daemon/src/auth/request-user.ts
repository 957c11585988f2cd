// Who is asking: a Bearer token (CLI) or the session cookie the sign-in page set (browser), each checked
// against the stored token hashes. Without a token on a loopback daemon, the caller is the local admin.
import type { IncomingMessage } from "node:http";
import { userByToken, type Db } from "@trainyard/db";
import { LOCAL_USER } from "../daemon.ts";

export const SESSION_COOKIE = "trainyard_session";

export interface AuthUser {
  name: string;
  admin: boolean;
}

export type Identity =
  | { ok: true; user: AuthUser; via: "token" | "cookie" | "loopback" }
  | { ok: false; status: 401; message: string };

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function identify(db: Db, req: IncomingMessage, required: boolean): Identity {
  const auth = req.headers.authorization;
  const bearer = auth?.match(/^Bearer\s+(\S{1,200})$/i)?.[1] ?? null;
  const token = bearer ?? readCookie(req.headers.cookie, SESSION_COOKIE);
  if (token) {
    const user = token.length <= 200 ? userByToken(db, token) : undefined;
    if (user) return { ok: true, user: { name: user.name, admin: user.admin }, via: bearer ? "token" : "cookie" };
    return { ok: false, status: 401, message: bearer ? "the token in TRAINYARD_TOKEN is not valid (revoked or mistyped); ask an admin for a new one (`trainyard user add`)" : "your session is no longer valid; sign in again at /sign-in" };
  }
  if (auth) return { ok: false, status: 401, message: 'malformed Authorization header: expected "Bearer <token>"' };
  if (required) return { ok: false, status: 401, message: "this daemon requires a token: set TRAINYARD_TOKEN (CLI) or sign in at /sign-in (browser); an admin creates one with `trainyard user add NAME`" };
  return { ok: true, user: { name: LOCAL_USER, admin: true }, via: "loopback" };
}
