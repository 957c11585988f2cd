// The new-run form and the YAML view edit one text: the form reads values out of the parsed YAML and
// writes each change back with yaml's Document.setIn, so comments and layout of the user's YAML survive a
// form edit, and a YAML edit shows in the form at once. Field errors come from the shared zod schema.
import { experimentSchema, formatPath } from "@trainyard/config";
import { isMap, isSeq, parseDocument, stringify, type Document } from "yaml";

export type Path = readonly (string | number)[];

export interface ConfigRead {
  value: Record<string, unknown> | null;
  /** The YAML syntax error, when the text does not parse. */
  error: string | null;
}

export function readConfig(text: string): ConfigRead {
  if (!text.trim()) return { value: {}, error: null };
  const doc = parseDocument(text);
  if (doc.errors.length) return { value: null, error: doc.errors[0].message.split("\n")[0] };
  const v = doc.toJS();
  if (v === null || typeof v !== "object" || Array.isArray(v)) return { value: null, error: "the YAML is not a mapping of sections" };
  return { value: v as Record<string, unknown>, error: null };
}

export function getIn(value: unknown, path: Path): unknown {
  let node = value;
  for (const seg of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

/** Lists and mappings set through the form are written in flow style, as the example configs are. */
function flowNode(doc: Document, value: unknown) {
  const node = doc.createNode(value);
  if ((isMap(node) || isSeq(node)) && JSON.stringify(value).length < 100) node.flow = true;
  return node;
}

/** `text` with the value at `path` replaced (undefined deletes it); a text that does not parse is left alone. */
export function setConfigValue(text: string, path: Path, value: unknown): string {
  const doc = parseDocument(text.trim() ? text : "{}");
  if (doc.errors.length) return text;
  if (!isMap(doc.contents)) return toYaml(setPlain({}, path, value)); // a scalar or list document: start a mapping
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, value !== null && typeof value === "object" ? flowNode(doc, value) : value);
  return doc.toString({ lineWidth: 0 });
}

/** A whole config as YAML text (for clone and file import of JSON). */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/** Field path → first message, from the experiment schema, for errors shown at the field before submit. */
export function fieldIssues(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  const r = experimentSchema.safeParse(value);
  if (r.success) return out;
  for (const i of r.error.issues) {
    const p = formatPath(i.path as PropertyKey[]);
    if (!out.has(p)) out.set(p, i.message);
  }
  return out;
}

/** Move item `from` of a list to `to` (for phase reordering). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = [...list];
  if (to < 0 || to >= out.length) return out;
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x);
  return out;
}

function setPlain(root: Record<string, unknown>, path: Path, value: unknown): Record<string, unknown> {
  let node: Record<string | number, unknown> = root;
  path.forEach((seg, i) => {
    if (i === path.length - 1) node[seg] = value;
    else node = (node[seg] ??= typeof path[i + 1] === "number" ? [] : {}) as Record<string | number, unknown>;
  });
  return root;
}
