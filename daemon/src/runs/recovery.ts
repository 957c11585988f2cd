// Daemon start after a crash: for every run the previous daemon left "running", first ask its executor
// whether the trainer outlived the daemon (a Slurm job still pending or running: followed again from the
// stored offset, never submitted twice). Otherwise store what its events.jsonl holds beyond SQLite's
// offset, stop its orphaned trainer (only if /proc shows it is ours), and put it back in the queue to
// resume from its last checkpoint, up to max_restarts times.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { listRuns, updateRun, type RunRow } from "@trainyard/db";
import type { RunContext } from "./run-context.ts";
import type { Scheduler } from "./scheduler.ts";
import { runDir } from "../home.ts";
import { replayEvents, RunIngest } from "./ingest.ts";
import { LAST_CHECKPOINT } from "./supervisor.ts";

export type OrphanOutcome = "none" | "gone" | "not-ours" | "stopped" | "killed";

/** The process's command line, or null when there is no such live process. */
function cmdline(pid: number): string | null {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return text ? text.replace(/\0/g, " ") : null; // empty: a zombie
  } catch {
    return null;
  }
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, sig);
      return;
    } catch {
      // not a group leader, or gone
    }
  }
};

/** Stop a trainer the previous daemon left behind: SIGTERM (it checkpoints), SIGKILL after the grace. */
export async function stopOrphan(pid: number | null, runId: string, graceMs: number): Promise<OrphanOutcome> {
  if (!pid) return "none";
  const cmd = cmdline(pid);
  if (cmd === null) return "gone";
  if (!cmd.includes(runId)) return "not-ours"; // the pid was reused by an unrelated process
  signal(pid, "SIGTERM");
  const end = Date.now() + graceMs;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    if (cmdline(pid) === null) return "stopped";
  }
  signal(pid, "SIGKILL");
  return "killed";
}

/** How one interrupted run continues; exported for the tests of the decision. */
export function recoveryDecision(run: Pick<RunRow, "restarts" | "maxRestarts">, doneState: string | null, hasCheckpoint: boolean) {
  if (doneState === "completed" || doneState === "failed") return { status: doneState, requeue: false } as const;
  if (run.restarts >= run.maxRestarts) return { status: "failed", requeue: false } as const;
  return { status: "queued", requeue: true, resume: hasCheckpoint } as const;
}

export async function recoverRuns(daemon: RunContext & { scheduler: Pick<Scheduler, "adopt"> }, graceMs = Number(process.env.TRAINYARD_KILL_GRACE_MS ?? 20_000)): Promise<void> {
  const db = daemon.store.db;
  for (const run of listRuns(db, { status: ["running", "queued"], limit: 100_000 })) {
    const dir = runDir(daemon.home, run.id);
    const executor = daemon.executor(run.executor);
    // a queued run is the scheduler's, unless a cluster job of it was submitted (or being submitted): it waits in
    // the cluster's queue and is followed again like a running one, never submitted twice
    if (run.status === "queued" && (executor.usesLocalSlots || (!run.jobId && !run.pendingReason))) continue;
    if (executor.reattach && existsSync(dir)) {
      const offset = run.eventsOffset;
      const adopted = await daemon.scheduler.adopt(run.id, async (req) => {
        const handle = await executor.reattach!(run, req);
        if (handle) req.note(`the daemon restarted: ${executor.name} job ${run.jobId ?? "(found by name)"} is still alive; following events.jsonl again from byte ${offset}`, "warning");
        return handle;
      });
      if (adopted) continue;
    }
    if (!existsSync(dir)) {
      // deleted or moved while the daemon was down: nothing to replay or resume from, and no log to append to
      await stopOrphan(run.pid, run.id, graceMs);
      updateRun(db, run.id, {
        status: "failed",
        pid: null,
        endedAt: run.endedAt ?? Date.now(),
        error: `the daemon restarted and this run's directory ${dir} is gone (deleted or moved?), so it cannot resume; its stored metrics are kept. Clone the run to train it again.`,
      });
      continue;
    }
    const { lines, state } = replayEvents(daemon, run.id, dir, run.eventsOffset);
    const orphan = await stopOrphan(run.pid, run.id, graceMs);
    const hasCheckpoint = existsSync(join(dir, LAST_CHECKPOINT));
    const decision = recoveryDecision(run, state.done?.state ?? null, hasCheckpoint);
    const notes = [`the daemon restarted: ${lines} event lines replayed from events.jsonl`, run.jobId ? `${executor.name} job ${run.jobId}: ended` : `trainer pid ${run.pid ?? "-"}: ${orphan}`];
    let error: string | null = null;
    if (decision.requeue) {
      notes.push(`re-queued (restart ${run.restarts + 1} of ${run.maxRestarts}) ${decision.resume ? `to resume from ${LAST_CHECKPOINT}` : "from the start: no checkpoint yet"}`);
    } else if (decision.status === "failed" && !state.done) {
      error = `the daemon stopped while this run was training, and it has used all ${run.maxRestarts} automatic restarts; \`trainyard resume ${run.id}\` continues it`;
    }
    const ingest = new RunIngest(daemon, run.id, dir, executor.eventsWriter === "trainer" ? "follow" : "append");
    ingest.note(notes.join("; "), "warning");
    ingest.close();
    updateRun(db, run.id, decision.requeue
      ? { status: "queued", pid: null, restarts: run.restarts + 1, resumeFrom: decision.resume ? LAST_CHECKPOINT : null, error: null }
      : { status: decision.status, pid: null, error: error ?? state.done?.error ?? null, endedAt: run.endedAt ?? Date.now() });
  }
}
