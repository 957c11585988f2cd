// POST /api/predict?target=RUN[:CHECKPOINT]|MODEL[@VERSION|@ALIAS]&metadata={...}: the image itself is the body
// (image/png, image/jpeg or application/octet-stream; see request-guard.ts for why not a form), read into memory
// up to the upload limit and never written to disk. GET /api/predict/target?target=...: the target's task,
// classes and metadata fields (the /try page builds its form from them). JSON answers; errors as {error}.
import type { IncomingMessage, ServerResponse } from "node:http";
import { PredictionMetadataSchema, type PredictionMetadata } from "@trainyard/protocol";
import type { Daemon } from "../daemon.ts";
import { describeTarget, predict } from "../models/prediction.ts";
import { PredictionError } from "../models/prediction-target.ts";
import { uploadLimits } from "../models/upload-image.ts";
import { sendJson } from "./json-response.ts";

export const PREDICT_ROUTE = "/api/predict";
export const PREDICT_TARGET_ROUTE = "/api/predict/target";

/** The body, or null (and a 413 sent) once it passes `limit` bytes. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (declared > limit) {
      sendJson(res, 413, { error: `the upload is ${declared} bytes, over the ${limit}-byte limit (TRAINYARD_PREDICT_MAX_BYTES)` }, { connection: "close" });
      req.resume();
      return resolve(null);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        if (!res.headersSent) sendJson(res, 413, { error: `the upload is over the ${limit}-byte limit (TRAINYARD_PREDICT_MAX_BYTES)` }, { connection: "close" });
        req.destroy();
        return resolve(null);
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    req.on("error", reject);
  });
}

function parseMetadata(text: string | null): PredictionMetadata {
  if (!text) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new PredictionError(`metadata is not JSON: ${text.slice(0, 100)} (expected {"field": value, ...})`);
  }
  const parsed = PredictionMetadataSchema.safeParse(raw);
  if (!parsed.success) throw new PredictionError(`metadata: expected {"field": value, ...} with numbers, booleans, strings or lists of strings; ${parsed.error.issues[0]?.path.join(".") || "(top level)"}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function fail(res: ServerResponse, e: unknown): void {
  if (e instanceof PredictionError) return sendJson(res, e.status, { error: e.message });
  console.error("predict:", e);
  sendJson(res, 500, { error: `prediction failed: ${(e as Error).message ?? String(e)}` });
}

export async function servePredict(daemon: Daemon, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
  if (req.method !== "POST") return sendJson(res, 405, { error: `POST an image to ${PREDICT_ROUTE}?target=...` }, { allow: "POST" });
  try {
    const target = params.get("target");
    if (!target) throw new PredictionError("no target: add ?target=RUN[:CHECKPOINT] or ?target=MODEL[@VERSION|@ALIAS]");
    const metadata = parseMetadata(params.get("metadata"));
    const image = await readBody(req, res, uploadLimits().maxBytes);
    if (!image) return;
    sendJson(res, 200, await predict(daemon, { target, image, metadata }));
  } catch (e) {
    fail(res, e);
  }
}

export async function servePredictTarget(daemon: Daemon, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
  if (req.method !== "GET") return sendJson(res, 405, { error: `GET ${PREDICT_TARGET_ROUTE}?target=...` }, { allow: "GET" });
  try {
    sendJson(res, 200, await describeTarget(daemon, params.get("target") ?? ""));
  } catch (e) {
    fail(res, e);
  }
}
