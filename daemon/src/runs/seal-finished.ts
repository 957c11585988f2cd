// At daemon start, seal the unsealed metric rows of runs that are no longer running: a store written by
// an older daemon (before metric blocks) or a daemon killed between a run's last batch and its seal.
// In the background, one run per event-loop turn, so a large store does not hold up the API.
import { FINAL_STATES, runsWithTails, sealRun } from "@trainyard/db";
import type Database from "better-sqlite3";

export async function sealFinishedRuns(sqlite: Database.Database, isOpen: () => boolean): Promise<number> {
  let sealed = 0;
  for (const runId of runsWithTails(sqlite, FINAL_STATES)) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!isOpen()) break;
    // the run may have been resumed meanwhile: its supervisor seals at its own end
    const status = sqlite.prepare("SELECT status FROM runs WHERE id = ?").pluck().get(runId) as string | undefined;
    if (!status || !FINAL_STATES.includes(status as (typeof FINAL_STATES)[number])) continue;
    sealRun(sqlite, runId);
    sealed++;
  }
  return sealed;
}
