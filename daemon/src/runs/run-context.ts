// What the run machinery (supervisor, scheduler, recovery, ingest) needs from the daemon, and no more:
// the store, the live bus, the home, the trainer's Python, run preparation and the executors. Daemon
// satisfies it; tests may hand in a smaller object.
import type { Store } from "@trainyard/db";
import type { Executor } from "../executors/executor.ts";
import type { Home } from "../home.ts";
import type { PythonInfo } from "../python.ts";
import type { EventBus } from "./event-bus.ts";

export interface RunContext {
  readonly home: Home;
  readonly store: Store;
  readonly bus: EventBus;
  /** Push the run's summary to subscribers after a change of its row. */
  publishRun(id: string): void;
  pythonInfo(): Promise<PythonInfo>;
  /** Write the run's spec, arrays and image cache (runs/run-spec.ts); resolves to the spec's path. */
  prepareRun(runId: string, log: (message: string) => void, resumeCheckpoint: string | null): Promise<string>;
  /** The executor of a run (its `executor` column; registry in executors/registry.ts). */
  executor(name: string): Executor;
}

/** Ingest touches only the store and the bus. */
export type IngestContext = Pick<RunContext, "store" | "bus">;
