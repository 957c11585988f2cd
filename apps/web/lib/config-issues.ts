// Field issues of a config, as the daemon reports them: `{path: "training.phases[1].lr", message}`.
// They arrive either in a validate result or in a BAD_REQUEST error's `data.issues`.

export interface ConfigIssue {
  path: string;
  message: string;
}

function isIssue(v: unknown): v is ConfigIssue {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { path?: unknown }).path === "string" &&
    typeof (v as { message?: unknown }).message === "string"
  );
}

/** Issues carried by a tRPC error (`error.data.issues`), or none. */
export function issuesFromError(error: unknown): ConfigIssue[] {
  const data = (error as { data?: { issues?: unknown } } | null | undefined)?.data;
  return Array.isArray(data?.issues) ? data.issues.filter(isIssue) : [];
}

/** Orders issues the way the config reads: by path, an empty path (the whole document) first. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.path === b.path ? 0 : a.path < b.path ? -1 : 1));
}

/**
 * "training.phases[1].lr" -> ["training", "phases", 1, "lr"]; a quoted key stays whole, dots and all: a sweep's
 * `parameters["training.batch_size"].values` -> ["parameters", "training.batch_size", "values"].
 */
export function parseIssuePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/\["([^"]*)"\]|([^.[\]]+)|\[(\d+)\]/g)) out.push(m[1] !== undefined ? m[1] : m[3] !== undefined ? Number(m[3]) : m[2]);
  return out;
}

const indentOf = (line: string) => line.length - line.trimStart().length;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const stripComment = (line: string) => line.replace(/(^|\s)#.*$/, "");

/**
 * The 1-based line of the YAML that most likely holds `path`, so an issue can point at its line. A
 * heuristic, not a YAML parser: each key is looked for inside the block of the previous segment, and a
 * list index counts the `- ` items under its key. A flow list (`[a, b]`) answers the list's own line.
 * Null when the path cannot be followed, e.g. a missing key, which is what some issues are about.
 */
export function lineOfPath(yaml: string, path: string): number | null {
  const segments = parseIssuePath(path);
  if (!segments.length) return null;
  const lines = yaml.split("\n").map(stripComment);
  let at = -1; // line of the node reached so far (-1: the document)
  let scope = -1; // its indentation
  let atItem = false; // whether `at` is a list item line ("- name: x") rather than a key line ("key: ...")
  const leftBlock = (i: number) => lines[i].trim() !== "" && indentOf(lines[i]) <= scope;
  const isItem = (line: string) => /^\s*-(\s|$)/.test(line);

  for (const seg of segments) {
    if (typeof seg === "number") {
      let itemIndent = -1;
      let count = -1;
      let found = -1;
      for (let i = at + 1; i < lines.length; i++) {
        if (!isItem(lines[i])) {
          if (leftBlock(i)) break;
          continue;
        }
        if (indentOf(lines[i]) < scope) break;
        if (itemIndent >= 0 && indentOf(lines[i]) !== itemIndent) continue;
        itemIndent = indentOf(lines[i]);
        if (++count === seg) {
          found = i;
          break;
        }
      }
      // a flow list ("crop_scale: [0.8, 1]") has no item lines: its own line is the answer
      if (found < 0) return at >= 0 && lines[at].includes("[") ? at + 1 : null;
      at = found;
      scope = itemIndent;
      atItem = true;
      continue;
    }
    const key = new RegExp(`(^|[\\s{,])${escapeRe(seg)}\\s*:`);
    let found = -1;
    for (let i = Math.max(at, 0); i < lines.length; i++) {
      if (i > at && leftBlock(i)) break;
      // on the node's own line only its inline children count: "- name: x, ..." or "key: {a: 1}"
      const text = i !== at ? lines[i] : atItem ? lines[i].replace(/^\s*-/, " ") : lines[i].slice(lines[i].indexOf(":") + 1);
      if (key.test(text)) {
        found = i;
        break;
      }
    }
    if (found < 0) return null;
    at = found;
    scope = indentOf(lines[found]);
    atItem = false;
  }
  return at + 1;
}
