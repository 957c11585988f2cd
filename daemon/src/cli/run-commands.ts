// `trainyard run`, `runs`, `show`, `metrics`, `cancel`, `resume`, `delete`, `download`.
import { createWriteStream, existsSync, readFileSync, renameSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { parseDocument } from "yaml";
import { parseLabelFile } from "@trainyard/data";
import { FINAL_STATES, type RunState } from "@trainyard/protocol/run-states";
import { daemonUrl, type Client } from "./client.ts";
import { formatRunDetail, formatRunLine } from "./format.ts";
import { dryRun } from "./dataset-commands.ts";

const FINAL = new Set<string>(FINAL_STATES);

/** A label set written as a file path (relative to the config's folder `dir`): its labels, or null when it is a name. */
export function labelFileLabels(set: unknown, dir: string): string[] | null {
  if (typeof set !== "string" || !/[/\\]|\.txt$/.test(set)) return null;
  const file = resolve(dir, set);
  if (!existsSync(file)) return null;
  return parseLabelFile(readFileSync(file, "utf8"));
}

/** A label set written as a file path (relative to the config) travels inline to the daemon. */
function inlineLabelFile(yaml: string, configPath: string): string[] {
  const labels = labelFileLabels(parseDocument(yaml).getIn(["dataset", "labels", "set"]), dirname(configPath));
  return labels ? [`dataset.labels.set=${JSON.stringify(labels)}`] : [];
}

export async function run(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { wait: { type: "boolean" }, json: { type: "boolean" }, "dry-run": { type: "boolean" } } });
  const [file, ...overrides] = positionals;
  if (!file) throw new Error("usage: trainyard run CONFIG.yaml [key=value ...] [--wait] [--json] [--dry-run]");
  const yaml = readFileSync(file, "utf8");
  if (values["dry-run"]) return dryRun(client, yaml, [...inlineLabelFile(yaml, file), ...overrides], values.json ?? false);
  let summary = await client.runs.submit.mutate({ yaml, overrides: [...inlineLabelFile(yaml, file), ...overrides] });
  if (!values.json) console.log(summary.id);
  if (!values.wait) {
    if (values.json) console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  summary = await waitForRun(client, summary.id, !values.json);
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else console.error(formatRunLine(summary));
  return summary.status === "completed" ? 0 : 1;
}

/** Follow a run over the live subscription until it reaches a final state. */
function waitForRun(client: Client, id: string, verbose: boolean): Promise<Awaited<ReturnType<Client["runs"]["get"]["query"]>>> {
  return new Promise((resolvePromise, reject) => {
    let last = "";
    const sub = client.runs.watch.subscribe(
      { id },
      {
        onData: async (e) => {
          if (e.type === "log" && verbose) console.error(`  ${e.message}`);
          if (e.type !== "run") return;
          const line = formatRunLine(e.run);
          if (verbose && line !== last) console.error(line);
          last = line;
          if (FINAL.has(e.run.status)) {
            sub.unsubscribe();
            try {
              resolvePromise(await client.runs.get.query({ id }));
            } catch (err) {
              reject(err);
            }
          }
        },
        onError: (err) => reject(err),
      },
    );
  });
}

export async function runs(client: Client, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" }, status: { type: "string" }, owner: { type: "string" }, limit: { type: "string" } } });
  const status = values.status?.split(",").map((s) => s.trim()) as RunState[] | undefined;
  const list = await client.runs.list.query(status || values.owner || values.limit ? { status, owner: values.owner, limit: values.limit ? Number(values.limit) : undefined } : undefined);
  if (values.json) console.log(JSON.stringify(list, null, 2));
  else for (const r of list) console.log(formatRunLine(r));
  return 0;
}

export async function show(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
  if (!positionals[0]) throw new Error("usage: trainyard show RUN [--json]");
  const [r, metrics] = await Promise.all([client.runs.get.query({ id: positionals[0] }), client.runs.metrics.query({ id: positionals[0] })]);
  console.log(values.json ? JSON.stringify({ ...r, metrics }, null, 2) : formatRunDetail(r, metrics));
  return 0;
}

