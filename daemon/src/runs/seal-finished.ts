// At daemon start, seal the unsealed metric rows of runs that are no longer running: a store written by
// an older daemon (before metric blocks) or a daemon killed between a run's last batch and its seal.
// In the background, one series per event-loop turn (a 100k-point series is ~0.2 s), so a large store
// does not hold up the API while it is converted.
import { runsWithTails, sealTail, tailKeys } from "@trainyard/db";
import { FINAL_STATES } from "@trainyard/protocol/run-states";
import type Database from "better-sqlite3";

const isFinal = (sqlite: Database.Database, runId: string) => {
  const status = sqlite.prepare("SELECT status FROM runs WHERE id = ?").pluck().get(runId) as string | undefined;
  return status !== undefined && FINAL_STATES.includes(status as (typeof FINAL_STATES)[number]);
};

/** Returns how many series it sealed. */
export async function sealFinishedRuns(sqlite: Database.Database, isOpen: () => boolean): Promise<number> {
  let sealed = 0;
  for (const runId of runsWithTails(sqlite, FINAL_STATES)) {
    for (const key of tailKeys(sqlite, runId)) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!isOpen()) return sealed;
      // the run may have been resumed meanwhile: its own ingest seals it then
      if (!isFinal(sqlite, runId)) break;
      sealTail(sqlite, runId, key);
      sealed++;
    }
  }
  return sealed;
}
