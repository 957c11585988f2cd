// Files inside a run's folder that the daemon may hand out or pass on (downloads, resume, warm starts).
import { existsSync, realpathSync, statSync } from "node:fs";
import { insideDir, runDir, type Home } from "../home.ts";

/**
 * A file the store points at, only if it exists and, with every symlink resolved, lies inside the run's
 * folder under TRAINYARD_HOME; null otherwise.
 */
export function servableFileIn(home: Home, runId: string, relative: string): string | null {
  const base = runDir(home, runId);
  const file = insideDir(base, relative);
  if (!file || !existsSync(file)) return null;
  try {
    const real = realpathSync(file);
    if (!insideDir(realpathSync(base), real) || !statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}
