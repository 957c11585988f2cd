// One sweep in motion: keeps up to `parallel` trials queued or running, reports each trial's epoch-end metric to
// the Optuna process and stops the trial (state pruned) when it says so, tells Optuna how each trial ended, and
// asks for the next one at once. Every step that a restart needs is in SQLite before it has effects: a trial's
// row and its run are written in one transaction right after Optuna's ask (an ask lost to a crash comes back as
// an orphan on open and is adopted); a trial is told only after its run is final, and telling is idempotent.
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { stringify } from "yaml";
import { ConfigError, trialConfig, type ResolvedSweep, type Scalar } from "@trainyard/config";
import { epochValues, getRun, getSweep, insertRun, insertSweepTrial, listSweepTrials, openSweepTrials, updateRun, updateSweep, updateSweepTrial, type SweepTrialRow } from "@trainyard/db";
import { FINAL_STATES, type RunState } from "@trainyard/protocol/run-states";
import type { StudySpec, SweepResponse } from "@trainyard/protocol/sweep-protocol";
import type { Daemon } from "../daemon.ts";
import type { LiveEvent } from "../runs/event-bus.ts";
import { SearchProcess } from "./search-process.ts";
import { sweepDir, STUDY_FILE, SEARCH_LOG } from "./sweep-files.ts";

const FINAL = new Set<string>(FINAL_STATES);

/** TPE's random start-up trials: Optuna's 10, fewer for a short sweep so the model gets to choose. */
export function startupTrials(maxTrials: number): number {
  return Math.min(10, Math.max(2, Math.ceil(maxTrials / 4)));
}

export function studySpec(id: string, home: string, s: ResolvedSweep): StudySpec {
  return {
    storage: join(sweepDir(home, id), STUDY_FILE),
    name: id,
    method: s.method,
    goal: s.metric.goal,
    seed: s.seed,
    space: s.method === "grid" ? s.space.map((p) => ({ name: p.name, kind: "categorical" as const, choices: gridChoices(p) })) : s.space,
    startup_trials: startupTrials(s.maxTrials),
    pruner: { type: s.earlyStopping.type, min_resource: s.earlyStopping.minEpochs, max_resource: s.earlyStopping.maxEpochs, reduction_factor: s.earlyStopping.reductionFactor },
  };
}

function gridChoices(p: ResolvedSweep["space"][number]): Scalar[] {
  if (p.kind === "categorical") return p.choices;
  const step = p.step ?? 1;
  const n = Math.floor((p.high - p.low) / step + 1e-9) + 1;
  const decimals = Math.min(12, Math.max(0, -Math.floor(Math.log10(step)) + 2));
  return Array.from({ length: n }, (_, k) => Math.min(p.high, Number((p.low + k * step).toFixed(decimals))));
}

export class SweepController {
  private search: SearchProcess | null = null;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  readonly sweep: ResolvedSweep;

  constructor(
    private daemon: Daemon,
    readonly id: string,
  ) {
    this.sweep = getSweep(daemon.store.db, id)!.config as unknown as ResolvedSweep;
  }

