// The Slurm executor: a run is a batch job (slurm-batch-script.ts) submitted with `sbatch --parsable`; the
// trainer writes events.jsonl on the shared TRAINYARD_HOME and the daemon follows it (ingest "follow"). The
// job is watched with squeue (state, pending reason %r, nodes %N) every TRAINYARD_SLURM_POLL_MS; once
// squeue no longer lists it live, scontrol / sacct say how it ended. A controller that does not answer is
// waited for (the run shows the reason), never taken for an ended job. Cancel is `scancel --signal=TERM`
// (the trainer checkpoints), then a full scancel after the grace. After a daemon restart, reattach finds the
// job by its stored id (or its name, if the daemon died before storing it) and follows it again.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExperimentConfig } from "@trainyard/config";
import type { RunRow } from "@trainyard/db";
import { TRAINER_PATH } from "../python.ts";
import type { Executor, LaunchRequest, RunExit, RunHandle } from "./executor.ts";
import { BATCH_SCRIPT, batchScript, jobName } from "./slurm-batch-script.ts";
import {
  controllerUnreachable, LIVE_STATES, missingCommand, NEVER_STARTS, parseSacct, parseScontrol, parseSqueue, PREEMPTED_STATES,
  slurm, slurmSync, type JobStatus, type SlurmAnswer,
} from "./slurm-commands.ts";

export interface SlurmOptions {
  partition?: string | null;
  account?: string | null;
  /** More sbatch arguments, split on spaces (`--slurm-args "--qos=long --mem=32G"`). */
  args?: string | null;
}

const POLL_MS = () => Number(process.env.TRAINYARD_SLURM_POLL_MS ?? 2000);

export class SlurmExecutor implements Executor {
  readonly name = "slurm" as const;
  readonly eventsWriter = "trainer" as const;
  readonly usesLocalSlots = false;
  /** sinfo's partitions (name -> nodes, whether any has GPUs), cached for 30 s. */
  private partitionSeen: { at: number; known: Map<string, { nodes: number; gpus: boolean }> } | null = null;

  constructor(
    private opts: SlurmOptions,
    private graceMs = Number(process.env.TRAINYARD_KILL_GRACE_MS ?? 20_000),
  ) {}

  /** Submit-time checks: the Slurm commands exist, the partition exists and has the nodes asked for. */
  configIssues(config: ExperimentConfig): { path: string; message: string }[] {
    const problem = this.partitionProblem();
    if (problem) return [{ path: "resources.executor", message: problem }];
    const part = this.partition();
    if (part && config.resources.nodes > part.nodes)
      return [{ path: "resources.nodes", message: `${config.resources.nodes} nodes asked for, but Slurm partition ${part.name} has ${part.nodes} (sinfo -p ${part.name}); ask for at most ${part.nodes}, or start the daemon with --slurm-partition set to a bigger one` }];
    return [];
  }

  private partitions(): Map<string, { nodes: number; gpus: boolean }> | string | null {
    if (this.partitionSeen && Date.now() - this.partitionSeen.at < 30_000) return this.partitionSeen.known;
    const a = slurmSync("sinfo", ["-h", "-o", "%P|%D|%G"]); // %P: the default partition ends with "*"
    if (a.missing) return missingCommand("sinfo");
    // a controller that does not answer now may answer later: the run waits with the reason (launch)
    if (!a.ok) return controllerUnreachable(a) ? null : `sinfo failed: ${a.stderr}`;
    const known = new Map<string, { nodes: number; gpus: boolean }>();
    for (const line of a.stdout.split("\n").filter(Boolean)) {
      const [name, nodes, gres] = line.split("|");
      const k = known.get(name) ?? { nodes: 0, gpus: false };
      known.set(name, { nodes: k.nodes + (Number(nodes) || 0), gpus: k.gpus || /gpu/i.test(gres ?? "") });
    }
    this.partitionSeen = { at: Date.now(), known };
    return known;
  }

