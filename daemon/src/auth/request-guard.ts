// Cross-site protection, checked before any handler: a browser on another site must not be able to make
// the dashboard's origin change anything (CSRF), nor reach a loopback daemon through a rebound DNS name.
import type { IncomingMessage } from "node:http";
import { isLoopbackHost } from "./auth-mode.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hostOf(hostHeader: string): string {
  const m = hostHeader.match(/^\[([^\]]+)\](?::\d+)?$/) ?? hostHeader.match(/^([^:]+)(?::\d+)?$/);
  return (m?.[1] ?? hostHeader).toLowerCase();
}

/**
 * Content types of a raw upload (POST /api/predict). None is CORS-safelisted, so another site cannot send one
 * without the preflight this daemon never grants, just as with JSON.
 */
export const RAW_UPLOAD_TYPES = /^(image\/png|image\/jpeg|application\/octet-stream)\b/i;

/**
 * null when the request may proceed, else the status and a message for the refusal. `rawUpload`: the route
 * takes an image body (RAW_UPLOAD_TYPES) instead of JSON.
 */
export function refuseRequest(req: IncomingMessage, opts: { authRequired: boolean; rawUpload?: boolean }): { status: number; message: string } | null {
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
  if (opts.rawUpload && RAW_UPLOAD_TYPES.test(type)) return null;
  if (opts.rawUpload)
    return { status: 415, message: `expected the image itself as the body (content-type image/png, image/jpeg or application/octet-stream), got "${type.slice(0, 100)}"` };
  if (!/^application\/json\b/i.test(type))
    return { status: 415, message: `expected content-type application/json for ${req.method}, got "${type.slice(0, 100)}"` };
  return null;
}
