// The daemon's one HTTP origin: /healthz, tRPC at /api/trpc (queries, mutations, SSE subscriptions),
// streamed checkpoint downloads, metric CSV exports, predictions from an uploaded image (/api/predict), and the
// Next.js dashboard for everything else.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { getCheckpoint, getRun } from "@trainyard/db";
import { appRouter } from "./api/router.ts";
import type { Daemon } from "./daemon.ts";
import { CHECKPOINT_FILE } from "./runs/checkpoint-refs.ts";
import { servableFileIn } from "./runs/run-files.ts";
import { authRequired } from "./auth/auth-mode.ts";
import { identify } from "./auth/request-user.ts";
import { sendJson } from "./api/json-response.ts";
import { serveMetricsCsv } from "./api/metrics-csv.ts";
import { SAMPLE_IMAGE_ROUTE, serveSampleImage } from "./api/sample-images.ts";
import { MODEL_EXPORT_ROUTE, serveModelExport } from "./api/model-export-route.ts";
import { startPageReads } from "./api/page-reads.ts";
import { refuseRequest } from "./auth/request-guard.ts";
import { signIn, signOut } from "./auth/session-routes.ts";
import { PREDICT_ROUTE, PREDICT_TARGET_ROUTE, servePredict, servePredictTarget } from "./api/predict-route.ts";

export const WEB_DIR = fileURLToPath(new URL("../../apps/web", import.meta.url));

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** GET /api/runs/<id>/checkpoints/<name>/download: only checkpoints the store knows, inside the run folder. */
function downloadHandler(daemon: Daemon): (req: IncomingMessage, res: ServerResponse, m: RegExpMatchArray) => void {
  return (req, res, m) => {
    let id: string, name: string;
    try {
      id = decodeURIComponent(m[1]);
      name = decodeURIComponent(m[2]);
    } catch {
      return sendJson(res, 400, { error: "malformed run id or checkpoint name in the URL" });
    }
    const run = getRun(daemon.store.db, id);
    if (!run) return sendJson(res, 404, { error: `no run "${id}"` });
    const ckpt = getCheckpoint(daemon.store.db, id, name);
    if (!ckpt) return sendJson(res, 404, { error: `run ${id} has no checkpoint "${name}"` });
    const file = servableFile(daemon, id, join(ckpt.path, CHECKPOINT_FILE));
    if (!file) return sendJson(res, 404, { error: `checkpoint "${name}" of run ${id} is recorded but its file is missing` });
    const size = statSync(file).size;
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": size,
      "content-disposition": `attachment; filename="${run.name}-${id}-${ckpt.name}.ckpt"`,
    });
    if (req.method === "HEAD") return void res.end();
    createReadStream(file).pipe(res);
  };
}

/** A file inside the run's folder (see servableFileIn), or null. */
export function servableFile(daemon: Daemon, runId: string, relative: string): string | null {
  return servableFileIn(daemon.home, runId, relative);
}

/** Pages a browser may load before signing in. */
const OPEN_PAGES = /^\/(sign-in(\/.*)?|_next\/static\/.*|icon\.svg|favicon\.ico)$/;

async function loadDashboard(host: string, port: number): Promise<Handler | null> {
  if (!existsSync(join(WEB_DIR, ".next", "BUILD_ID"))) return null;
  const { default: next } = await import("next");
  const app = (next as unknown as (o: object) => { prepare(): Promise<void>; getRequestHandler(): Handler })({ dev: false, dir: WEB_DIR, hostname: host, port });
  await app.prepare();
  return app.getRequestHandler();
}

