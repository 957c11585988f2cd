// The sweep config: a base experiment config plus the parameters to search, the method, the metric and the
// early stopper. Every problem is reported with its field path; a parameter's key path is checked against the
// experiment schema itself, and each distribution's extremes (or each value) against the base's validation.
import { z } from "zod";
import { ConfigError, formatPath, validateConfig, type ConfigIssue } from "./load.ts";
import { describe, experimentSchema, type ExperimentConfig } from "./schema.ts";

export const SWEEP_METHODS = ["grid", "random", "tpe"] as const;
export const EARLY_STOPPERS = ["asha", "hyperband", "median", "none"] as const;
export const SWEEP_GOALS = ["max", "min"] as const;
export const DISTRIBUTIONS = ["values", "uniform", "log_uniform", "int_uniform"] as const;
/** A grid larger than this is refused: it is a mistake more often than a plan. */
export const MAX_GRID_POINTS = 10_000;

export type SweepMethod = (typeof SWEEP_METHODS)[number];
export type EarlyStopper = (typeof EARLY_STOPPERS)[number];
export type Scalar = number | string | boolean;

const whole = (min: number) =>
  z.number({ error: (iss) => `expected a whole number, got ${describe(iss.input)}` })
    .int({ error: (iss) => `expected a whole number, got ${describe(iss.input)}` })
    .min(min, { error: `expected a whole number >= ${min}` });
const range = z.tuple([z.number({ error: (iss) => `expected a number, got ${describe(iss.input)}` }), z.number({ error: (iss) => `expected a number, got ${describe(iss.input)}` })], {
  error: (iss) => `expected [min, max], got ${describe(iss.input)}`,
});

const distributionSchema = z
  .object({
    values: z
      .array(z.union([z.number(), z.string(), z.boolean()], { error: (iss) => `each value must be a number, a string or true/false, got ${describe(iss.input)}` }), {
        error: (iss) => `expected a list of values, got ${describe(iss.input)}`,
      })
      .min(1, { error: "the values list is empty: list at least one value" })
      .optional(),
    uniform: range.optional(),
    log_uniform: range.optional(),
    int_uniform: range.optional(),
    /** Step: values are min + k*q (grid enumerates them). */
    q: z.number({ error: (iss) => `expected a positive step, got ${describe(iss.input)}` }).positive({ error: "expected a positive step" }).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const kinds = DISTRIBUTIONS.filter((k) => d[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: "custom", path: [], message: kinds.length ? `give one distribution, not ${kinds.join(" and ")}` : `give a distribution: one of ${DISTRIBUTIONS.join(", ")} (e.g. {log_uniform: [1.0e-4, 1.0e-2]} or {values: [16, 32]})` });
      return;
    }
    const kind = kinds[0];
    if (kind === "values") {
      if (d.q !== undefined) ctx.addIssue({ code: "custom", path: ["q"], message: "q applies to uniform, log_uniform and int_uniform, not to a values list" });
      return;
    }
    const [min, max] = d[kind]!;
    if (min > max) ctx.addIssue({ code: "custom", path: [kind], message: `min ${min} is greater than max ${max}: write [min, max]` });
    if (kind === "log_uniform" && min <= 0) ctx.addIssue({ code: "custom", path: [kind], message: `log_uniform needs min > 0 (got ${min}); use uniform for a range that includes 0` });
    if (kind === "int_uniform" && (!Number.isInteger(min) || !Number.isInteger(max))) ctx.addIssue({ code: "custom", path: [kind], message: `int_uniform needs whole numbers, got [${min}, ${max}]` });
    if (kind === "int_uniform" && d.q !== undefined && !Number.isInteger(d.q)) ctx.addIssue({ code: "custom", path: ["q"], message: `int_uniform needs a whole step, got ${d.q}` });
  });

export type Distribution = z.output<typeof distributionSchema>;

const metricKey = z.string().regex(/^(train|val)\/[\w/.-]+$/, { error: "expected a metric key such as val/auc_macro" });

