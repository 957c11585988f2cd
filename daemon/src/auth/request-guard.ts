// Cross-site protection, checked before any handler: a browser on another site must not be able to make
// the dashboard's origin change anything (CSRF), nor reach a loopback daemon through a rebound DNS name.
import type { IncomingMessage } from "node:http";
import { isLoopbackHost } from "./auth-mode.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hostOf(hostHeader: string): string {
  const m = hostHeader.match(/^\[([^\]]+)\](?::\d+)?$/) ?? hostHeader.match(/^([^:]+)(?::\d+)?$/);
  return (m?.[1] ?? hostHeader).toLowerCase();
}

/** null when the request may proceed, else the status and a message for the refusal. */
export function refuseRequest(req: IncomingMessage, opts: { authRequired: boolean }): { status: number; message: string } | null {
  const host = req.headers.host ?? "";
  // DNS rebinding: evil.example resolving to 127.0.0.1 is "same origin" to the browser, but not to us
  if (!opts.authRequired && host && !isLoopbackHost(hostOf(host)))
    return { status: 403, message: `Host "${host}" refused: this daemon is bound to loopback; open it as http://127.0.0.1 or http://localhost, or bind it to a network address (tokens then required)` };
  if (SAFE_METHODS.has(req.method ?? "GET")) return null;
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none")
    return { status: 403, message: `cross-site request refused (Sec-Fetch-Site: ${site}): changes can only come from the dashboard's own origin or the CLI` };
  const origin = req.headers.origin;
  if (typeof origin === "string" && origin !== "null") {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return { status: 403, message: `malformed Origin header "${origin.slice(0, 100)}"` };
    }
    if (originHost.toLowerCase() !== host.toLowerCase()) return { status: 403, message: `cross-origin request from ${origin} refused` };
  } else if (origin === "null") {
    return { status: 403, message: "request from an opaque origin refused" };
  }
  // A JSON body cannot be sent cross-site without a CORS preflight, which this daemon never grants.
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type))
    return { status: 415, message: `expected content-type application/json for ${req.method}, got "${type.slice(0, 100)}"` };
  return null;
}
