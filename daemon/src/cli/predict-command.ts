// `trainyard predict TARGET IMAGE [--meta k=v ...] [--json]`: the image goes to the daemon's /api/predict (the
// daemon runs the ONNX export); class probabilities print as bars, a detector's findings as boxes.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Prediction } from "@trainyard/protocol";
import { fetchDaemon } from "./run-commands.ts";

const USAGE = "usage: trainyard predict RUN[:CHECKPOINT]|MODEL[@VERSION|@ALIAS] IMAGE.png|.jpg [--meta FIELD=VALUE ...] [--json]";

export async function predictCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { meta: { type: "string", multiple: true }, json: { type: "boolean" } } });
  const [target, file] = positionals;
  if (!target || !file || positionals.length > 2) throw new Error(USAGE);
  const metadata: Record<string, string> = {};
  for (const kv of values.meta ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new Error(`--meta ${kv}: expected FIELD=VALUE (e.g. --meta age=54)`);
    metadata[kv.slice(0, i).trim()] = kv.slice(i + 1);
  }
  let image: Buffer;
  try {
    image = readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const query = new URLSearchParams({ target, ...(Object.keys(metadata).length ? { metadata: JSON.stringify(metadata) } : {}) });
  const res = await fetchDaemon(`/api/predict?${query}`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(image) });
  const p = (await res.json()) as Prediction;
  if (values.json) console.log(JSON.stringify(p, null, 2));
  else console.log(formatPrediction(p));
  return 0;
}

const BAR = 30;

export function formatPrediction(p: Prediction): string {
  const head = `${p.target.ref} (${p.target.task}) on a ${p.image.width}x${p.image.height} ${p.image.format.toUpperCase()}` +
    (p.missing.length ? `; metadata missing: ${p.missing.join(", ")}` : "");
  const r = p.result;
  if (r.kind === "probabilities") {
    const width = Math.max(...r.probabilities.map((c) => c.label.length));
    const rows = [...r.probabilities].sort((a, b) => b.probability - a.probability).map((c) =>
      `  ${c.label.padEnd(width)}  ${"█".repeat(Math.round(c.probability * BAR)).padEnd(BAR, "·")}  ${(c.probability * 100).toFixed(1).padStart(5)}%`);
    return [head, ...rows].join("\n");
  }
  if (r.kind === "boxes") {
    if (!r.boxes.length) return `${head}\n  No findings (no box scores ${r.threshold} or more)`;
    return [head, ...r.boxes.map((b) => `  ${b.label.padEnd(12)} ${b.score.toFixed(3)}  [${b.box.map((v) => v.toFixed(1)).join(", ")}]`)].join("\n");
  }
  return [head, ...r.risks.map((y) => `  year ${y.year}  ${"█".repeat(Math.round(y.risk * BAR)).padEnd(BAR, "·")}  ${(y.risk * 100).toFixed(1).padStart(5)}%`)].join("\n");
}
