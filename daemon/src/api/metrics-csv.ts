// GET /api/export/metrics.csv?run=<id>&run=<id>&key=<metric>&key=<metric>[&filename=<name>.csv]: every stored
// point of the runs' series as CSV (packages/db/src/csv-export.ts), streamed while it is read;
// /api/export/metrics.jsonl takes the same parameters and sends JSON lines (`trainyard metrics --format json`). The
// browser saves it as a download as it arrives, so an export of millions of rows never sits whole in the
// daemon's memory or the page's. It writes at the pace the connection takes (waits on `drain`), gives the
// event loop a turn between chunks (live ingest and other users go on during a large export), and stops
// reading when the browser goes away. Bad parameters are refused before the first byte.
import type { IncomingMessage, ServerResponse } from "node:http";
import { csvChunks, getRun, jsonLineChunks } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { sendJson } from "./json-response.ts";

export const CSV_MAX_RUNS = 100;
export const CSV_MAX_KEYS = 200;

type Refusal = { status: number; error: string };

/** The runs, keys and file name a request names, or why it cannot be served. */
export type ExportFormat = "csv" | "jsonl";

export function parseCsvRequest(daemon: Daemon, params: URLSearchParams, format: ExportFormat = "csv"): { runs: string[]; keys: string[]; filename: string } | Refusal {
  const runs = params.getAll("run").filter(Boolean);
  const keys = params.getAll("key").filter(Boolean);
  const usage = `name runs and metric keys as repeated parameters: /api/export/metrics.${format}?run=<id>&key=train/loss`;
  if (!runs.length) return { status: 400, error: `no run given: ${usage}` };
  if (!keys.length) return { status: 400, error: `no metric key given: ${usage}` };
  if (runs.length > CSV_MAX_RUNS) return { status: 400, error: `${runs.length} runs asked for; at most ${CSV_MAX_RUNS} per export` };
  if (keys.length > CSV_MAX_KEYS) return { status: 400, error: `${keys.length} keys asked for; at most ${CSV_MAX_KEYS} per export` };
  const unknown = runs.filter((id) => !getRun(daemon.store.db, id));
  if (unknown.length) return { status: 404, error: `no run ${unknown.map((id) => JSON.stringify(id.slice(0, 100))).join(", ")}` };
  const name = (params.get("filename") ?? "").replace(/[^\w.-]+/g, "_").slice(0, 120);
  const ext = `.${format}`;
  return { runs, keys, filename: name ? (name.endsWith(ext) ? name : `${name}${ext}`) : `metrics${ext}` };
}

export async function serveMetricsCsv(daemon: Daemon, req: IncomingMessage, res: ServerResponse, params: URLSearchParams, format: ExportFormat = "csv"): Promise<void> {
  if (req.method !== "GET") return sendJson(res, 405, { error: `${req.method} is not supported here; use GET` });
  const parsed = parseCsvRequest(daemon, params, format);
  if ("error" in parsed) return sendJson(res, parsed.status, { error: parsed.error });
  let gone = false;
  res.once("close", () => (gone = true));
  res.writeHead(200, {
    "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    "content-disposition": `attachment; filename="${parsed.filename}"`,
    "cache-control": "no-store",
  });
  try {
    const chunks = format === "csv" ? csvChunks : jsonLineChunks;
    for (const chunk of chunks(daemon.store.sqlite, parsed.runs, parsed.keys)) {
      if (gone) return;
      if (!res.write(chunk)) await new Promise<void>((resolve) => {
        const go = () => {
          res.off("drain", go);
          res.off("close", go);
          resolve();
        };
        res.on("drain", go);
        res.on("close", go);
      });
      else await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  } catch (e) {
    // the header is out: all that is left is to cut the download short, which the browser reports as failed
    console.error(`${format} export of ${parsed.runs.join(", ")} failed: ${e instanceof Error ? e.message : e}`);
    res.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}
