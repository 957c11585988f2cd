// `trainyard sweep CONFIG.yaml`, `sweeps`, `sweep show|pause|resume|cancel ID`.
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { parseDocument } from "yaml";
import { applyOverrides, parseYaml } from "@trainyard/config";
import type { SweepSummary } from "../sweeps/sweep-summary.ts";
import { describeError, type Client } from "./client.ts";
import { labelFileLabels } from "./run-commands.ts";
import { formatSweepDetail, formatSweepLine, formatParam } from "./sweep-format.ts";

const USAGE = "usage: trainyard sweep CONFIG.yaml [key=value ...] [--wait] [--json] | trainyard sweep show|pause|resume|cancel ID [--json]";
const ENDED = new Set(["completed", "cancelled", "failed"]);

/** A base path the daemon reads from its own repository when it is not next to the sweep file (as it does for the dashboard). */
const DAEMON_BASE = /^(\.\/)?configs\/[\w.+-]+\.ya?ml$/;

/** A path as the user reads it best: relative to the cwd when inside it, else absolute. */
const shown = (file: string) => (relative(process.cwd(), file).startsWith("..") ? file : relative(process.cwd(), file));

/**
 * The sweep YAML as the daemon gets it: a `base:` path is read relative to the sweep file's folder (not the
 * shell's cwd, which the daemon never sees) and inlined as the experiment mapping, with a label-set file of the
 * base (relative to the base's folder) inlined as its labels. Returns the text and where the base came from.
 */
export function inlineSweepBase(yaml: string, sweepFile: string): { yaml: string; baseFile: string | null } {
  const doc = parseDocument(yaml);
  if (doc.errors.length) return { yaml, baseFile: null }; // the daemon reports the syntax error with its line
  const base = doc.get("base");
  const sweepDir = dirname(resolve(sweepFile));
  let mapping: Record<string, unknown>;
  let baseDir = sweepDir;
  let baseFile: string | null = null;
  if (typeof base === "string") {
    const file = resolve(sweepDir, base);
    if (!existsSync(file)) {
      if (DAEMON_BASE.test(base)) return { yaml, baseFile: null };
      throw new Error(`base: no file "${base}" next to the sweep file (looked for ${file}); a base path is relative to the folder of ${sweepFile}`);
    }
    baseFile = shown(file);
    mapping = parseYaml(readFileSync(file, "utf8"), `base ${baseFile}`) as Record<string, unknown>;
    baseDir = dirname(file);
  } else if (base && typeof base === "object") {
    mapping = doc.toJS().base;
  } else return { yaml, baseFile: null }; // missing or not a mapping: the daemon names the field
  const labels = labelFileLabels((mapping.dataset as { labels?: { set?: unknown } } | undefined)?.labels?.set, baseDir);
  if (labels) mapping = applyOverrides(mapping, [`dataset.labels.set=${JSON.stringify(labels)}`]);
  if (!baseFile && !labels) return { yaml, baseFile: null };
  doc.set("base", doc.createNode(mapping, { flow: false }));
  return { yaml: String(doc), baseFile };
}

export async function sweep(client: Client, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "show":
      return show(client, rest);
    case "pause":
    case "resume":
    case "cancel":
      return act(client, sub, rest);
    case undefined:
      throw new Error(USAGE);
    default:
      return create(client, args);
  }
}

async function create(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { wait: { type: "boolean" }, json: { type: "boolean" } } });
  const [file, ...overrides] = positionals;
  if (!file) throw new Error(USAGE);
  if (!existsSync(file)) throw new Error(`no sweep config "${file}" (${resolve(file)})\n${USAGE}`);
  const { yaml, baseFile } = inlineSweepBase(readFileSync(file, "utf8"), file);
  let summary: SweepSummary;
  try {
    summary = await client.sweeps.create.mutate({ yaml, overrides });
  } catch (e) {
    const message = describeError(e);
    // the daemon names the base's fields as base.<path>; say which file that is
    if (baseFile && /^base\b/m.test(message)) throw new Error(`${message}\n(base: ${baseFile})`);
    throw e;
  }
  if (!values.json) {
    console.log(summary.id);
    for (const n of summary.notes) console.error(`note: ${n}`);
    console.error(`${summary.name}: ${summary.method} search, ${summary.maxTrials} trials, up to ${summary.parallel} at once, at most ${summary.maxTrialEpochs} trial-epochs; trainyard sweep show ${summary.id}`);
  }
  if (!values.wait) {
    if (values.json) console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  summary = await waitForSweep(client, summary.id, !values.json);
  console.log(values.json ? JSON.stringify(summary, null, 2) : formatSweepDetail(summary));
  return summary.status === "completed" ? 0 : 1;
}