export const sweepSchema = z
  .object({
    name: z.string({ error: "expected a sweep name" }).min(1).max(100).regex(/^[\w.+-]+$/, { error: "use letters, digits and . _ + - only" }),
    /** A path to an experiment config (the CLI inlines it) or the experiment mapping itself. */
    base: z.union([z.string().min(1), z.record(z.string(), z.unknown())], { error: (iss) => `expected a config file path or an experiment mapping, got ${describe(iss.input)}` }),
    method: z.enum(SWEEP_METHODS, { error: (iss) => `expected one of ${SWEEP_METHODS.join(", ")}, got ${describe(iss.input)}` }).default("random"),
    /** Default: the base's checkpoint monitor and mode. */
    metric: z
      .object({ name: metricKey, goal: z.enum(SWEEP_GOALS, { error: (iss) => `expected max or min, got ${describe(iss.input)}` }).optional() })
      .strict()
      .optional(),
    /** Required for random and tpe; a grid runs each of its points once by default. */
    max_trials: whole(1).max(100_000, { error: "expected at most 100000 trials" }).optional(),
    parallel: whole(1).max(1000, { error: "expected at most 1000" }).default(1),
    /** Queue priority of the trials (default: the base's resources.priority). */
    priority: whole(0).optional(),
    seed: whole(0).default(0),
    early_stopping: z
      .object({
        type: z.enum(EARLY_STOPPERS, { error: (iss) => `expected one of ${EARLY_STOPPERS.join(", ")}, got ${describe(iss.input)}` }).default("none"),
        min_epochs: whole(1).default(1),
        /** Default: the base's total epochs. Other values refit the phases (fitPhasesToEpochs). */
        max_epochs: whole(1).optional(),
        reduction_factor: whole(2).default(3),
      })
      .strict()
      .default({ type: "none", min_epochs: 1, reduction_factor: 3 }),
    parameters: z
      .record(z.string().min(1, { error: "a parameter needs a config key path" }), distributionSchema, { error: (iss) => `expected a mapping of config key paths to distributions, got ${describe(iss.input)}` })
      .refine((p) => Object.keys(p).length > 0, { error: "no parameters: name at least one config key path to search (e.g. training.phases.0.lr: {log_uniform: [1.0e-4, 1.0e-2]})" }),
  })
  .strict();

export type SweepInput = z.input<typeof sweepSchema>;

/** One searched parameter as the Optuna process receives it (packages/protocol/src/sweep-protocol.ts). */
export type SearchParam =
  | { name: string; kind: "categorical"; choices: Scalar[] }
  | { name: string; kind: "float"; low: number; high: number; log: boolean; step: number | null }
  | { name: string; kind: "int"; low: number; high: number; log: boolean; step: number };

/** A sweep ready to run: the validated fields, the base it trials from and what the search covers. */
export interface ResolvedSweep {
  name: string;
  method: SweepMethod;
  metric: { name: string; goal: "max" | "min" };
  maxTrials: number;
  parallel: number;
  priority: number;
  seed: number;
  earlyStopping: { type: EarlyStopper; minEpochs: number; maxEpochs: number; reductionFactor: number };
  space: SearchParam[];
  /** Points of the grid (null unless method grid). */
  gridSize: number | null;
  /** The base experiment mapping as written (trials are this plus their params). */
  base: Record<string, unknown>;
  /** Things worth telling the user that are not errors. */
  notes: string[];
}

const paramPath = (key: string, ...rest: (string | number)[]) => `parameters["${key}"]${rest.length ? "." + formatPath(rest) : ""}`;

/** Leaf of the experiment schema at a key path: what a value there may be. */
type Leaf = { kind: "number"; int: boolean } | { kind: "other"; what: string };

function unwrap(s: any): any {
  for (;;) {
    const d = s._zod.def;
    if (d.type === "pipe") s = d.in;
    else if (["default", "prefault", "optional", "nullable", "readonly", "catch"].includes(d.type)) s = d.innerType;
    else return s;
  }
}

