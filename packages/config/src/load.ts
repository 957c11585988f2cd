// Load an experiment config from YAML text, apply key=value overrides, validate, and report every
// problem with the path of the field it is about.
import { parseDocument, parse as parseYamlValue } from "yaml";
import { experimentSchema, type ExperimentConfig } from "./schema.ts";

export interface ConfigIssue {
  /** Field path as users write it: training.phases[1].lr ("" for the whole document). */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly issues: ConfigIssue[],
    readonly source = "config",
  ) {
    super(`${source} is not valid:\n` + issues.map((i) => `  ${i.path || "(top level)"}: ${i.message}`).join("\n"));
    this.name = "ConfigError";
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += (out ? "." : "") + String(seg);
  }
  return out;
}

/** Parse YAML text into a plain value; syntax errors name the line and column. */
export function parseYaml(text: string, source = "config"): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { path: "", message: `${pos ? `line ${pos.line}, column ${pos.col}: ` : ""}${e.message.split("\n")[0]}` };
      }),
      source,
    );
  }
  const value = doc.toJS();
  if (value === null || value === undefined) throw new ConfigError([{ path: "", message: "the document is empty" }], source);
  if (typeof value !== "object" || Array.isArray(value))
    throw new ConfigError([{ path: "", message: "expected a mapping of sections (name, dataset, model, training, ...)" }], source);
  return value;
}

/**
 * Apply `key=value` overrides: dotted paths, numeric segments index lists
 * (`training.phases.1.lr=3e-5`); the value is read as a YAML scalar or flow collection.
 */
export function applyOverrides(raw: unknown, overrides: readonly string[]): Record<string, unknown> {
  const root = structuredClone(raw ?? {}) as Record<string, unknown>;
  for (const item of overrides) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ConfigError([{ path: "", message: `override "${item}" is not key=value (e.g. training.batch_size=32)` }], "overrides");
    const key = item.slice(0, eq).trim();
    const segments = key.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    if (segments.some((s) => s === "")) throw new ConfigError([{ path: key, message: "empty segment in override key" }], "overrides");
    let value: unknown;
    try {
      value = parseYamlValue(item.slice(eq + 1));
    } catch {
      value = item.slice(eq + 1);
    }
    let node: any = root;
    for (let i = 0; i < segments.length - 1; i++) {
      const seg = segments[i];
      if (node[seg] === undefined || node[seg] === null || typeof node[seg] !== "object") {
        if (typeof seg === "number" && !Array.isArray(node))
          throw new ConfigError([{ path: formatPath(segments.slice(0, i + 1)), message: "is not a list" }], "overrides");
        node[seg] = typeof segments[i + 1] === "number" ? [] : {};
      }
      node = node[seg];
    }
    const last = segments[segments.length - 1];
    if (Array.isArray(node) && typeof last === "number" && last > node.length)
      throw new ConfigError([{ path: formatPath(segments), message: `index ${last} is past the end of a list of ${node.length}` }], "overrides");
    node[last] = value;
  }
  return root;
}

/** Validate a plain object against the schema; returns the resolved config with defaults filled in. */
export function validateConfig(raw: unknown, source = "config"): ExperimentConfig {
  const result = experimentSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => ({ path: formatPath(i.path), message: issueMessage(i) })),
    source,
  );
}

function issueMessage(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === "unrecognized_keys" && issue.keys)
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (check the spelling; see configs/gen2a_port.yaml)`;
  return issue.message;
}

/** YAML text + overrides → resolved config. */
export function loadConfig(text: string, overrides: readonly string[] = [], source = "config"): ExperimentConfig {
  return validateConfig(applyOverrides(parseYaml(text, source), overrides), source);
}