  /** Every change to the sweep runs through one queue, in order. */
  private enqueue(what: string, fn: () => Promise<void> | void): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await fn();
      } catch (e) {
        if (this.stopped) return;
        this.fail(`${what}: ${(e as Error).message}`);
      }
    });
    return this.chain;
  }

  private async openSearch(): Promise<SweepResponse<"open">> {
    const python = await this.daemon.pythonInfo();
    if (!python.ok) throw new Error(python.message);
    const dir = sweepDir(this.daemon.home.root, this.id);
    mkdirSync(dir, { recursive: true });
    this.search = new SearchProcess(python.path, join(dir, SEARCH_LOG));
    const known = listSweepTrials(this.daemon.store.db, this.id).map((t) => t.number);
    return this.search.request({ op: "open", study: studySpec(this.id, this.daemon.home.root, this.sweep), known });
  }

  start(): Promise<void> {
    this.unsubscribe = this.daemon.bus.subscribe(null, (e) => this.onEvent(e));
    return this.enqueue("opening the study", async () => {
      const opened = await this.openSearch();
      // asked before a crash but never stored: adopt while there is room, so no trial (or grid point) is lost
      for (const o of opened.orphans) {
        if (this.trialCount() < this.sweep.maxTrials) this.createTrial(o.number, o.params);
        else await this.search!.request({ op: "tell", number: o.number, state: "fail", value: null });
      }
      // runs that moved on while no controller watched: report what they logged, tell those that ended
      for (const t of openSweepTrials(this.daemon.store.db, this.id)) await this.catchUp(t);
      await this.fill();
    });
  }

  /** The study of an ended sweep, opened for a question (importance); nothing is asked or told. */
  async openOnly(): Promise<void> {
    await this.openSearch();
  }

  private trialCount(): number {
    return listSweepTrials(this.daemon.store.db, this.id).length;
  }

  private status(): string {
    return getSweep(this.daemon.store.db, this.id)?.status ?? "cancelled";
  }

  /** A trial's row and its queued run, in one transaction. */
  private createTrial(number: number, params: Record<string, Scalar>): void {
    const db = this.daemon.store.db;
    const raw = trialConfig(this.sweep, this.id, number, params);
    const yaml = `# trial ${number} of sweep ${this.id}\n${stringify(raw)}`;
    let resolved;
    try {
      resolved = this.daemon.resolveSubmission(yaml);
    } catch (e) {
      if (e instanceof ConfigError) throw new Error(`trial ${number} (${JSON.stringify(params)}) is not a valid run: ${e.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
      throw e;
    }
    const owner = getSweep(db, this.id)!.owner;
    const values = { ...this.daemon.newRunValues(yaml, resolved.config, resolved.classes, owner), priority: this.sweep.priority };
    const run = this.daemon.store.sqlite.transaction(() => {
      const r = insertRun(db, values);
      insertSweepTrial(db, { sweepId: this.id, number, runId: r.id, params });
      return r;
    })();
    this.daemon.publishRun(run.id);
    this.daemon.sweeps.changed(this.id);
    this.daemon.scheduler.poke();
  }

  /** Ask for trials while fewer than `parallel` are in flight and fewer than max_trials exist; finish when all are told. */
  private async fill(): Promise<void> {
    const db = this.daemon.store.db;
    for (;;) {
      const trials = listSweepTrials(db, this.id);
      const open = trials.filter((t) => t.outcome === null);
      const status = this.status();
      if (!open.length && (trials.length >= this.sweep.maxTrials || status === "cancelled")) return this.finish(status === "cancelled" ? "cancelled" : "completed");
      if (status !== "running" || open.length >= this.sweep.parallel || trials.length >= this.sweep.maxTrials) return;
      const asked = await this.search!.request({ op: "ask" });
      this.createTrial(asked.number, asked.params);
    }
  }

  private finish(status: "completed" | "cancelled"): void {
    updateSweep(this.daemon.store.db, this.id, { status, endedAt: Date.now() });
    this.daemon.sweeps.changed(this.id);
    this.close();
    this.daemon.sweeps.forget(this.id);
  }

  private fail(error: string): void {
    updateSweep(this.daemon.store.db, this.id, { status: "failed", error, endedAt: Date.now() });
    this.daemon.sweeps.changed(this.id);
    // its trials do not outlive it: they would hold slots for a search nobody drives
    for (const t of openSweepTrials(this.daemon.store.db, this.id)) if (t.runId) this.daemon.cancel(t.runId);
    this.close();
    this.daemon.sweeps.forget(this.id);
  }

  private onEvent(e: LiveEvent): void {
    if (e.type === "metrics") {
      const points = e.points.filter((p) => p.key === this.sweep.metric.name && Number.isFinite(p.value));
      if (!points.length) return;
      const trial = this.trialOf(e.runId);
      if (!trial) return;
      void this.enqueue("reporting a trial's metric", () => this.report(trial.number, e.runId, points.map((p) => ({ epoch: p.epoch, value: p.value }))));
    } else if (e.type === "run" && FINAL.has(e.run.status)) {
      const trial = this.trialOf(e.run.id);
      if (trial) void this.enqueue("telling a trial's end", () => this.settle(trial.number));
    }
  }

  private trialOf(runId: string): SweepTrialRow | undefined {
    const t = openSweepTrials(this.daemon.store.db, this.id).find((x) => x.runId === runId);
    return t;
  }

  private async report(number: number, runId: string, points: { epoch: number; value: number }[]): Promise<void> {
    const db = this.daemon.store.db;
    const trial = listSweepTrials(db, this.id).find((t) => t.number === number);
    if (!trial || trial.outcome !== null) return;
    let epochs = trial.epochs;
    for (const p of points) {
      const answer = await this.search!.request({ op: "report", number, step: p.epoch, value: p.value });
      epochs = Math.max(epochs, p.epoch);
      updateSweepTrial(db, this.id, number, { epochs });
      this.daemon.sweeps.changed(this.id);
      // a trial that has trained its whole budget completes: Optuna also says prune at the top rung, which would
      // only throw away a finished result (and keep it from ranking as complete)
      if (answer.prune && p.epoch < this.sweep.earlyStopping.maxEpochs && this.status() !== "cancelled") {
        const run = getRun(db, runId);
        if (run?.status === "queued" && !this.daemon.scheduler.isActive(runId)) {
          // back in the queue after a restart, and its rung already lost: it never starts again
          updateRun(db, runId, { status: "pruned", endedAt: Date.now(), error: "pruned by its sweep's early stopper (the last checkpoint is kept)" });
          this.daemon.publishRun(runId);
          this.daemon.scheduler.poke();
        } else if (run && !FINAL.has(run.status)) this.daemon.scheduler.stop(runId, "prune");
        return;
      }
    }
  }

  /** Reconcile one open trial after a restart: report the epochs it logged, tell it if its run is final. */
  private async catchUp(t: SweepTrialRow): Promise<void> {
    if (!t.runId) return this.tell(t, "fail", null);
    const run = getRun(this.daemon.store.db, t.runId);
    if (!run) return this.tell(t, "fail", null);
    const values = epochValues(this.daemon.store.sqlite, run.id, this.sweep.metric.name);
    if (!FINAL.has(run.status)) return this.report(t.number, run.id, values.filter((v) => v.epoch > t.epochs));
    await this.settle(t.number);
  }

  /** The trial's run is final: tell Optuna how it ended, then ask for the next. */
  private async settle(number: number): Promise<void> {
    const db = this.daemon.store.db;
    const t = listSweepTrials(db, this.id).find((x) => x.number === number);
    if (!t || t.outcome !== null) return;
    const run = t.runId ? getRun(db, t.runId) : undefined;
    const status = (run?.status ?? "failed") as RunState;
    const values = run ? epochValues(this.daemon.store.sqlite, run.id, this.sweep.metric.name) : [];
    const best = values.length ? values.map((v) => v.value).reduce((a, b) => (this.sweep.metric.goal === "max" ? Math.max(a, b) : Math.min(a, b))) : null;
    const epochs = Math.max(t.epochs, values.at(-1)?.epoch ?? 0);
    if (status === "completed" && best !== null) await this.tell({ ...t, epochs }, "complete", best);
    else if (status === "pruned") await this.tell({ ...t, epochs }, "pruned", values.at(-1)?.value ?? null);
    else await this.tell({ ...t, epochs }, "fail", best);
    await this.fill();
  }

  private async tell(t: SweepTrialRow, outcome: "complete" | "pruned" | "fail", value: number | null): Promise<void> {
    await this.search!.request({ op: "tell", number: t.number, state: outcome, value: outcome === "complete" ? value : null });
    updateSweepTrial(this.daemon.store.db, this.id, t.number, { outcome, value, epochs: t.epochs, endedAt: Date.now() });
    this.daemon.sweeps.changed(this.id);
  }

  pause(): void {
    updateSweep(this.daemon.store.db, this.id, { status: "paused" });
    this.daemon.sweeps.changed(this.id);
  }

  resume(): Promise<void> {
    updateSweep(this.daemon.store.db, this.id, { status: "running" });
    this.daemon.sweeps.changed(this.id);
    return this.enqueue("resuming", () => this.fill());
  }

  /** No new trials; its queued and running trials are cancelled and told as failed; the sweep ends once all are told. */
  cancel(): Promise<void> {
    updateSweep(this.daemon.store.db, this.id, { status: "cancelled", endedAt: Date.now() });
    this.daemon.sweeps.changed(this.id);
    for (const t of openSweepTrials(this.daemon.store.db, this.id)) if (t.runId) this.daemon.cancel(t.runId);
    return this.enqueue("cancelling", () => this.fill());
  }

  importance() {
    if (!this.search) return Promise.resolve(null);
    return this.search.request({ op: "importance" });
  }

  /** Daemon shutdown or the sweep's end: stop listening and let the Optuna process go. */
  close(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.search?.close();
  }
}