/** Walks the experiment schema (and the base, for list lengths) along `segments`; an issue message or the leaf. */
export function schemaLeaf(segments: (string | number)[], base: Record<string, unknown>): Leaf | string {
  let s: any = experimentSchema;
  let node: unknown = base;
  for (let i = 0; i < segments.length; i++) {
    s = unwrap(s);
    const seg = segments[i];
    const at = formatPath(segments.slice(0, i)) || "the config";
    const d = s._zod.def;
    if (d.type === "object") {
      if (typeof seg !== "string" || !(seg in d.shape)) return `unknown key path: ${at} has no key "${seg}" (keys: ${Object.keys(d.shape).join(", ")})`;
      s = d.shape[seg];
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[seg] : undefined;
    } else if (d.type === "array") {
      if (typeof seg !== "number") return `unknown key path: ${at} is a list; index it by number (e.g. ${at}.0)`;
      const len = Array.isArray(node) ? node.length : 0;
      if (seg >= len) return `${at} has ${len} entr${len === 1 ? "y" : "ies"} in the base config (index 0${len > 1 ? `..${len - 1}` : ""}); there is no ${at}.${seg}`;
      s = d.element;
      node = (node as unknown[])[seg];
    } else if (d.type === "tuple") {
      if (typeof seg !== "number" || seg >= d.items.length) return `unknown key path: ${at} is a pair; index it by 0..${d.items.length - 1}`;
      s = d.items[seg];
      node = Array.isArray(node) ? node[seg] : undefined;
    } else {
      return `unknown key path: ${at} is a value, it has no key "${seg}"`;
    }
  }
  s = unwrap(s);
  const d = s._zod.def;
  if (d.type === "number") return { kind: "number", int: Boolean(s.isInt ?? (s.format === "safeint" || s.format === "int32")) };
  if (d.type === "object" || d.type === "record") return `${formatPath(segments)} is a section, not a value; name a key inside it (e.g. ${formatPath([...segments, Object.keys(d.shape ?? {})[0] ?? "key"])})`;
  if (d.type === "never") return `${formatPath(segments)} is not a config key`;
  return { kind: "other", what: d.type === "enum" ? `one of ${Object.values(d.entries).join(", ")}` : d.type === "boolean" ? "true or false" : d.type === "string" ? "a string" : `a ${d.type}` };
}

export function keySegments(key: string): (string | number)[] {
  return key.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Sets `value` at a key path inside a copy of `raw` (lists indexed by number). */
export function withKeyValue(raw: Record<string, unknown>, segments: (string | number)[], value: unknown): Record<string, unknown> {
  const root = structuredClone(raw);
  let node: any = root;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i];
    if (node[seg] === undefined || node[seg] === null || typeof node[seg] !== "object") node[seg] = typeof segments[i + 1] === "number" ? [] : {};
    node = node[seg];
  }
  node[segments[segments.length - 1]] = value;
  return root;
}

/** How many values a distribution has on a grid, or null when it is continuous (no q). */
function gridCount(d: Distribution): number | null {
  if (d.values) return d.values.length;
  if (d.int_uniform) return Math.floor((d.int_uniform[1] - d.int_uniform[0]) / (d.q ?? 1)) + 1;
  const r = d.uniform ?? d.log_uniform!;
  return d.q ? Math.floor((r[1] - r[0]) / d.q + 1e-9) + 1 : null;
}

/** The grid's values of one distribution (gridCount must be non-null). */
export function gridValues(d: Distribution): Scalar[] {
  if (d.values) return d.values;
  const [min, max] = d.int_uniform ?? d.uniform ?? d.log_uniform!;
  const q = d.q ?? 1;
  const n = gridCount(d)!;
  // rounded to q's decimals so 0.1 + 2*0.1 reads 0.3
  const decimals = Math.min(12, Math.max(0, -Math.floor(Math.log10(q)) + 2));
  return Array.from({ length: n }, (_, k) => Math.min(max, Number((min + k * q).toFixed(decimals))));
}