const METRICS_USAGE = "usage: trainyard metrics RUN [--key K ...] [--format csv|json]   (every stored point; all keys unless --key)";

/** Every point of a run's series on stdout, streamed from the daemon as the dashboard's CSV export is. */
export async function metrics(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { key: { type: "string", multiple: true }, format: { type: "string", default: "csv" } },
  });
  const id = positionals[0];
  if (!id || positionals.length > 1) throw new Error(METRICS_USAGE);
  const format = values.format === "json" || values.format === "jsonl" ? "jsonl" : values.format === "csv" ? "csv" : null;
  if (!format) throw new Error(`--format ${values.format}: expected csv or json (JSON lines, one point per line)\n${METRICS_USAGE}`);
  const keys = values.key?.length ? values.key : await client.runs.metricKeys.query({ id });
  if (!keys.length) throw new Error(`run ${id} has no metrics yet`);
  const query = new URLSearchParams([["run", id], ...keys.map((k) => ["key", k])]);
  const res = await fetchDaemon(`/api/export/metrics.${format}?${query}`);
  await pipeline(Readable.fromWeb(res.body as never), process.stdout);
  return 0;
}

/** A plain HTTP route of the daemon (downloads, uploads) with the caller's token; refusals become errors with the daemon's words. */
export async function fetchDaemon(path: string, init: RequestInit = {}): Promise<Response> {
  const token = process.env.TRAINYARD_TOKEN;
  const headers = { ...(init.headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(`${daemonUrl()}${path}`, { ...init, headers }).catch(() => {
    throw new Error(`cannot reach the daemon at ${daemonUrl()}: start it with \`trainyard daemon\``);
  });
  if (!res.ok) {
    const body = await res.text();
    let message = body;
    try {
      message = JSON.parse(body).error ?? body;
    } catch {
      // not JSON
    }
    throw new Error(`${res.status}: ${message}`);
  }
  return res;
}

export async function cancel(client: Client, args: string[]): Promise<number> {
  if (!args[0]) throw new Error("usage: trainyard cancel RUN");
  const r = await client.runs.cancel.mutate({ id: args[0] });
  console.log(`${r.id}: ${r.status === "running" ? "stopping (the trainer writes a resumable checkpoint first)" : r.status}`);
  return 0;
}

export async function resume(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { checkpoint: { type: "string" } } });
  if (!positionals[0]) throw new Error("usage: trainyard resume RUN [--checkpoint last|best|NAME]");
  const checkpoint = values.checkpoint ?? "last";
  const r = await client.runs.resume.mutate({ id: positionals[0], checkpoint });
  console.log(`${r.id}: queued to resume from its ${checkpoint} checkpoint (attempt ${r.attempt + 1}${r.queue ? `, ${r.queue.reason}` : ""})`);
  return 0;
}

export async function deleteRun(client: Client, args: string[]): Promise<number> {
  if (!args[0]) throw new Error("usage: trainyard delete RUN");
  await client.runs.delete.mutate({ id: args[0] });
  console.log(`${args[0]}: deleted, with its files`);
  return 0;
}

export async function download(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { checkpoint: { type: "string", default: "best" }, output: { type: "string", short: "o" } } });
  const id = positionals[0];
  if (!id) throw new Error("usage: trainyard download RUN [--checkpoint best|last|NAME] [-o FILE]");
  const res = await fetchDaemon(`/api/runs/${encodeURIComponent(id)}/checkpoints/${encodeURIComponent(values.checkpoint!)}/download`);
  const out = values.output ?? `${id}-${values.checkpoint}.ckpt`;
  const tmp = `${out}.part`;
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(tmp));
  renameSync(tmp, out);
  console.log(out);
  return 0;
}
