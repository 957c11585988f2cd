// The new-run form's sweep: fields of the experiment marked as swept, each with a distribution, plus the
// method, metric, budget and early stopper, written as the sweep YAML that `trainyard sweep` and sweeps.create
// read (packages/config/src/sweep-config.ts), with the form's experiment inline as its base. Pure; no React.
import type { EarlyStopper, Scalar, SweepMethod } from "@trainyard/config";
import { Document, isMap } from "yaml";
import { getIn } from "./config-doc.ts";

export type SweptDistribution = "log_uniform" | "uniform" | "int_uniform" | "values";

export interface SweptField {
  /** Config key path as the sweep names it: training.phases.1.lr. */
  key: string;
  dist: SweptDistribution;
  min: number;
  max: number;
  /** The values list as typed: "16, 32, 64". */
  values: string;
}

export interface SweepPlan {
  name: string;
  method: SweepMethod;
  metric: string;
  goal: "max" | "min";
  maxTrials: number;
  parallel: number;
  stopper: EarlyStopper;
  minEpochs: number;
  /** null: the base's total epochs. */
  maxEpochs: number | null;
  reductionFactor: number;
  fields: SweptField[];
}

export interface SweepableField {
  key: string;
  label: string;
  /** The distributions the field may take: whole-number keys never get uniform / log_uniform (the sweep config refuses them). */
  dists: readonly SweptDistribution[];
}

/** What the form offers to sweep: each phase's learning rate, the batch size and the weight decay. */
export function sweepableFields(base: Record<string, unknown>): SweepableField[] {
  const phases = (getIn(base, ["training", "phases"]) as { name?: unknown }[] | undefined) ?? [];
  return [
    ...phases.map((p, i) => ({ key: `training.phases.${i}.lr`, label: `LR of phase ${i + 1}${typeof p?.name === "string" ? ` (${p.name})` : ""}`, dists: ["log_uniform", "uniform", "values"] as const })),
    { key: "training.batch_size", label: "Batch size", dists: ["values", "int_uniform"] as const },
    { key: "training.optimizer.weight_decay", label: "Weight decay", dists: ["log_uniform", "uniform", "values"] as const },
  ];
}

const SCHEMA_DEFAULTS: Record<string, number> = { "training.batch_size": 64, "training.optimizer.weight_decay": 1e-4 };

/** The value the base gives a key (its schema default when the base leaves it out). */
function current(base: Record<string, unknown>, key: string): number | null {
  const v = getIn(base, key.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s)));
  if (typeof v === "number" && Number.isFinite(v)) return v;
  return SCHEMA_DEFAULTS[key] ?? null;
}

const round = (v: number) => Number(v.toPrecision(3));

/**
 * A field newly marked as swept starts around the base's value: a learning rate or weight decay a decade either
 * side on a log scale, a batch size half, the same and double.
 */
export function defaultSweptField(base: Record<string, unknown>, field: SweepableField): SweptField {
  const v = current(base, field.key);
  const dist = field.dists[0];
  if (dist === "values") {
    const b = Math.max(1, Math.round(v ?? 32));
    const vals = [...new Set([Math.max(1, Math.round(b / 2)), b, b * 2])];
    return { key: field.key, dist, min: vals[0], max: vals[vals.length - 1], values: vals.join(", ") };
  }
  const c = v && v > 0 ? v : 1e-3;
  return { key: field.key, dist, min: round(c / 10), max: round(c * 10), values: [round(c / 10), c, round(c * 10)].join(", ") };
}

/** "16, 32, 64" → [16, 32, 64]; true / false as booleans; anything else kept as text. Empty items dropped. */
export function parseValues(text: string): Scalar[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s === "true" ? true : s === "false" ? false : s !== "" && Number.isFinite(Number(s)) ? Number(s) : s));
}

function distribution(f: SweptField): Record<string, unknown> {
  if (f.dist === "values") return { values: parseValues(f.values) };
  return { [f.dist]: [f.min, f.max] };
}

/** The sweep as a mapping, in the order a person writes it: name, base, method, metric, budget, stopper, parameters. */
export function sweepDocument(base: Record<string, unknown>, plan: SweepPlan): Record<string, unknown> {
  const es: Record<string, unknown> = { type: plan.stopper };
  if (plan.stopper !== "none") {
    es.min_epochs = plan.minEpochs;
    if (plan.maxEpochs !== null) es.max_epochs = plan.maxEpochs;
    if (plan.stopper === "asha" || plan.stopper === "hyperband") es.reduction_factor = plan.reductionFactor;
  } else if (plan.maxEpochs !== null) es.max_epochs = plan.maxEpochs;
  return {
    name: plan.name,
    base,
    method: plan.method,
    metric: { name: plan.metric, goal: plan.goal },
    // a grid runs each of its points once unless told fewer
    ...(plan.method === "grid" ? {} : { max_trials: plan.maxTrials }),
    parallel: plan.parallel,
    early_stopping: es,
    parameters: Object.fromEntries(plan.fields.map((f) => [f.key, distribution(f)])),
  };
}

/** The sweep YAML: the base's sections as block YAML, each distribution and the small settings in flow style ({log_uniform: [0.0001, 0.01]}). */
export function sweepYaml(base: Record<string, unknown>, plan: SweepPlan): string {
  const doc = new Document(sweepDocument(base, plan));
  const root = doc.contents;
  if (isMap(root)) {
    for (const key of ["metric", "early_stopping"]) {
      const node = root.get(key, true);
      if (isMap(node)) node.flow = true;
    }
    const params = root.get("parameters", true);
    if (isMap(params)) for (const item of params.items) if (isMap(item.value)) item.value.flow = true;
  }
  return doc.toString({ lineWidth: 0 });
}
