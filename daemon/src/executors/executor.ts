// The executor seam: the daemon prepares a run (spec, arrays, image cache), an executor launches its trainer
// somewhere and reports how it ends, the daemon follows its events and settles the run. An executor stores
// what finds the run again after a daemon restart on the run row (`pid` for local, `jobId` for Slurm) and
// says who writes events.jsonl: "daemon" (it reads the trainer's stdout and appends each line itself) or
// "trainer" (the trainer writes the file on a filesystem the daemon shares; the daemon follows it by offset).
import type { ExperimentConfig } from "@trainyard/config";
import type { RunRow } from "@trainyard/db";
import type { Slot } from "../gpus/inventory.ts";
import type { PythonInfo } from "../python.ts";

import type { EXECUTORS } from "@trainyard/config";

export type ExecutorName = (typeof EXECUTORS)[number];

export interface LaunchRequest {
  runId: string;
  dir: string;
  specPath: string;
  /** Local slots the scheduler gave the run (empty for executors that place runs themselves). */
  slots: Slot[];
  python: Extract<PythonInfo, { ok: true }> | null;
  /** The trainer's command line (trainerCommand). */
  command: string[];
  /** Resources as the config asks for them. */
  config: ExperimentConfig;
  /** What the executor wants the run's log to say (stored with the run, seen on its page). */
  note(message: string, level?: string): void;
  /** Lines of the trainer's stdout, for executors whose events file the daemon writes. */
  line(text: string): void;
  /** A change on the run row the executor keeps up to date (job id, Slurm's pending reason, nodes). */
  update(patch: ExecutorPatch): void;
}

export interface ExecutorPatch {
  pid?: number | null;
  jobId?: string | null;
  jobState?: string | null;
  pendingReason?: string | null;
  nodeList?: string | null;
}

/** How a launched trainer ended, as far as the executor can tell. */
export interface RunExit {
  code: number | null;
  signal: string | null;
  /**
   * The executor ended it, not the trainer (Slurm's TIMEOUT, PREEMPTED, NODE_FAIL): the run is
   * `interrupted` and resubmitted from its last checkpoint within maxRestarts.
   */
  preempted?: string;
  /** Why it failed when the trainer never reported (sbatch refused it, the job could not start). */
  error?: string;
  /** The daemon let go of a trainer that keeps running (detach); its run stays `running` for the next daemon. */
  detached?: boolean;
}

export interface RunHandle {
  /** Settles once the trainer (all its processes) is gone. */
  readonly exit: Promise<RunExit>;
  /** Ask the trainer to checkpoint and stop (SIGTERM); `force` kills what is left. */
  signal(force: boolean): void;
  /**
   * Daemon shutdown, for trainers that outlive the daemon (a cluster job): stop following, leave the
   * trainer running; `exit` then settles with `detached`. Without it, shutdown stops the trainer.
   */
  detach?(): void;
}

export interface Executor {
  readonly name: ExecutorName;
  /** Who writes the run's events.jsonl (see the file header). */
  readonly eventsWriter: "daemon" | "trainer";
  /** Whether runs take the daemon's own GPU / CPU slots (false: the cluster places them). */
  readonly usesLocalSlots: boolean;
  /** Problems with a config this executor would run, as config issues (checked at submit). */
  configIssues(config: ExperimentConfig): { path: string; message: string }[];
  /** Daemon start with this as its executor: throws what is wrong with its setup. */
  check?(home: string): Promise<void>;
  launch(req: LaunchRequest): Promise<RunHandle>;
  /**
   * After a daemon restart: the handle of a run the previous daemon launched that is still alive, or null
   * when it is gone (then recovery replays its events and re-queues it). Never launches anything. Without
   * it (local: the daemon's pipes died with it) recovery stops the orphaned trainer and re-queues the run.
   */
  reattach?(run: RunRow, req: LaunchRequest): Promise<RunHandle | null>;
}
