// `trainyard` command line: the daemon itself, and every other command as a client of it.
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { parseDocument } from "yaml";
import { parseLabelFile } from "@trainyard/data";
import { daemonUrl, describeError, makeClient, type Client } from "./client.ts";
import { formatRunLine, formatRunDetail } from "./format.ts";

const USAGE = `trainyard — training daemon and dashboard for medical-imaging labs

  trainyard daemon [--home DIR] [--port N] [--host ADDR] [--no-web]
  trainyard demo
  trainyard dataset import NAME --manifest F --images DIR [--image-col C] [--group-col C] [--label-col C] [--split-col C] [--label-delimiter D] [--replace]
  trainyard dataset ls | show NAME [--json]
  trainyard labels add NAME FILE [--dataset D] | ls
  trainyard run CONFIG.yaml [key=value ...] [--wait] [--json]
  trainyard runs [--json] | show RUN [--json] | cancel RUN
  trainyard download RUN [--checkpoint best|last|NAME] [-o FILE]

The daemon is found through TRAINYARD_URL (default http://127.0.0.1:7070) and TRAINYARD_TOKEN.`;

const FINAL = new Set(["completed", "failed", "cancelled", "interrupted"]);

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "daemon":
        return await (await import("./daemon-command.ts")).daemonCommand(rest);
      case "demo":
        return await demo(makeClient());
      case "dataset":
        return await dataset(makeClient(), rest);
      case "labels":
        return await labels(makeClient(), rest);
      case "run":
        return await run(makeClient(), rest);
      case "runs":
        return await runs(makeClient(), rest);
      case "show":
        return await show(makeClient(), rest);
      case "cancel":
        return await cancel(makeClient(), rest);
      case "download":
        return await download(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return cmd ? 0 : 2;
      default:
        console.error(`unknown command "${cmd}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    console.error(`trainyard ${cmd}: ${describeError(e)}`);
    return 1;
  }
}

async function demo(client: Client): Promise<number> {
  console.error("generating and importing the demo dataset (about half a minute)...");
  const d = await client.datasets.createDemo.mutate();
  console.log(`dataset "${d.name}": ${d.images} images of ${d.numGroups} patients; diagnoses ${Object.entries(d.diagnoses).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`label set "${d.labelSet.name}": ${d.labelSet.labels.join(", ")}`);
  console.log(`train it: trainyard run configs/demo.yaml --wait   (or open ${daemonUrl()})`);
  return 0;
}

async function dataset(client: Client, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      manifest: { type: "string" }, images: { type: "string" }, schema: { type: "string" },
      "image-col": { type: "string" }, "group-col": { type: "string" }, "label-col": { type: "string" }, "split-col": { type: "string" },
      "label-delimiter": { type: "string" }, replace: { type: "boolean" }, json: { type: "boolean" },
    },
  });
  if (sub === "import") {
    const name = positionals[0];
    if (!name || !values.manifest || !values.images) throw new Error("usage: trainyard dataset import NAME --manifest F --images DIR");
    const d = await client.datasets.import.mutate({
      name, manifest: resolve(values.manifest), images: resolve(values.images),
      imageCol: values["image-col"], groupCol: values["group-col"], labelCol: values["label-col"], splitCol: values["split-col"],
      labelDelimiter: values["label-delimiter"], replace: values.replace ?? false,
    });
    console.log(values.json ? JSON.stringify(d, null, 2) : `imported "${d.name}": ${d.numSamples} images, ${d.numGroups} groups, ${Object.keys(d.diagnoses).length} diagnoses`);
    return 0;
  }
  if (sub === "ls") {
    const list = await client.datasets.list.query();
    if (values.json) console.log(JSON.stringify(list, null, 2));
    else for (const d of list) console.log(`${d.name.padEnd(24)} ${d.status.padEnd(10)} ${String(d.numSamples).padStart(8)} images ${String(d.numGroups).padStart(7)} groups`);
    return 0;
  }
  if (sub === "show") {
    const d = await client.datasets.get.query({ name: positionals[0] ?? "" });
    console.log(JSON.stringify(d, null, 2));
    return 0;
  }
  throw new Error("usage: trainyard dataset import|ls|show");
}

async function labels(client: Client, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { dataset: { type: "string" }, json: { type: "boolean" } } });
  if (sub === "add") {
    const [name, file] = positionals;
    if (!name || !file) throw new Error("usage: trainyard labels add NAME FILE");
    const set = await client.datasets.addLabelSet.mutate({ name, labels: parseLabelFile(readFileSync(file, "utf8")), dataset: values.dataset });
    console.log(`label set "${set.name}": ${set.labels.length} labels`);
    return 0;
  }
  if (sub === "ls") {
    const sets = await client.datasets.labelSets.query();
    if (values.json) console.log(JSON.stringify(sets, null, 2));
    else for (const s of sets) console.log(`${s.name.padEnd(24)} ${s.labels.length} labels: ${s.labels.slice(0, 6).join(", ")}${s.labels.length > 6 ? ", ..." : ""}`);
    return 0;
  }
  throw new Error("usage: trainyard labels add NAME FILE | ls");
}

/** A label set written as a file path (relative to the config) travels inline to the daemon. */
function inlineLabelFile(yaml: string, configPath: string): string[] {
  const set = parseDocument(yaml).getIn(["dataset", "labels", "set"]);
  if (typeof set !== "string" || !/[/\\]|\.txt$/.test(set)) return [];
  const file = resolve(dirname(configPath), set);
  if (!existsSync(file)) return [];
  return [`dataset.labels.set=${JSON.stringify(parseLabelFile(readFileSync(file, "utf8")))}`];
}

async function run(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { wait: { type: "boolean" }, json: { type: "boolean" } } });
  const [file, ...overrides] = positionals;
  if (!file) throw new Error("usage: trainyard run CONFIG.yaml [key=value ...] [--wait] [--json]");
  const yaml = readFileSync(file, "utf8");
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

async function runs(client: Client, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" } } });
  const list = await client.runs.list.query();
  if (values.json) console.log(JSON.stringify(list, null, 2));
  else for (const r of list) console.log(formatRunLine(r));
  return 0;
}

async function show(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
  if (!positionals[0]) throw new Error("usage: trainyard show RUN [--json]");
  const r = await client.runs.get.query({ id: positionals[0] });
  console.log(values.json ? JSON.stringify(r, null, 2) : formatRunDetail(r));
  return 0;
}

async function cancel(client: Client, args: string[]): Promise<number> {
  if (!args[0]) throw new Error("usage: trainyard cancel RUN");
  const r = await client.runs.cancel.mutate({ id: args[0] });
  console.log(`${r.id}: ${r.status === "running" ? "stopping (the trainer writes a resumable checkpoint first)" : r.status}`);
  return 0;
}

async function download(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { checkpoint: { type: "string", default: "best" }, output: { type: "string", short: "o" } } });
  const id = positionals[0];
  if (!id) throw new Error("usage: trainyard download RUN [--checkpoint best|last|NAME] [-o FILE]");
  const token = process.env.TRAINYARD_TOKEN;
  const res = await fetch(`${daemonUrl()}/api/runs/${encodeURIComponent(id)}/checkpoints/${encodeURIComponent(values.checkpoint!)}/download`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch(() => {
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
  const out = values.output ?? `${id}-${values.checkpoint}.ckpt`;
  const tmp = `${out}.part`;
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(tmp));
  (await import("node:fs")).renameSync(tmp, out);
  console.log(out);
  return 0;
}
