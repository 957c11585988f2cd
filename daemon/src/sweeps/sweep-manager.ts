// Sweeps in the daemon: validate and store a new sweep, keep one controller per running or paused sweep (also
// after a restart), and answer list / show / pause / resume / cancel / importance.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { stringify } from "yaml";
import { applyOverrides, ConfigError, parseYaml, resolveSweep, trialConfig, type ResolvedSweep, type Scalar } from "@trainyard/config";
import { getRun, getSweep, insertSweep, listSweeps, listSweepTrials, type RunRow } from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { RunStateError, REPO_ROOT } from "../daemon.ts";
import { SweepController } from "./sweep-controller.ts";
import { toSweepSummary, type SweepSummary } from "./sweep-summary.ts";

export const newSweepId = () => "s" + Date.now().toString(36) + randomBytes(3).toString("hex").slice(0, 4);

/** A base given as a path the daemon can read itself: one of the repository's configs/ files. */
function readableBase(path: string): string | null {
  const rel = normalize(path).replace(/^\.\//, "");
  if (!/^configs\/[\w.+-]+\.ya?ml$/.test(rel)) return null;
  const file = join(REPO_ROOT, rel);
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}

export class SweepManager {
  private controllers = new Map<string, SweepController>();
  private watchers = new Set<(id: string) => void>();

  constructor(private daemon: Daemon) {}

  /** Parse, validate and resolve a sweep against this daemon (datasets, slots); nothing is stored. */
  resolve(yaml: string, overrides: readonly string[] = []): ResolvedSweep {
    // a base path is read before the base.<key> overrides apply to it (applied to the path, they would replace it)
    const isBase = (o: string) => o.slice(0, o.indexOf("=")).trim() === "base";
    let raw = applyOverrides(parseYaml(yaml, "sweep"), overrides.filter(isBase)) as Record<string, unknown>;
    if (typeof raw.base === "string") {
      const text = readableBase(raw.base);
      if (text === null)
        throw new ConfigError([{ path: "base", message: `the daemon cannot read "${raw.base}": \`trainyard sweep\` inlines a base file given next to the sweep, the daemon itself reads only configs/*.yaml of its repository; or write the experiment mapping under base:` }], "sweep");
      try {
        raw.base = parseYaml(text, raw.base);
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(e.issues.map((i) => ({ path: `base${i.path ? "." + i.path : ""}`, message: i.message })), "sweep");
        throw e;
      }
    }
    raw = applyOverrides(raw, overrides.filter((o) => !isBase(o)));
    const sweep = resolveSweep(raw);
    // the base must be a run this daemon accepts (dataset, label set, GPUs): checked on a trial with the first values
    const probe: Record<string, Scalar> = Object.fromEntries(sweep.space.map((p) => [p.name, p.kind === "categorical" ? p.choices[0] : p.low]));
    try {
      this.daemon.resolveSubmission(stringify(trialConfig(sweep, "check", 0, probe)));
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(e.issues.map((i) => ({ path: `base${i.path ? "." + i.path : ""}`, message: i.message })), "sweep");
      throw e;
    }
    const gpus = Number((sweep.base.resources as { gpus?: number } | undefined)?.gpus ?? 1);
    const { pool, need } = this.daemon.scheduler.slotsNeeded(gpus);
    const slots = this.daemon.scheduler.all.filter((s) => (s.gpu !== null) === (pool === "gpu")).length;
    const atOnce = Math.floor(slots / need);
    if (sweep.parallel > atOnce) {
      const word = pool === "gpu" ? "GPU" : this.daemon.scheduler.hasGpus ? "CPU slot" : "slot";
      sweep.notes.push(
        `parallel ${sweep.parallel}, but this daemon has ${slots} ${word}${slots === 1 ? "" : "s"} (${need} per trial): at most ${atOnce} trial${atOnce === 1 ? "" : "s"} train at once, the others wait in the queue`,
      );
    }
    return sweep;
  }

  create(yaml: string, overrides: readonly string[], owner: string): SweepSummary {
    const sweep = this.resolve(yaml, overrides);
    const id = newSweepId();
    insertSweep(this.daemon.store.db, { id, name: sweep.name, status: "running", owner, config: sweep as unknown as Record<string, unknown>, configYaml: yaml, maxTrials: sweep.maxTrials, parallel: sweep.parallel });
    this.open(id);
    this.changed(id);
    return this.summary(id)!;
  }

  private open(id: string): SweepController {
    const c = new SweepController(this.daemon, id);
    this.controllers.set(id, c);
    void c.start();
    return c;
  }

  /** Listen for changes to any sweep or its trials' rows (after they are stored); returns the unsubscribe. */
  watch(fn: (id: string) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Called after a sweep's row or one of its trial rows was written. */
  changed(id: string): void {
    for (const w of this.watchers) w(id);
  }

  /** Called by a controller once its sweep has ended. */
  forget(id: string): void {
    this.controllers.delete(id);
  }

  summary(id: string): SweepSummary | null {
    const db = this.daemon.store.db;
    const row = getSweep(db, id);
    if (!row) return null;
    const trials = listSweepTrials(db, id);
    const runs = new Map<string, RunRow>();
    for (const t of trials) {
      const r = t.runId ? getRun(db, t.runId) : undefined;
      if (r) runs.set(r.id, r);
    }
    return toSweepSummary(row, trials, runs);
  }

  list(): SweepSummary[] {
    return listSweeps(this.daemon.store.db).map((r) => this.summary(r.id)!);
  }

  private controller(id: string, action: string): SweepController {
    const row = getSweep(this.daemon.store.db, id);
    if (!row) throw new RunStateError(`no sweep "${id}"`);
    const c = this.controllers.get(id);
    if (!c) throw new RunStateError(`sweep ${id} is ${row.status}; only a running or paused sweep can be ${action}`);
    return c;
  }

  pause(id: string): SweepSummary {
    const c = this.controller(id, "paused");
    const status = getSweep(this.daemon.store.db, id)!.status;
    if (status !== "running") throw new RunStateError(`sweep ${id} is ${status}; only a running sweep can be paused`);
    c.pause();
    return this.summary(id)!;
  }

  async resume(id: string): Promise<SweepSummary> {
    const c = this.controller(id, "resumed");
    const row = getSweep(this.daemon.store.db, id);
    if (row?.status !== "paused") throw new RunStateError(`sweep ${id} is ${row?.status}; only a paused sweep can be resumed`);
    await c.resume();
    return this.summary(id)!;
  }

  async cancel(id: string): Promise<SweepSummary> {
    await this.controller(id, "cancelled").cancel();
    return this.summary(id)!;
  }

  /** Optuna's parameter importances (fANOVA) over the completed trials, computed by the sweep's Optuna process. */
  async importance(id: string): Promise<{ importance: Record<string, number>; method: string; reason: string | null }> {
    const row = getSweep(this.daemon.store.db, id);
    if (!row) throw new RunStateError(`no sweep "${id}"`);
    let c = this.controllers.get(id);
    let temporary = false;
    if (!c) {
      // an ended sweep: open its study read-only for the question (nothing is asked or told)
      c = new SweepController(this.daemon, id);
      await c.openOnly();
      temporary = true;
    }
    try {
      const answer = await c.importance();
      return answer ? { importance: answer.importance, method: answer.method, reason: answer.reason } : { importance: {}, method: "fanova", reason: "the sweep's study is not open yet" };
    } finally {
      if (temporary) c.close();
    }
  }

  /** At daemon start, after run recovery: a controller for every sweep that was running or paused. */
  start(): void {
    for (const row of listSweeps(this.daemon.store.db, { status: ["running", "paused"], limit: 100_000 })) this.open(row.id);
  }

  stop(): void {
    for (const c of this.controllers.values()) c.close();
    this.controllers.clear();
  }
}