  /** The partition runs go to (--slurm-partition, else the one sinfo marks default with "*"), if sinfo answers. */
  private partition(): { name: string; nodes: number; gpus: boolean } | null {
    const known = this.partitions();
    if (!known || typeof known === "string") return null;
    const name = this.opts.partition ?? [...known.keys()].find((k) => k.endsWith("*"))?.slice(0, -1);
    const p = name ? (known.get(name) ?? known.get(`${name}*`)) : undefined;
    return name && p ? { name, ...p } : null;
  }

  private partitionProblem(): string | null {
    const known = this.partitions();
    if (typeof known === "string") return known;
    const p = this.opts.partition;
    if (p && known && !known.has(p) && !known.has(`${p}*`))
      return `Slurm has no partition "${p}" (sinfo lists ${[...known.keys()].map((k) => k.replace(/\*$/, "")).join(", ") || "none"}); start the daemon with --slurm-partition set to one of them`;
    return null;
  }

  /**
   * Daemon start with --executor slurm: the commands, the partition, and that the nodes see TRAINYARD_HOME
   * (a probe job copies a token file there; TRAINYARD_SLURM_SKIP_HOME_CHECK=1 skips it).
   */
  async check(home: string): Promise<void> {
    this.partitionSeen = null;
    const problem = this.partitionProblem();
    if (problem) throw new Error(`--executor slurm: ${problem}`);
    if (process.env.TRAINYARD_SLURM_SKIP_HOME_CHECK === "1") return;
    const dir = join(home, "slurm-probe");
    mkdirSync(dir, { recursive: true });
    const token = randomBytes(12).toString("hex");
    const [src, out] = [join(dir, `${token}.in`), join(dir, `${token}.out`)];
    writeFileSync(src, token);
    try {
      const a = await slurm("sbatch", [
        "--parsable", "--wait", "--job-name=trainyard-home-probe", "--nodes=1", "--ntasks=1", "--time=00:02:00", "--output=/dev/null",
        ...this.placement(false), "--wrap", `cat ${src} > ${out}`,
      ], Number(process.env.TRAINYARD_SLURM_PROBE_TIMEOUT_MS ?? 120_000));
      if (a.missing) throw new Error(missingCommand("sbatch"));
      if (!a.ok && !/^\d+/.test(a.stdout.trim())) throw new Error(`the probe job that checks TRAINYARD_HOME is shared with the nodes could not be submitted: ${a.stderr}`);
      const back = existsSync(out) ? readFileSync(out, "utf8") : null;
      if (back !== token)
        throw new Error(
          `TRAINYARD_HOME ${home} does not look shared with the Slurm nodes: a probe job ${a.stdout.trim() ? `(${a.stdout.trim()}) ` : ""}` +
            `could not copy ${src} to ${out} (${a.ok ? "it ran, but the copy never appeared here" : a.stderr || "sbatch --wait failed"}). ` +
            `Put TRAINYARD_HOME on a filesystem every node mounts at the same path (NFS, Lustre, ...), or set TRAINYARD_SLURM_SKIP_HOME_CHECK=1 if you know it is.`,
        );
    } finally {
      rmSync(src, { force: true });
      rmSync(out, { force: true });
    }
  }

  /** Partition and account, and (for training jobs, not the probe) the --slurm-args. */
  private placement(withArgs = true): string[] {
    return [
      ...(this.opts.partition ? [`--partition=${this.opts.partition}`] : []),
      ...(this.opts.account ? [`--account=${this.opts.account}`] : []),
      ...(withArgs && this.opts.args ? this.opts.args.trim().split(/\s+/) : []),
    ];
  }

  /** Whether the partition's nodes have GPUs (sinfo %G lists gpu GRES). */
  private gpusOnNodes(): boolean {
    return this.partition()?.gpus ?? false;
  }

