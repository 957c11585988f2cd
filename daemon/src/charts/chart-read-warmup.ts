// A fresh chart-read worker runs its first reads in V8's interpreter: on a compare view's cold read of
// 300 series, its first chunks of 16 took 10 times as long as the later ones (47-154 ms against 4-5 ms
// on a 2-core machine). So before a worker says it is ready it reads a few series of the store's newest
// finished runs, both kinds of read the dashboard makes, and throws the answers away: by the first
// page's read the read paths are compiled. Bounded in time; an empty store warms nothing.
import type Database from "better-sqlite3";
import { runChartJob, type ChartReadJob } from "./chart-read-jobs.ts";

/** Time a worker may spend warming up, in ms (TRAINYARD_CHART_WARMUP_MS; 0 turns it off). */
export function warmupBudgetMs(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.TRAINYARD_CHART_WARMUP_MS);
  return env.TRAINYARD_CHART_WARMUP_MS !== undefined && Number.isFinite(n) && n >= 0 ? n : 300;
}

/** The reads a warm-up makes: the newest finished runs' stored series, as the compare view reads them. */
export function warmupJobs(sqlite: Database.Database, series = 24): ChartReadJob[] {
  const runs = sqlite
    .prepare("SELECT id FROM runs WHERE status IN ('completed', 'failed', 'cancelled', 'interrupted', 'pruned') ORDER BY ended_at IS NULL, ended_at DESC LIMIT 4")
    .pluck()
    .all() as string[];
  const keysOf = sqlite.prepare("SELECT DISTINCT key FROM metric_blocks WHERE run_id = ?").pluck();
  const picked: { runId: string; key: string }[] = [];
  for (const runId of runs) {
    for (const key of keysOf.all(runId) as string[]) if (picked.length < series) picked.push({ runId, key });
  }
  // bucket counts the pages ask for (series-request.ts: 400 for 50 runs, 1,000 for a few), then the
  // exact smoothing the compare view asks for after its first paint
  return [
    ...picked.flatMap(({ runId, key }) => [400, 1000].map((maxPoints): ChartReadJob => ({ kind: "buckets", runId, key, opts: { maxPoints } }))),
    ...picked.map(({ runId, key }): ChartReadJob => ({ kind: "smoothing", runId, key, opts: { maxPoints: 400, smoothing: 0.6 } })),
  ];
}

/**
 * Runs warm-up reads, one per turn of the event loop so a real read that arrives meanwhile is answered
 * first, until they are done, `budgetMs` has passed or `stop()` says a real read came; resolves with how
 * many ran.
 */
export async function warmChartReads(sqlite: Database.Database, budgetMs = warmupBudgetMs(), stop: () => boolean = () => false): Promise<number> {
  if (budgetMs <= 0) return 0;
  const start = performance.now();
  let done = 0;
  for (const job of warmupJobs(sqlite)) {
    if (stop() || performance.now() - start >= budgetMs) break;
    runChartJob(sqlite, job);
    done++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return done;
}
