// `trainyard evaluate RUN [--checkpoint best|last|NAME] [--dataset D] [--split test|val|all] [--json]`: queue an
// evaluation, wait for it, print its metrics (a table, or the evaluation as JSON); exit 1 when it fails.
import { parseArgs } from "node:util";
import { EVALUATION_SPLITS, FINAL_EVALUATION_STATES, type EvaluationState, type EvaluationSummary } from "@trainyard/protocol/evaluations";
import type { Client } from "./client.ts";

const USAGE = `usage: trainyard evaluate RUN [--checkpoint best|last|NAME] [--dataset D] [--split ${EVALUATION_SPLITS.join("|")}] [--json]`;
const POLL_MS = 500;

export async function evaluate(client: Client, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { checkpoint: { type: "string", default: "best" }, dataset: { type: "string" }, split: { type: "string", default: "test" }, json: { type: "boolean" } },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  if (!(EVALUATION_SPLITS as readonly string[]).includes(values.split!))
    throw new Error(`--split is "${values.split}"; expected one of ${EVALUATION_SPLITS.join(", ")}`);
  const created = await client.evaluations.create.mutate({
    run: positionals[0],
    checkpoint: values.checkpoint,
    dataset: values.dataset,
    split: values.split as (typeof EVALUATION_SPLITS)[number],
  });
  if (!values.json) console.error(`${created.id}: ${created.checkpoint} checkpoint of ${created.runId} on ${created.dataset} (${created.split}), queued`);
  let last: EvaluationState = created.status;
  let e: EvaluationSummary & { curves?: unknown[] } = created;
  while (!FINAL_EVALUATION_STATES.includes(e.status)) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    e = await client.evaluations.get.query({ id: created.id });
    if (e.status !== last && !values.json) console.error(`${e.id}: ${e.status}`);
    last = e.status;
  }
  if (values.json) {
    const { curves, ...rest } = e as EvaluationSummary & { curves?: { kind: string; class: string }[] };
    console.log(JSON.stringify({ ...rest, curves: (curves ?? []).map((c) => ({ kind: c.kind, class: c.class })) }, null, 2));
  } else if (e.status === "completed") console.log(formatEvaluationMetrics(e));
  if (e.status !== "completed") {
    console.error(`evaluation ${e.id} ${e.status}${e.error ? `: ${e.error}` : ""}`);
    return 1;
  }
  return 0;
}

/** The metrics as an aligned two-column table, headline metrics first, per-class ones after. */
export function formatEvaluationMetrics(e: Pick<EvaluationSummary, "metrics" | "samples" | "split" | "dataset" | "checkpoint" | "runId">): string {
  const entries = Object.entries(e.metrics ?? {}).sort(([a], [b]) => depth(a) - depth(b) || a.localeCompare(b));
  const width = Math.max(6, ...entries.map(([k]) => k.length));
  const lines = [`${e.runId}:${e.checkpoint} on ${e.dataset} (${e.split}, ${e.samples ?? "?"} samples)`, `${"metric".padEnd(width)}  value`];
  for (const [k, v] of entries) lines.push(`${k.padEnd(width)}  ${v === null ? "n/a" : Number.isInteger(v) ? String(v) : v.toFixed(4)}`);
  return lines.join("\n");
}

const depth = (key: string) => key.split("/").length;