  async launch(req: LaunchRequest): Promise<RunHandle> {
    const gpus = this.gpusOnNodes();
    const script = batchScript({
      runId: req.runId,
      dir: req.dir,
      config: req.config,
      command: req.command,
      partition: this.opts.partition ?? null,
      account: this.opts.account ?? null,
      gpusOnNodes: gpus,
      env: { PYTHONPATH: TRAINER_PATH, PYTHONUNBUFFERED: "1", TRAINYARD_RUN_ID: req.runId },
    });
    const path = join(req.dir, BATCH_SCRIPT);
    writeFileSync(path, script, { mode: 0o755 });
    if (!gpus && (req.config.resources.gpus_per_node ?? req.config.resources.gpus) > 0)
      req.note(`partition ${this.opts.partition ?? "(default)"} lists no GPUs (sinfo %G): the job runs one CPU task per node`);
    const job = new SlurmJob(req, this.graceMs);
    job.start(async () => {
      const a = await slurm("sbatch", ["--parsable", ...this.placement(), path]);
      if (a.missing) throw new JobError(missingCommand("sbatch"));
      if (a.ok) return a.stdout.trim().split(";")[0];
      if (controllerUnreachable(a)) return null; // try again
      const problem = this.partitionProblem();
      throw new JobError(`sbatch refused the job: ${a.stderr}${problem ? `; ${problem}` : ""}${/node configuration is not available|Requested node|More processors|gres/i.test(a.stderr) ? ` (the run asks for ${req.config.resources.nodes} node(s); see \`sinfo -p ${this.opts.partition ?? ""}\` for what the partition has)` : ""}`);
    });
    return job.handle;
  }

  async reattach(run: RunRow, req: LaunchRequest): Promise<RunHandle | null> {
    let jobId = run.jobId;
    if (!jobId) {
      // the previous daemon may have died between sbatch and storing the id: the job name carries the run id
      const a = await slurm("squeue", ["-h", "--name", jobName(run.id), "-o", "%i"]);
      jobId = a.ok ? (a.stdout.trim().split("\n").find(Boolean) ?? null) : null;
      if (!jobId) return null;
    }
    const status = await jobStatus(jobId);
    if (status === "unreachable") {
      // cannot tell: following it is safe (it is never submitted twice), settling it might be wrong
      req.update({ jobId, pendingReason: "the Slurm controller does not answer; waiting for it" });
    } else if (!status || !LIVE_STATES.includes(status.state)) return null;
    req.update({ jobId });
    const job = new SlurmJob(req, this.graceMs);
    job.start(async () => jobId);
    return job.handle;
  }
}

class JobError extends Error {}

/** squeue first (live jobs, with the reason), then scontrol and sacct for an ended one. */
export async function jobStatus(jobId: string): Promise<JobStatus | null | "unreachable"> {
  const q = await slurm("squeue", ["-j", jobId, "--states=all", "-h", "-o", "%T|%r|%N"]);
  if (controllerUnreachable(q)) return "unreachable";
  const live = q.ok ? parseSqueue(q.stdout) : null;
  if (live && LIVE_STATES.includes(live.state)) return live;
  const c = await slurm("scontrol", ["show", "job", jobId, "-o"]);
  const shown = c.ok ? parseScontrol(c.stdout) : null;
  if (shown) return shown;
  const s = await slurm("sacct", ["-j", jobId, "-X", "-n", "-P", "-o", "State,ExitCode,NodeList"]);
  return (s.ok ? parseSacct(s.stdout) : null) ?? live;
}

/** One submitted (or to-be-submitted) job: its poll loop, its stop, its end. */
class SlurmJob {
  private jobId: string | null = null;
  private state: string | null = null;
  private stopAsked = false;
  private detached = false;
  private wake: (() => void) | null = null;
  private resolve!: (e: RunExit) => void;
  readonly handle: RunHandle;

  constructor(
    private req: LaunchRequest,
    private graceMs: number,
  ) {
    const exit = new Promise<RunExit>((r) => (this.resolve = r));
    this.handle = { exit, signal: (force) => void this.signal(force), detach: () => this.detach() };
  }

  start(submit: () => Promise<string | null>): void {
    this.loop(submit).then(this.resolve, (e) => this.resolve({ code: null, signal: null, error: e instanceof JobError ? e.message : `Slurm executor: ${(e as Error).message}` }));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => (clearTimeout(t), r());
    });
  }

  private async loop(submit: () => Promise<string | null>): Promise<RunExit> {
    let waited = false;
    while (!this.jobId) {
      if (this.stopAsked || this.detached) return { code: null, signal: "SIGTERM" };
      const id = await submit();
      if (id) {
        this.jobId = id;
        this.req.update({ jobId: id, jobState: "PENDING", pendingReason: null });
        this.req.note(`submitted Slurm job ${id} (${this.req.dir}/slurm-job.sh)`);
        break;
      }
      if (!waited) this.req.note("the Slurm controller does not answer; submitting again until it does", "warning");
      waited = true;
      this.req.update({ jobState: null, pendingReason: "the Slurm controller does not answer (sbatch); submitting again until it does" });
      await this.sleep(POLL_MS());
    }
    let last = "";
    for (;;) {
      if (this.detached) return { code: null, signal: null, detached: true };
      const status = await jobStatus(this.jobId);
      if (this.detached) return { code: null, signal: null, detached: true };
      if (status === "unreachable") {
        if (last !== "unreachable") this.req.update({ pendingReason: "the Slurm controller does not answer (squeue); waiting for it" });
        last = "unreachable";
      } else if (!status) {
        return { code: null, signal: null, error: `Slurm job ${this.jobId} is gone and neither squeue, scontrol nor sacct know how it ended (see trainer.log)` };
      } else if (status.state === "PENDING" && status.reason && NEVER_STARTS[status.reason] && !this.stopAsked) {
        await scancel([this.jobId]);
        const r = this.req.config.resources;
        return {
          code: null,
          signal: null,
          error: `Slurm cannot start job ${this.jobId} (${status.reason}): ${NEVER_STARTS[status.reason]}; the run asks for ${r.nodes} node(s)${r.time_limit ? `, time ${r.time_limit}` : ""} (see \`sinfo\`); the job was cancelled`,
        };
      } else if (LIVE_STATES.includes(status.state)) {
        this.state = status.state;
        const key = `${status.state}|${status.reason}|${status.nodeList}`;
        if (key !== last) {
          this.req.update({ jobState: status.state, pendingReason: status.state === "PENDING" ? status.reason : null, nodeList: status.nodeList });
          if (status.state === "RUNNING" && !last.startsWith("RUNNING")) this.req.note(`Slurm job ${this.jobId} running on ${status.nodeList ?? "?"}`);
        }
        last = key;
      } else {
        this.req.update({ jobState: status.state, pendingReason: null, ...(status.nodeList ? { nodeList: status.nodeList } : {}) });
        return this.ended(status);
      }
      await this.sleep(POLL_MS());
    }
  }

  private ended(s: JobStatus): RunExit {
    const why = PREEMPTED_STATES[s.state];
    if (why && !this.stopAsked) return { code: s.exitCode, signal: null, preempted: `Slurm ended job ${this.jobId} (${s.state}): ${why}` };
    if (s.state === "COMPLETED") return { code: s.exitCode ?? 0, signal: null };
    if (s.state === "CANCELLED") return { code: s.exitCode, signal: this.stopAsked ? "SIGTERM" : null, ...(this.stopAsked ? {} : { error: `Slurm job ${this.jobId} was cancelled outside Trainyard (scancel)` }) };
    if (s.state === "OUT_OF_MEMORY") return { code: s.exitCode, signal: null, error: `Slurm killed job ${this.jobId} for using more memory than it asked for (OUT_OF_MEMORY); ask for more with --slurm-args "--mem=..."` };
    return { code: s.exitCode ?? 1, signal: s.signal ? `signal ${s.signal}` : null };
  }

  private async signal(force: boolean): Promise<void> {
    const first = !this.stopAsked;
    this.stopAsked = true;
    if (!this.jobId) return this.wake?.();
    const id = this.jobId;
    if (force || this.state === "PENDING" || this.state === null) {
      await scancel([id]); // a job that has not started has no trainer to checkpoint
    } else if (first) {
      // TERM to the job's steps: the trainer writes `last` and stops; the full scancel after the grace
      await scancel(["--signal=TERM", id]);
      setTimeout(() => void scancel([id]), this.graceMs).unref();
    }
    this.wake?.();
  }

  private detach(): void {
    this.detached = true;
    this.wake?.();
  }
}

async function scancel(args: string[]): Promise<SlurmAnswer> {
  return slurm("scancel", args);
}
