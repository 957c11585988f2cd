// The local executor: the trainer as a child of the daemon, in its own process group (a stop reaches its DDP
// ranks and DataLoader workers too), with CUDA_VISIBLE_DEVICES = the GPUs of its slots. The daemon reads its
// stdout line by line and writes events.jsonl itself; stderr goes to trainer.log.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { ExperimentConfig } from "@trainyard/config";
import { TRAINER_PATH } from "../python.ts";
import type { Executor, LaunchRequest, RunExit, RunHandle } from "./executor.ts";

export const TRAINER_LOG = "trainer.log";
/** After the trainer exits, how long to wait for its pipes to drain (a grandchild may hold them open). */
const PIPE_DRAIN_MS = 1000;

export class LocalExecutor implements Executor {
  readonly name = "local" as const;
  readonly eventsWriter = "daemon" as const;
  readonly usesLocalSlots = true;

  constructor(
    /** How many slots share the CPU cores (CPU runs get an even share of threads). */
    private slotCount: () => number,
    private graceMs = Number(process.env.TRAINYARD_KILL_GRACE_MS ?? 20_000),
  ) {}

  configIssues(config: ExperimentConfig): { path: string; message: string }[] {
    if (config.resources.nodes > 1)
      return [{ path: "resources.nodes", message: `${config.resources.nodes} nodes asked for, but this run would use the local executor (one machine); set resources.executor: slurm, or start the daemon with \`trainyard daemon --executor slurm --slurm-partition P\` (docs/slurm.md)` }];
    return [];
  }

  async launch(req: LaunchRequest): Promise<RunHandle> {
    const gpus = req.slots.filter((s) => s.gpu !== null).map((s) => s.gpu!);
    const [command, ...args] = req.command;
    const stderrLog = createWriteStream(join(req.dir, TRAINER_LOG), { flags: "a" });
    const child = spawn(command, args, {
      cwd: req.dir,
      detached: true,
      env: {
        ...process.env,
        PYTHONPATH: TRAINER_PATH,
        PYTHONUNBUFFERED: "1",
        TRAINYARD_RUN_ID: req.runId,
        // nvidia-smi numbers GPUs by PCI bus; CUDA's default order may differ
        CUDA_DEVICE_ORDER: "PCI_BUS_ID",
        CUDA_VISIBLE_DEVICES: gpus.join(","),
        // CPU runs share the cores evenly between the daemon's CPU slots
        ...(gpus.length ? {} : { TRAINYARD_CPU_THREADS: String(cpuThreadsPerSlot(this.slotCount())) }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    req.update({ pid: child.pid ?? null });
    req.note(`trainer started (pid ${child.pid}, ${req.python ? `${req.python.path}, torch ${req.python.torch}` : command}, ${gpus.length ? `GPUs ${gpus.join(",")}` : "CPU"})`);
    child.stderr!.pipe(stderrLog);
    createInterface({ input: child.stdout!, crlfDelay: Infinity }).on("line", (line) => req.line(line));
    let killTimer: NodeJS.Timeout | null = null;
    const exit = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on("error", (err) => {
        stderrLog.write(`spawn failed: ${err.message}\n`);
        resolve([127, null]);
      });
      child.on("exit", (c, s) => {
        // 'close' waits for every holder of the pipes; do not let a stray grandchild hold the slot
        const drained = setTimeout(() => resolve([c, s]), PIPE_DRAIN_MS);
        child.on("close", () => {
          clearTimeout(drained);
          resolve([c, s]);
        });
      });
    }).then(async ([code, signal]): Promise<RunExit> => {
      if (killTimer) clearTimeout(killTimer);
      killGroup(child.pid, "SIGKILL"); // leftovers of the group (DDP ranks) never outlive the run
      await new Promise<void>((r) => stderrLog.end(r));
      return { code, signal };
    });
    return {
      exit,
      signal: (force) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (force) return killGroup(child.pid, "SIGKILL");
        if (killTimer) return;
        killGroup(child.pid, "SIGTERM");
        killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), this.graceMs);
      },
    };
  }
}

/** Signal a trainer's whole process group; quiet when it is already gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone (never fall back to the bare pid: it may be reused by now)
  }
}

export function cpuThreadsPerSlot(slots: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, slots)));
}
