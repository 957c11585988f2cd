// What users type to name a registered model: model names, alias names, tags, and references
// "M" (its newest version), "M@3" (version 3), "M@production" (the version the alias names). Pure, no store.

/** A model name: used in URLs and as a folder under TRAINYARD_HOME/models. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** An alias: lower case, starting with a letter, so it never reads as a version number. */
export const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,63}$/;
/** `M@latest` always means the newest version, so no alias may take the name. */
export const LATEST = "latest";
export const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

/** What the API answers with a registry error (tRPC codes; the plain HTTP routes map them to statuses). */
export type RegistryErrorCode = "BAD_REQUEST" | "NOT_FOUND" | "CONFLICT" | "FORBIDDEN" | "INTERNAL_SERVER_ERROR";

/** A registry request refused: a sentence saying what, where, and what would do instead. */
export class ModelRegistryError extends Error {
  constructor(
    message: string,
    readonly code: RegistryErrorCode = "BAD_REQUEST",
  ) {
    super(message);
  }
}

export type VersionSelector = { kind: "latest" } | { kind: "version"; version: number } | { kind: "alias"; alias: string };

export function checkModelName(name: string): string {
  if (!MODEL_NAME.test(name))
    throw new ModelRegistryError(`model name ${JSON.stringify(name)}: use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. lesion-classifier)`);
  return name;
}

export function checkAliasName(alias: string): string {
  if (alias === LATEST) throw new ModelRegistryError(`alias "${LATEST}" is reserved: M@latest always names the newest version; pick another name (production, staging, ...)`);
  if (!ALIAS_NAME.test(alias))
    throw new ModelRegistryError(`alias ${JSON.stringify(alias)}: use 1-64 lower-case letters, digits, "_" or "-", starting with a letter (e.g. production, staging, candidate-2)`);
  return alias;
}

/** A version number as typed: "3" or "v3". */
export function parseVersionNumber(text: string): number | null {
  const m = /^v?([1-9]\d{0,8})$/.exec(text.trim());
  return m ? Number(m[1]) : null;
}

/** "M", "M@3" / "M@v3", "M@alias" (M@latest is the newest version, as plain M). */
export function parseModelRef(ref: string): { name: string; selector: VersionSelector } {
  const text = ref.trim();
  const at = text.indexOf("@");
  const name = at < 0 ? text : text.slice(0, at);
  const after = at < 0 ? "" : text.slice(at + 1);
  if (!name || (at >= 0 && !after)) throw new ModelRegistryError(`${JSON.stringify(ref)} is not MODEL, MODEL@VERSION or MODEL@ALIAS (e.g. lesion-classifier@production)`);
  checkModelName(name);
  if (at < 0 || after === LATEST) return { name, selector: { kind: "latest" } };
  const version = parseVersionNumber(after);
  if (version !== null) return { name, selector: { kind: "version", version } };
  if (!ALIAS_NAME.test(after)) throw new ModelRegistryError(`${JSON.stringify(ref)}: "${after}" is neither a version number nor an alias name (lower-case letters, digits, "_" or "-")`);
  return { name, selector: { kind: "alias", alias: after } };
}

/** `--tag K=V` and bare `--tag T` (stored as T = ""), later ones winning. */
export function parseTags(list: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const raw of list) {
    const i = raw.indexOf("=");
    const key = (i < 0 ? raw : raw.slice(0, i)).trim();
    const value = i < 0 ? "" : raw.slice(i + 1).trim();
    if (!TAG_KEY.test(key)) throw new ModelRegistryError(`tag ${JSON.stringify(raw)}: write KEY=VALUE or a bare TAG; the key takes 1-64 letters, digits, ".", "_", ":", "/" or "-"`);
    if (value.length > 500) throw new ModelRegistryError(`tag "${key}": the value is ${value.length} characters; at most 500`);
    tags[key] = value;
  }
  return tags;
}

export const formatRef = (name: string, version: number) => `${name}@${version}`;
