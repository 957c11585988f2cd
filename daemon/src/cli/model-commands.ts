// `trainyard model register|ls|show|alias|export`: the model registry from a terminal.
import { createWriteStream, renameSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { parseTags } from "../models/model-refs.ts";
import type { Client } from "./client.ts";
import { formatModelDetail, formatModelLine } from "./model-format.ts";
import { fetchDaemon } from "./run-commands.ts";

const USAGE = `usage: trainyard model register RUN [--checkpoint NAME] --name M [--description TEXT] [--tag K=V|T ...] [--json]
       trainyard model ls [--json] | show M [--json]
       trainyard model alias M VERSION ALIAS
       trainyard model export M[@VERSION|@ALIAS] --format onnx|torchscript [-o FILE]`;

export async function model(client: Client, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "register":
      return register(client, rest);
    case "ls":
    case "list":
      return ls(client, rest);
    case "show":
      return show(client, rest);
    case "alias":
      return alias(client, rest);
    case "export":
      return exportModel(client, rest);
    default:
      throw new Error(sub ? `unknown model command "${sub}"\n${USAGE}` : USAGE);
  }
}

async function register(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { checkpoint: { type: "string" }, name: { type: "string" }, description: { type: "string" }, tag: { type: "string", multiple: true }, json: { type: "boolean" } },
  });
  if (positionals.length !== 1 || !values.name) throw new Error(`trainyard model register needs RUN and --name M\n${USAGE}`);
  const r = await client.models.register.mutate({
    runId: positionals[0],
    checkpoint: values.checkpoint,
    name: values.name,
    description: values.description,
    tags: parseTags(values.tag ?? []),
  });
  if (values.json) console.log(JSON.stringify(r, null, 2));
  else console.log(`${r.ref}: registered checkpoint ${r.checkpoint} of run ${r.runId} (sha256 ${r.sha256.slice(0, 12)})`);
  return 0;
}

async function ls(client: Client, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" } } });
  const list = await client.models.list.query();
  if (values.json) console.log(JSON.stringify(list, null, 2));
  else if (!list.length) console.log("no models registered yet (trainyard model register RUN --name M)");
  else for (const m of list) console.log(formatModelLine(m));
  return 0;
}

async function show(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: "boolean" } } });
  if (positionals.length !== 1) throw new Error(`usage: trainyard model show M [--json]`);
  const m = await client.models.get.query({ name: positionals[0] });
  console.log(values.json ? JSON.stringify(m, null, 2) : formatModelDetail(m));
  return 0;
}

async function alias(client: Client, args: string[]): Promise<number> {
  if (args.length !== 3) throw new Error(`usage: trainyard model alias M VERSION ALIAS   (e.g. trainyard model alias lesion-classifier 3 production)`);
  const [name, version, aliasName] = args;
  const r = await client.models.alias.mutate({ name, version, alias: aliasName });
  console.log(r.moved ? `${r.model}@${r.alias}: ${r.from === null ? "" : `${r.from} → `}${r.version}` : `${r.model}@${r.alias} already names version ${r.version}`);
  return 0;
}

async function exportModel(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { format: { type: "string" }, output: { type: "string", short: "o" } } });
  if (positionals.length !== 1 || !values.format) throw new Error(`trainyard model export needs M[@VERSION|@ALIAS] and --format onnx|torchscript\n${USAGE}`);
  // built (or found) first, so a failed build reports the trainer's words instead of a half download
  const built = await client.models.export.mutate({ ref: positionals[0], format: values.format });
  const res = await fetchDaemon(built.url);
  const out = values.output ?? `${built.ref.replace("@", "-v")}.${built.format === "onnx" ? "onnx" : "torchscript.pt"}`;
  const tmp = `${out}.part`;
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(tmp));
  renameSync(tmp, out);
  console.log(out);
  return 0;
}