export async function startServer(daemon: Daemon, opts: { host: string; port: number; web?: boolean }): Promise<Server> {
  const required = authRequired(opts.host);
  /** Whether the dashboard's pages have been rendered once since start (warmDashboard); /healthz reports it. */
  let webState: "warming" | "ready" | "failed" | "off" = "warming";
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    createContext: ({ req }) => {
      const who = identify(daemon.store.db, req, required);
      if (!who.ok) throw new TRPCError({ code: "UNAUTHORIZED", message: who.message });
      return { daemon, user: who.user, authRequired: required };
    },
    maxBodySize: 1_000_000,
  });
  const download = downloadHandler(daemon);
  const web = opts.web === false ? null : await loadDashboard(opts.host, opts.port);
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const path = url.split("?")[0];
    if (path === "/healthz")
      return sendJson(res, 200, { ok: true, chartWorkers: daemon.chartReads.started ? "ready" : "starting", chartWarmup: daemon.chartReads.warmed, web: webState, chartReads: daemon.chartReads.served });
    const refused = refuseRequest(req, { authRequired: required, rawUpload: path === PREDICT_ROUTE });
    if (refused) return sendJson(res, refused.status, { error: refused.message });
    if (path === "/api/auth/sign-in" && req.method === "POST") return void signIn(daemon.store.db, req, res);
    if (path === "/api/auth/sign-out" && req.method === "POST") return signOut(res);
    if (path.startsWith("/api/trpc/")) return trpc(req, res); // its context refuses unknown callers with 401
    const who = identify(daemon.store.db, req, required);
    if (path.startsWith("/api/")) {
      if (!who.ok) return sendJson(res, 401, { error: who.message });
      const m = path.match(/^\/api\/runs\/([^/]+)\/checkpoints\/([^/]+)\/download$/);
      if (m && (req.method === "GET" || req.method === "HEAD")) return download(req, res, m);
      const image = path.match(SAMPLE_IMAGE_ROUTE);
      if (image) return void serveSampleImage(daemon, req, res, image);
      const modelExport = path.match(MODEL_EXPORT_ROUTE);
      if (modelExport) return void serveModelExport(daemon, req, res, modelExport);
      if (path === "/api/export/metrics.csv") return void serveMetricsCsv(daemon, req, res, new URL(url, "http://daemon").searchParams);
      if (path === PREDICT_ROUTE) return void servePredict(daemon, req, res, new URL(url, "http://daemon").searchParams);
      if (path === PREDICT_TARGET_ROUTE) return void servePredictTarget(daemon, req, res, new URL(url, "http://daemon").searchParams);
      if (path === "/api/export/metrics.jsonl") return void serveMetricsCsv(daemon, req, res, new URL(url, "http://daemon").searchParams, "jsonl");
      return sendJson(res, 404, { error: `no API route ${req.method} ${path}` });
    }
    if (!who.ok && !OPEN_PAGES.test(path)) {
      res.writeHead(302, { location: `/sign-in?next=${encodeURIComponent(url.slice(0, 500))}` });
      return void res.end();
    }
    if (web) {
      // the page's first chart read starts now, while the browser loads the page's code
      if (req.method === "GET") startPageReads(daemon, url, who.ok ? who.user : null, required);
      return web(req, res);
    }
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
    res.end("The dashboard is not built. Run `npm run build` (the setup script does) and restart the daemon. The API is up at /api/trpc.\n");
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  if (web) void warmDashboard(server, required).then((state) => (webState = state));
  else webState = "off";
  return server;
}

/**
 * Renders the dashboard's pages once in the background, so the first person to open one after a restart
 * does not wait for the server code of each route to load (a few hundred ms on a busy machine). Pages that
 * need a signed-in user are only warmed where nobody has to sign in (a loopback-bound daemon).
 */
async function warmDashboard(server: Server, authRequired: boolean): Promise<"ready" | "failed"> {
  const addr = server.address();
  if (!addr || typeof addr === "string") return "failed";
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const base = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${addr.port}`;
  const pages = authRequired ? ["/sign-in"] : ["/", "/compare", "/datasets", "/runs/new", "/sweeps", "/models", "/try", "/sign-in"];
  try {
    for (const page of pages) {
      const res = await fetch(base + page);
      await res.arrayBuffer();
      if (!res.ok) {
        console.error(`dashboard page ${page} answered ${res.status} when rendered at start`);
        return "failed";
      }
    }
    return "ready";
  } catch {
    return "failed";
  }
}
