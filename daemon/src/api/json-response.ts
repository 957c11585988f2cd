// A JSON answer from the daemon's plain HTTP routes (everything outside tRPC): health, sign-in, downloads'
// refusals, CSV export refusals.
import type { ServerResponse } from "node:http";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}