/**
 * A trial's phases for a budget of `maxEpochs`: phases keep their epochs in order until the budget runs out
 * (the phase that crosses it is cut, later ones dropped); a budget beyond the base's total lengthens the last phase.
 */
export function fitPhasesToEpochs<P extends { epochs: number }>(phases: P[], maxEpochs: number): P[] {
  const out: P[] = [];
  let left = maxEpochs;
  for (const p of phases) {
    if (left <= 0) break;
    const epochs = Math.min(p.epochs, left);
    out.push({ ...p, epochs });
    left -= epochs;
  }
  if (left > 0) out[out.length - 1] = { ...out[out.length - 1], epochs: out[out.length - 1].epochs + left };
  return out;
}

/**
 * Validate a sweep document whose base is already a mapping (the CLI inlines a base file; `resolveBase`
 * supplies one the daemon can read). Throws a ConfigError listing every issue with its path.
 */
export function resolveSweep(raw: unknown, source = "sweep"): ResolvedSweep {
  const parsed = sweepSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const path = i.path[0] === "parameters" && i.path.length > 1 ? paramPath(String(i.path[1]), ...(i.path.slice(2) as (string | number)[])) : formatPath(i.path);
        return { path, message: i.code === "unrecognized_keys" ? `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}` : i.message };
      }),
      source,
    );
  const s = parsed.data;
  if (typeof s.base === "string")
    throw new ConfigError([{ path: "base", message: `"${s.base}" is a file path; the CLI inlines it (trainyard sweep reads it next to the sweep file), or paste the experiment mapping under base:` }], source);
  let baseConfig: ExperimentConfig;
  try {
    baseConfig = validateConfig(s.base, "base");
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.issues.map((i) => ({ path: i.path ? `base.${i.path}` : "base", message: i.message })), source);
    throw e;
  }
  const issues: ConfigIssue[] = [];
  const space: SearchParam[] = [];
  const totalEpochs = baseConfig.training.phases.reduce((n, p) => n + p.epochs, 0);
  const es = s.early_stopping;
  const maxEpochs = es.max_epochs ?? totalEpochs;
  if (es.min_epochs > maxEpochs) issues.push({ path: "early_stopping.min_epochs", message: `min_epochs ${es.min_epochs} is more than max_epochs ${maxEpochs}${es.max_epochs === undefined ? " (the base's total epochs)" : ""}` });
  // parameters are checked against the base as a trial gets it: its phases fitted to max_epochs
  const base = withKeyValue(s.base, ["training", "phases"], fitPhasesToEpochs(((s.base.training as any)?.phases ?? baseConfig.training.phases) as { epochs: number }[], maxEpochs));

  for (const [key, d] of Object.entries(s.parameters)) {
    const segments = keySegments(key);
    const leaf = schemaLeaf(segments, base);
    if (typeof leaf === "string") {
      issues.push({ path: paramPath(key), message: leaf });
      continue;
    }
    const kind = DISTRIBUTIONS.find((k) => d[k] !== undefined)!;
    if (kind !== "values" && leaf.kind === "other") {
      issues.push({ path: paramPath(key, kind), message: `${key} takes ${leaf.what}, not a number: list its choices with values: [...]` });
      continue;
    }
    if (kind === "uniform" || kind === "log_uniform") {
      if (leaf.kind === "number" && leaf.int) {
        issues.push({ path: paramPath(key, kind), message: `${key} takes whole numbers: use int_uniform or values` });
        continue;
      }
    }
    if (kind === "values" && leaf.kind === "number" && d.values!.some((v) => typeof v !== "number")) {
      issues.push({ path: paramPath(key, "values"), message: `${key} takes numbers; ${JSON.stringify(d.values!.find((v) => typeof v !== "number"))} is not one` });
      continue;
    }
    // every value (or both ends of a range) must be one the experiment schema accepts there
    const probes: Scalar[] = kind === "values" ? d.values! : d[kind]!;
    let bad = false;
    for (const v of probes) {
      try {
        validateConfig(withKeyValue(base, segments, v));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const here = e.issues.find((i) => i.path === formatPath(segments)) ?? e.issues[0];
        issues.push({ path: paramPath(key, kind), message: `${JSON.stringify(v)} is not a valid ${key}: ${here.message}` });
        bad = true;
        break;
      }
    }
    if (bad) continue;
    if (kind === "values") space.push({ name: key, kind: "categorical", choices: d.values! });
    else if (kind === "int_uniform") space.push({ name: key, kind: "int", low: d.int_uniform![0], high: d.int_uniform![1], log: false, step: d.q ?? 1 });
    else space.push({ name: key, kind: "float", low: d[kind]![0], high: d[kind]![1], log: kind === "log_uniform", step: d.q ?? null });
    if (s.method === "grid" && gridCount(d) === null)
      issues.push({ path: paramPath(key, kind), message: `a grid needs a finite set of values: give ${key} a step q, or values: [...], or use method random or tpe` });
  }
  let gridSize: number | null = null;
  const notes: string[] = [];
  if (s.method === "grid" && !issues.length) {
    gridSize = Object.values(s.parameters).reduce((n, d) => n * gridCount(d)!, 1);
    if (gridSize > MAX_GRID_POINTS)
      issues.push({
        path: "parameters",
        message: `the grid has ${gridSize.toLocaleString("en-US")} points (${Object.values(s.parameters).map((d) => gridCount(d)).join(" x ")}); at most ${MAX_GRID_POINTS.toLocaleString("en-US")}: fewer values, or method random or tpe`,
      });
  }
  let maxTrials = s.max_trials ?? gridSize ?? 0;
  if (s.method !== "grid" && s.max_trials === undefined) issues.push({ path: "max_trials", message: `${s.method} search needs max_trials (how many trials to run)` });
  if (gridSize !== null && maxTrials > gridSize) {
    notes.push(`max_trials ${maxTrials} is more than the grid's ${gridSize} points; the sweep runs each point once`);
    maxTrials = gridSize;
  }
  if (issues.length) throw new ConfigError(issues, source);
  const monitor = baseConfig.training.checkpoint;
  return {
    name: s.name,
    method: s.method,
    metric: { name: s.metric?.name ?? monitor.monitor, goal: s.metric?.goal ?? (s.metric ? "max" : monitor.mode) },
    maxTrials,
    parallel: s.parallel,
    priority: s.priority ?? baseConfig.resources.priority,
    seed: s.seed,
    earlyStopping: { type: es.type, minEpochs: es.min_epochs, maxEpochs, reductionFactor: es.reduction_factor },
    space,
    gridSize,
    base: s.base,
    notes,
  };
}

