// When the daemon needs tokens: bound to loopback it trusts the machine's users (no login); bound to
// anything else every request must carry a token. TRAINYARD_AUTH=required forces tokens on loopback too.
import { isIP } from "node:net";

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

export function authRequired(bindHost: string, env = process.env.TRAINYARD_AUTH): boolean {
  if (env === "required") return true;
  return !isLoopbackHost(bindHost);
}
