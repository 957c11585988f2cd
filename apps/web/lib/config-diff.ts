// The compare view's config table: flatten each run's resolved config to dotted keys and keep only the
// keys whose values differ between runs. Pure; no React.

/** `{a: {b: 1}, c: [x, y]}` → {"a.b": 1, "c[0]": x, "c[1]": y}; lists of scalars stay one value. */
export function flattenConfig(value: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) out[prefix] = value;
    else value.forEach((v, i) => flattenConfig(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = value;
  return out;
}

export interface ConfigDiffRow {
  key: string;
  /** One value per run, in the order given; undefined where a run lacks the key. */
  values: unknown[];
}

/** Keys whose values are not all equal across the configs (a key missing in some run counts as differing). */
export function differingKeys(configs: readonly unknown[], ignore: readonly string[] = ["name"]): ConfigDiffRow[] {
  const flat = configs.map((c) => flattenConfig(c));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => !ignore.includes(k)).sort();
  const rows: ConfigDiffRow[] = [];
  for (const key of keys) {
    const values = flat.map((f) => f[key]);
    const first = JSON.stringify(values[0]);
    if (values.some((v) => JSON.stringify(v) !== first)) rows.push({ key, values });
  }
  return rows;
}

export function formatConfigValue(v: unknown): string {
  if (v === undefined) return "—";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** Index of the best value per row (max or min), or -1 when no value is a number. Ties mark the first. */
export function bestIndex(values: readonly (number | null | undefined)[], mode: "max" | "min"): number {
  let best = -1;
  for (const [i, v] of values.entries()) {
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    if (best < 0 || (mode === "max" ? v > values[best]! : v < values[best]!)) best = i;
  }
  return best;
}
