// Free-space check before a run starts (and the floor handed to the trainer for its checkpoints).
import { statfsSync } from "node:fs";

export const minFreeBytes = () => Number(process.env.TRAINYARD_MIN_FREE_MB ?? 1024) * 1024 * 1024;

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;

/** null when there is room, else a message saying where, how much, and what to do. */
export function diskSpaceProblem(dir: string, need = minFreeBytes()): string | null {
  let free: number;
  try {
    const s = statfsSync(dir);
    free = Number(s.bavail) * Number(s.bsize);
  } catch (e) {
    return `cannot check free disk space in ${dir}: ${(e as Error).message}`;
  }
  if (free >= need) return null;
  return `not enough disk space in ${dir}: ${gib(free)} free, at least ${gib(need)} needed (TRAINYARD_MIN_FREE_MB); delete old runs with \`trainyard delete RUN\` or move TRAINYARD_HOME to a larger disk`;
}
