// The executors a daemon offers, by name (the runs.executor column, resources.executor, --executor). A new
// executor is its own file implementing executors/executor.ts and one line here.
import type { Executor, ExecutorName } from "./executor.ts";
import { LocalExecutor } from "./local.ts";
import { SlurmExecutor, type SlurmOptions } from "./slurm.ts";

export interface ExecutorSettings {
  /** How many slots share the machine's CPU cores (local CPU runs). */
  cpuSlotCount: () => number;
  slurm: SlurmOptions;
}

const FACTORIES: Record<ExecutorName, (s: ExecutorSettings) => Executor> = {
  local: (s) => new LocalExecutor(s.cpuSlotCount),
  slurm: (s) => new SlurmExecutor(s.slurm),
};

export const EXECUTOR_NAMES = Object.keys(FACTORIES) as ExecutorName[];

export function createExecutors(settings: ExecutorSettings): Map<string, Executor> {
  return new Map(EXECUTOR_NAMES.map((n) => [n, FACTORIES[n](settings)]));
}
