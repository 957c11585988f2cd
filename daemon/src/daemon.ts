// The daemon's state owner: the store, the live bus, submission, the scheduler and its run supervisors.
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig, type ExperimentConfig } from "@trainyard/config";
import { getDataset, getRun, insertRun, listDatasets, openStore, updateRun, type RunRow, type Store } from "@trainyard/db";
import { resolveLabelSet } from "./runs/label-resolution.ts";
import { EventBus } from "./runs/event-bus.ts";
import { toSummary } from "./runs/run-summary.ts";
import { Scheduler } from "./runs/scheduler.ts";
import { findPython, type PythonInfo } from "./python.ts";
import { resolveHome, type Home } from "./home.ts";
import { newRunId } from "./runs/run-id.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface DaemonOptions {
  home?: string;
  /** Parallel CPU slots when no GPU is found (TRAINYARD_CPU_SLOTS, default 1). */
  cpuSlots?: number;
  python?: string;
}

export class Daemon {
  readonly home: Home;
  readonly store: Store;
  readonly bus = new EventBus();
  readonly scheduler: Scheduler;
  private python: Promise<PythonInfo> | null = null;

  constructor(readonly opts: DaemonOptions = {}) {
    this.home = resolveHome(opts.home);
    this.store = openStore(this.home.db);
    this.scheduler = new Scheduler(this, opts.cpuSlots ?? Number(process.env.TRAINYARD_CPU_SLOTS ?? 1));
  }

  /** Find (once) the Python interpreter with torch that runs trainers. */
  pythonInfo(): Promise<PythonInfo> {
    this.python ??= findPython(this.opts.python);
    return this.python;
  }

  /** Parse, validate and resolve a config against the registered datasets and label sets. */
  resolveSubmission(yaml: string, overrides: readonly string[] = []): { config: ExperimentConfig; classes: string[] } {
    const config = loadConfig(yaml, overrides);
    const dataset = getDataset(this.store.db, config.dataset.name);
    if (!dataset || dataset.status !== "ready") {
      const known = listDatasets(this.store.db).filter((d) => d.status === "ready").map((d) => d.name);
      throw new ConfigError([
        {
          path: "dataset.name",
          message: `unknown dataset "${config.dataset.name}"; ${known.length ? `known datasets: ${known.join(", ")}` : "no dataset is imported yet (run `trainyard demo` or `trainyard dataset import`)"}`,
        },
      ]);
    }
    const labels = resolveLabelSet(this.store.db, config.dataset.labels.set, dataset.diagnoses);
    const classes = config.dataset.labels.other_class ? [...labels, "other"] : labels;
    return { config, classes };
  }

  submit(yaml: string, overrides: readonly string[] = [], owner = "local"): RunRow {
    const { config, classes } = this.resolveSubmission(yaml, overrides);
    const run = insertRun(this.store.db, {
      id: newRunId(),
      name: config.name,
      status: "queued",
      datasetName: config.dataset.name,
      config: config as unknown as Record<string, unknown>,
      configYaml: yaml,
      classes,
      owner,
      priority: config.resources.priority,
      gpus: config.resources.gpus,
      epochs: config.training.phases.reduce((n, p) => n + p.epochs, 0),
    });
    this.publishRun(run.id);
    this.scheduler.poke();
    return run;
  }

  cancel(id: string): void {
    const run = getRun(this.store.db, id);
    if (!run) return;
    if (run.status === "queued") {
      updateRun(this.store.db, id, { status: "cancelled", endedAt: Date.now(), error: "cancelled while queued" });
      this.publishRun(id);
    } else if (run.status === "running") {
      this.scheduler.cancel(id);
    }
  }

  publishRun(id: string): void {
    const run = getRun(this.store.db, id);
    if (run) this.bus.publish(id, { type: "run", run: toSummary(run) });
  }

  async health() {
    const py = await this.pythonInfo();
    return {
      ok: true,
      home: this.home.root,
      python: py,
      slots: this.scheduler.slots(),
      subscribers: this.bus.size,
    };
  }

  exampleConfigs(): { file: string; name: string; yaml: string }[] {
    const dir = join(REPO_ROOT, "configs");
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => ({ file: `configs/${f}`, name: basename(f).replace(/\.ya?ml$/, ""), yaml: readFileSync(join(dir, f), "utf8") }));
  }

  async start(): Promise<void> {
    await this.scheduler.recover();
    this.scheduler.poke();
  }

  async stop(): Promise<void> {
    await this.scheduler.shutdown();
    this.store.close();
  }
}