/** The experiment mapping of one trial: the base, its budget of epochs, its params, its sweep tags and priority. */
export function trialConfig(sweep: Pick<ResolvedSweep, "name" | "base" | "earlyStopping" | "priority">, sweepId: string, trial: number, params: Record<string, Scalar>): Record<string, unknown> {
  let raw = structuredClone(sweep.base) as Record<string, any>;
  const phases = (raw.training?.phases ?? validateConfig(raw).training.phases) as { epochs: number }[];
  raw = withKeyValue(raw, ["training", "phases"], fitPhasesToEpochs(phases, sweep.earlyStopping.maxEpochs));
  for (const [key, value] of Object.entries(params)) raw = withKeyValue(raw, keySegments(key), value);
  raw.name = `${sweep.name}-t${trial}`.slice(0, 120);
  raw.tags = [...((raw.tags as string[] | undefined) ?? []), `sweep:${sweepId}`, `trial:${trial}`];
  raw.resources = { ...(raw.resources ?? {}), priority: sweep.priority };
  return raw;
}

/**
 * The most trial-epochs a sweep can cost: every trial trained to max_epochs (an early stopper only ever stops
 * trials sooner, and promotes every trial that is the best at its rung).
 */
export function maxTrialEpochs(s: Pick<ResolvedSweep, "maxTrials" | "earlyStopping">): number {
  return s.maxTrials * s.earlyStopping.maxEpochs;
}