/** One line per trial whose state changed since the last look (to stderr while waiting). */
function trialChanges(s: SweepSummary, seen: Map<number, string>): string[] {
  const out: string[] = [];
  for (const t of s.trials) {
    const key = `${t.state}/${t.epochs}`;
    if (seen.get(t.number) === key) continue;
    seen.set(t.number, key);
    const params = Object.entries(t.params).map(([k, v]) => `${k}=${formatParam(v)}`).join(" ");
    const metric = t.value !== null ? `  ${s.metric.name}=${t.value.toFixed(4)}` : "";
    out.push(`  trial ${t.number}  ${t.state.padEnd(10)} epoch ${t.epochs}${t.rung !== null ? `, rung ${t.rung}` : ""}${metric}  ${params}`);
  }
  return out;
}

/** Follow a sweep over sweeps.watch (re-reading it on each change, and every few seconds besides) until it ends. */
function waitForSweep(client: Client, id: string, verbose: boolean): Promise<SweepSummary> {
  return new Promise((resolvePromise, reject) => {
    const seen = new Map<number, string>();
    let status = "";
    let done = false;
    let chain = Promise.resolve();
    const finish = (err: unknown, s?: SweepSummary) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      sub.unsubscribe();
      if (err) reject(err);
      else resolvePromise(s!);
    };
    const look = () =>
      (chain = chain.then(async () => {
        if (done) return;
        try {
          const s = await client.sweeps.get.query({ id });
          if (verbose) {
            for (const line of trialChanges(s, seen)) console.error(line);
            if (s.status !== status) console.error(`sweep ${s.id}: ${s.status}${s.error ? `: ${s.error}` : ""}`);
          }
          status = s.status;
          if (ENDED.has(s.status)) finish(null, s);
        } catch (e) {
          finish(e);
        }
      }));
    const sub = client.sweeps.watch.subscribe({ id }, { onStarted: () => void look(), onData: () => void look(), onError: (e) => finish(e) });
    const timer = setInterval(look, 5000);
    void look();
  });
}

export async function sweeps(client: Client, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" } } });
  const list = await client.sweeps.list.query();
  if (values.json) console.log(JSON.stringify(list, null, 2));
  else if (!list.length) console.error("no sweeps yet: trainyard sweep CONFIG.yaml starts one");
  else for (const s of list) console.log(formatSweepLine(s));
  return 0;
}

async function show(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
  if (positionals.length !== 1) throw new Error("usage: trainyard sweep show ID [--json]");
  const s = await client.sweeps.get.query({ id: positionals[0] });
  console.log(values.json ? JSON.stringify(s, null, 2) : formatSweepDetail(s));
  return 0;
}

const DONE: Record<"pause" | "resume" | "cancel", (s: SweepSummary) => string> = {
  pause: (s) => `paused: no new trials; its ${s.counts.queued ?? 0} queued and ${s.counts.running ?? 0} running trials finish (trainyard sweep resume ${s.id})`,
  resume: (s) => `running: asking for new trials again (${s.counts.total} of ${s.maxTrials} so far)`,
  cancel: () => "cancelled: no new trials; its queued and running trials are cancelled",
};

async function act(client: Client, action: "pause" | "resume" | "cancel", args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
  if (positionals.length !== 1) throw new Error(`usage: trainyard sweep ${action} ID [--json]`);
  const s = await client.sweeps[action].mutate({ id: positionals[0] });
  console.log(values.json ? JSON.stringify(s, null, 2) : `${s.id}: ${DONE[action](s)}`);
  return 0;
}
