// The Slurm client commands the Slurm executor runs (sbatch, squeue, scontrol, sacct, scancel, sinfo), with a
// timeout each, and the answers parsed into what the executor decides on. A missing command or a controller
// that does not answer is told apart from a refusal, so the daemon can wait for the one and report the other.
import { execFile, execFileSync } from "node:child_process";

export interface SlurmAnswer {
  ok: boolean;
  stdout: string;
  /** stderr, or the reason the command could not run at all. */
  stderr: string;
  /** The command is not installed here (ENOENT). */
  missing: boolean;
}

const TIMEOUT_MS = Number(process.env.TRAINYARD_SLURM_CMD_TIMEOUT_MS ?? 30_000);

export function slurm(command: string, args: string[], timeoutMs = TIMEOUT_MS): Promise<SlurmAnswer> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      const missing = (err as NodeJS.ErrnoException | null)?.code === "ENOENT";
      resolve({ ok: !err, stdout: stdout ?? "", stderr: (stderr || (err && !stdout ? err.message : "")).trim(), missing });
    });
  });
}

export function slurmSync(command: string, args: string[], timeoutMs = 10_000): SlurmAnswer {
  try {
    return { ok: true, stdout: execFileSync(command, args, { timeout: timeoutMs, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }), stderr: "", missing: false };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    return { ok: false, stdout: String(err.stdout ?? ""), stderr: String(err.stderr || err.message).trim(), missing: err.code === "ENOENT" };
  }
}

/** The controller is down or unreachable: worth waiting for, not a reason to fail the run. */
export function controllerUnreachable(a: SlurmAnswer): boolean {
  return !a.ok && !a.missing && /Unable to contact slurm controller|Socket timed out|Connection refused|Zero Bytes were transmitted|slurm_load_(jobs|partitions|node).*(timed out|refused|Unable)/i.test(a.stderr);
}

/** What to tell a person when a Slurm command is not installed on the daemon's machine. */
export function missingCommand(command: string): string {
  return `${command} was not found on the daemon's PATH (${process.env.PATH ?? ""}): the Slurm executor needs the Slurm client commands (sbatch, squeue, scancel, sinfo; Debian: \`apt-get install slurm-client\`) on the machine the daemon runs on, usually the cluster's login node`;
}

/** States in which a job still holds (or waits for) the cluster; others are final. */
export const LIVE_STATES = ["PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SPECIAL_EXIT"];
/** Final states in which Slurm, not the trainer, ended the job: the run resumes from its last checkpoint. */
export const PREEMPTED_STATES: Record<string, string> = {
  TIMEOUT: "it reached its time limit (resources.time_limit)",
  PREEMPTED: "a job of higher priority preempted it",
  NODE_FAIL: "one of its nodes failed",
  BOOT_FAIL: "a node failed to boot",
  DEADLINE: "it reached its deadline",
};

export interface JobStatus {
  state: string;
  reason: string | null;
  nodeList: string | null;
  exitCode: number | null;
  signal: number | null;
}

/** `squeue -j ID --states=all -h -o %T|%r|%N`: null when squeue no longer knows the job. */
export function parseSqueue(stdout: string): JobStatus | null {
  const line = stdout.trim().split("\n").find(Boolean);
  if (!line) return null;
  const [state, reason, nodes] = line.split("|");
  const clean = (s: string | undefined) => (s && s !== "None" && s !== "(null)" && s !== "n/a" ? s.trim() : null);
  return { state: state.trim().split(" ")[0], reason: clean(reason), nodeList: clean(nodes), exitCode: null, signal: null };
}

/** `sacct -j ID -X -n -P -o State,ExitCode,NodeList` (the allocation line): null when sacct has no such job. */
export function parseSacct(stdout: string): JobStatus | null {
  const line = stdout.trim().split("\n").find(Boolean);
  if (!line) return null;
  const [state, exit, nodes] = line.split("|");
  const [code, sig] = (exit ?? "").split(":").map(Number);
  return { state: state.trim().split(" ")[0], reason: null, nodeList: nodes?.trim() || null, exitCode: Number.isFinite(code) ? code : null, signal: Number.isFinite(sig) ? sig : null };
}

/** `scontrol show job ID -o`: the state and exit code while the controller still holds the job. */
export function parseScontrol(stdout: string): JobStatus | null {
  const field = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S+)`).exec(stdout)?.[1] ?? null;
  const state = field("JobState");
  if (!state) return null;
  const [code, sig] = (field("ExitCode") ?? "").split(":").map(Number);
  const reason = field("Reason");
  const nodes = field("NodeList");
  return { state, reason: reason && reason !== "None" ? reason : null, nodeList: nodes && nodes !== "(null)" ? nodes : null, exitCode: Number.isFinite(code) ? code : null, signal: Number.isFinite(sig) ? sig : null };
}

/** Pending reasons that mean the job can never start as submitted (Slurm leaves it pending forever). */
export const NEVER_STARTS: Record<string, string> = {
  PartitionConfig: "the partition cannot give what the job asks for (nodes, CPUs or GPUs per node)",
  PartitionNodeLimit: "the job asks for more nodes than the partition allows",
  PartitionTimeLimit: "the job's time limit (resources.time_limit) is longer than the partition allows",
  BadConstraints: "the job's constraints cannot be satisfied",
  InvalidAccount: "the account (--slurm-account) is not valid",
  InvalidQOS: "the QOS is not valid",
  AccountNotAllowed: "the account may not use the partition",
};
