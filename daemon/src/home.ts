// TRAINYARD_HOME layout: the one place that knows where files live.
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve, sep } from "node:path";

export interface Home {
  root: string;
  db: string;
  datasets: string;
  cache: string;
  runs: string;
}

export function resolveHome(dir?: string): Home {
  const root = resolve(dir ?? process.env.TRAINYARD_HOME ?? join(homedir(), ".trainyard"));
  const home = { root, db: join(root, "trainyard.db"), datasets: join(root, "datasets"), cache: join(root, "cache"), runs: join(root, "runs") };
  for (const d of [root, home.datasets, home.cache, home.runs]) mkdirSync(d, { recursive: true });
  return home;
}

export const runDir = (home: Home, runId: string) => join(home.runs, runId);
export const datasetDir = (home: Home, name: string) => join(home.datasets, name);
export const cacheDir = (home: Home, dataset: string, size: number) => join(home.cache, dataset, String(size));
/** A registered model version's folder: its frozen checkpoint and the exports built from it. */
export const modelDir = (home: Home, name: string, version: number) => join(home.root, "models", name, String(version));

/** Resolve `relative` under `base`; null if it would escape (../, absolute paths, NUL). */
export function insideDir(base: string, relative: string): string | null {
  if (relative.includes("\0")) return null;
  const full = resolve(base, relative);
  return full === base || full.startsWith(base.endsWith(sep) ? base : base + sep) ? full : null;
}
