// At daemon start, after sealing: give the metric blocks of an older store (sealed before metric_groups
// existed) their 32-point group aggregates, so its charts get the cheap bucket read too. Until then those
// series are read point by point, with the same result. In the background, one series per event-loop turn.
import { groupSeriesBlocks, seriesWithoutGroups } from "@trainyard/db";
import type Database from "better-sqlite3";

/** Returns how many blocks it gave aggregates. */
export async function groupOldBlocks(sqlite: Database.Database, isOpen: () => boolean): Promise<number> {
  let blocks = 0;
  // a series that still lacks aggregates after its turn (steps of blocks not numbered 0, 1, 2, ...) keeps
  // its point-by-point reads; it is not retried forever
  const done = new Set<string>();
  for (;;) {
    const batch = seriesWithoutGroups(sqlite, done.size + 50).filter((s) => !done.has(`${s.runId}\u0000${s.key}`));
    if (!batch.length) return blocks;
    for (const { runId, key } of batch) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!isOpen()) return blocks;
      blocks += groupSeriesBlocks(sqlite, runId, key);
      done.add(`${runId}\u0000${key}`);
    }
  }
}
