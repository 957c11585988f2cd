// GET /api/models/<name>/versions/<version|alias>/export/<onnx|torchscript>: a registered version's export,
// built on the first request (model-exports.ts; concurrent requests wait for the same build), then streamed.
import { createReadStream, statSync } from "node:fs";
import { basename } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Daemon } from "../daemon.ts";
import { ModelRegistryError, type RegistryErrorCode } from "../models/model-refs.ts";
import { resolveModelVersion } from "../models/registry.ts";
import { checkExportFormat, ensureExport, exportableOf } from "../models/model-exports.ts";
import { sendJson } from "./json-response.ts";

export const MODEL_EXPORT_ROUTE = /^\/api\/models\/([^/]+)\/versions\/([^/]+)\/export\/([^/]+)$/;

const STATUS: Record<RegistryErrorCode, number> = { BAD_REQUEST: 400, NOT_FOUND: 404, CONFLICT: 409, FORBIDDEN: 403, INTERNAL_SERVER_ERROR: 500 };

export async function serveModelExport(daemon: Daemon, req: IncomingMessage, res: ServerResponse, m: RegExpMatchArray): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: `${req.method} ${m[0]}: only GET or HEAD` }, { allow: "GET, HEAD" });
  let name: string, version: string, formatText: string;
  try {
    [name, version, formatText] = [m[1], m[2], m[3]].map(decodeURIComponent);
  } catch {
    return sendJson(res, 400, { error: "malformed model name, version or format in the URL" });
  }
  try {
    const format = checkExportFormat(formatText);
    const r = resolveModelVersion(daemon.store.db, `${name}@${version}`);
    const file = await ensureExport(daemon, exportableOf(r), format);
    if (res.destroyed) return;
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": statSync(file).size,
      "content-disposition": `attachment; filename="${r.model.name}-v${r.version.version}-${basename(file)}"`,
    });
    if (req.method === "HEAD") return void res.end();
    createReadStream(file).pipe(res);
  } catch (e) {
    if (e instanceof ModelRegistryError) return sendJson(res, STATUS[e.code], { error: e.message });
    sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
  }
}
