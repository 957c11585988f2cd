"use client";

import { useId } from "react";
import { formatPath } from "@trainyard/config";
import { getIn, type Path } from "../lib/config-doc.ts";

export interface FieldContext {
  value: Record<string, unknown>;
  issues: Map<string, string>;
  set: (path: Path, value: unknown) => void;
}

type Kind = { type: "text" } | { type: "number"; step?: number; min?: number; max?: number } | { type: "select"; options: readonly string[] } | { type: "checkbox" };

/** One config field bound to a path: shows the current value (or the schema default) and its error. */
export function Field({ ctx, path, label, kind, fallback }: { ctx: FieldContext; path: Path; label: string; kind: Kind; fallback?: unknown }) {
  const id = useId();
  const key = formatPath(path as PropertyKey[]);
  const raw = getIn(ctx.value, path);
  const current = raw === undefined ? fallback : raw;
  const error = ctx.issues.get(key);
  const common = { id, "data-field": key, "aria-invalid": error ? true : undefined, "aria-describedby": error ? `${id}-err` : undefined };
  let input;
  if (kind.type === "checkbox") input = <input type="checkbox" {...common} checked={Boolean(current)} onChange={(e) => ctx.set(path, e.target.checked)} />;
  else if (kind.type === "select")
    input = (
      <select {...common} value={String(current ?? "")} onChange={(e) => ctx.set(path, e.target.value)}>
        {kind.options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    );
  else if (kind.type === "number")
    input = (
      <input
        type="number" {...common} step={kind.step ?? "any"} min={kind.min} max={kind.max}
        value={typeof current === "number" ? current : ""}
        onChange={(e) => ctx.set(path, e.target.value === "" ? undefined : Number(e.target.value))}
      />
    );
  else input = <input type="text" {...common} value={current == null ? "" : String(current)} onChange={(e) => ctx.set(path, e.target.value)} />;
  return (
    <div className={`field${error ? " has-error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {input}
      {error && <span id={`${id}-err`} className="field-error" role="alert" data-testid="field-error" data-path={key}>{error}</span>}
    </div>
  );
}
