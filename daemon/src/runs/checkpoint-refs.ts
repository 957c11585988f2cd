// Naming a run's checkpoint: `trainyard resume RUN --checkpoint NAME` and `model.init_from: RUN[:CHECKPOINT]`.
// Only checkpoints the store recorded count, and only when their file is still inside the run's folder.
import { join } from "node:path";
import { getCheckpoint, getRun, listCheckpoints, type Db } from "@trainyard/db";
import type { Home } from "../home.ts";
import { servableFileIn } from "./run-files.ts";

export const CHECKPOINT_FILE = "checkpoint.pt";

export interface CheckpointRef {
  runId: string;
  name: string;
  /** Absolute path of the checkpoint file. */
  file: string;
  /** The same, relative to the run's folder (what runs.resume_from stores). */
  relative: string;
}

/** Why a reference cannot be used: a sentence naming the run, the checkpoint and what exists instead. */
export class CheckpointRefError extends Error {}

/** "RUN" or "RUN:NAME" (default name `best`, the checkpoint a warm start usually wants). */
export function parseCheckpointRef(ref: string, defaultName = "best"): { runId: string; name: string } {
  const i = ref.lastIndexOf(":");
  const runId = (i < 0 ? ref : ref.slice(0, i)).trim();
  const name = (i < 0 ? defaultName : ref.slice(i + 1)).trim();
  if (!runId || !name) throw new CheckpointRefError(`"${ref}" is not RUN or RUN:CHECKPOINT (e.g. 20261202-abc123:best)`);
  return { runId, name };
}

export function resolveCheckpoint(db: Db, home: Home, runId: string, name: string): CheckpointRef {
  if (!getRun(db, runId)) throw new CheckpointRefError(`no run "${runId}"`);
  const recorded = getCheckpoint(db, runId, name);
  const known = listCheckpoints(db, runId).map((c) => c.name);
  const choices = known.length ? `its checkpoints: ${known.join(", ")}` : "it has no checkpoint yet";
  if (!recorded) throw new CheckpointRefError(`run ${runId} has no checkpoint "${name}"; ${choices}`);
  const relative = join(recorded.path, CHECKPOINT_FILE);
  const file = servableFileIn(home, runId, relative);
  if (!file) throw new CheckpointRefError(`checkpoint "${name}" of run ${runId} is recorded but its file is missing; ${choices}`);
  return { runId, name, file, relative };
}
