// The model registry: register a run's checkpoint as the next version of a named model (frozen, with its
// lineage), list and show models, point aliases at versions (every move recorded), and resolve "M", "M@3",
// "M@production" to one version. Exports built from a version live in model-exports.ts.
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, linkSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { closestNames, datasetFingerprint } from "@trainyard/data";
import {
  getCheckpoint,
  getDataset,
  getModel,
  getModelAlias,
  getModelVersion,
  getRun,
  insertModelVersion,
  latestModelVersion,
  listAliasMoves,
  listCheckpoints,
  listModelAliases,
  listModels,
  listModelVersions,
  moveModelAlias,
  runMetrics,
  type Db,
  type ModelRow,
  type ModelVersionRow,
} from "@trainyard/db";
import type { Daemon } from "../daemon.ts";
import { modelDir } from "../home.ts";
import { CHECKPOINT_FILE, CheckpointRefError, resolveCheckpoint } from "../runs/checkpoint-refs.ts";
import { checkAliasName, checkModelName, formatRef, ModelRegistryError, parseModelRef, parseVersionNumber } from "./model-refs.ts";

/** Who asks: a model's owner or an admin may add versions to it and move its aliases. */
export interface Actor {
  name: string;
  admin: boolean;
}

export interface RegisterInput {
  runId: string;
  /** Checkpoint name of the run (default best). */
  checkpoint?: string;
  name: string;
  description?: string;
  tags?: Record<string, string>;
}

export interface ResolvedModelVersion {
  model: ModelRow;
  version: ModelVersionRow;
  /** "M@3" */
  ref: string;
  /** The alias the reference went through, if any. */
  alias: string | null;
}

/** The frozen checkpoint of a version: what every export of it is built from. */
export const frozenCheckpoint = (daemon: Daemon, name: string, version: number) => join(modelDir(daemon.home, name, version), CHECKPOINT_FILE);

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function mayChange(actor: Actor, model: ModelRow, action: string): void {
  if (actor.admin || actor.name === model.owner) return;
  throw new ModelRegistryError(`model ${model.name} belongs to ${model.owner}; only ${model.owner} or an admin may ${action}`, "FORBIDDEN");
}

/**
 * Registers a finished run's checkpoint as the next version of model `name` (created with its first version).
 * The checkpoint file is frozen into TRAINYARD_HOME/models/<name>/<version>/ (a hard link when the file system
 * allows it, else a copy): the trainer replaces best/last by renaming, so a later resume never changes a
 * registered version.
 */
export async function registerModelVersion(daemon: Daemon, input: RegisterInput, actor: Actor): Promise<ResolvedModelVersion> {
  const db = daemon.store.db;
  const name = checkModelName(input.name);
  const run = getRun(db, input.runId);
  if (!run) throw new ModelRegistryError(`no run "${input.runId}"; \`trainyard runs\` lists them`, "NOT_FOUND");
  if (run.status === "queued" || run.status === "running")
    throw new ModelRegistryError(`run ${run.id} is ${run.status}; register it once it has finished (its best checkpoint and test metrics may still change)`, "CONFLICT");
  const existing = getModel(db, name);
  if (existing) mayChange(actor, existing, `register new versions of it`);
  if (!listCheckpoints(db, run.id).length)
    throw new ModelRegistryError(`run ${run.id} never wrote a checkpoint (it is ${run.status}${run.error ? `: ${run.error}` : ""}); there is nothing to register`);
  const checkpointName = input.checkpoint ?? "best";
  let ref;
  try {
    ref = resolveCheckpoint(db, daemon.home, run.id, checkpointName);
  } catch (e) {
    if (e instanceof CheckpointRefError) throw new ModelRegistryError(`cannot register: ${e.message}`);
    throw e;
  }
  const checkpoint = getCheckpoint(db, run.id, checkpointName)!; // resolveCheckpoint found it recorded

  const modelRoot = join(daemon.home.root, "models", name);
  mkdirSync(modelRoot, { recursive: true });
  const staging = mkdtempSync(join(modelRoot, ".staging-"));
  try {
    const frozen = join(staging, CHECKPOINT_FILE);
    try {
      linkSync(ref.file, frozen);
    } catch {
      copyFileSync(ref.file, frozen);
    }
    // hashed after freezing: the sha256 is that of the file the version keeps, even if the run's is replaced meanwhile
    const sha = await sha256File(frozen);
    const dataset = getDataset(db, run.datasetName);
    // a dataset imported again after the run started is not the one it trained on
    const sameDataset = dataset?.status === "ready" && dataset.createdAt <= (run.startedAt ?? run.createdAt);
    const fingerprint = sameDataset ? await datasetFingerprint(dataset.dir) : null;
    const metrics = runMetrics(daemon.store.sqlite, run.id);
    const config = run.config as { training?: { task?: string } };
    const { model, version } = insertModelVersion(
      db,
      name,
      { description: input.description ?? null, owner: actor.name },
      {
        runId: run.id,
        checkpointName,
        checkpointPath: ref.relative,
        checkpointSha256: sha,
        config: run.config,
        datasetName: run.datasetName,
        datasetFingerprint: fingerprint,
        classes: run.classes,
        task: config.training?.task ?? "multilabel",
        metrics: {
          checkpoint: { name: checkpointName, epoch: checkpoint.epoch, step: checkpoint.step },
          monitor: checkpoint.monitorName ? { name: checkpoint.monitorName, value: checkpoint.monitorValue } : null,
          test: metrics.test,
        },
        description: input.description ?? null,
        tags: input.tags ?? {},
        owner: actor.name,
      },
    );
    const dir = modelDir(daemon.home, name, version.version);
    rmSync(dir, { recursive: true, force: true }); // leftovers of a version number whose registration failed
    renameSync(staging, dir);
    return { model, version, ref: formatRef(name, version.version), alias: null };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function unknownModel(db: Db, name: string): never {
  const known = listModels(db).map((m) => m.name);
  if (!known.length) throw new ModelRegistryError(`no model "${name}": none is registered yet (\`trainyard model register RUN --name ${name}\`)`, "NOT_FOUND");
  const closest = closestNames(name, known);
  throw new ModelRegistryError(`no model "${name}"; closest: ${closest.join(", ")}`, "NOT_FOUND");
}

export function getModelOrThrow(db: Db, name: string): ModelRow {
  return getModel(db, name) ?? unknownModel(db, name);
}

/** "M" (newest version), "M@3", "M@production" → one version, or an error listing what exists. */
export function resolveModelVersion(db: Db, reference: string): ResolvedModelVersion {
  const { name, selector } = parseModelRef(reference);
  const model = getModelOrThrow(db, name);
  const versions = listModelVersions(db, model.id).map((v) => v.version);
  const range = versions.length ? `its versions: ${versions.join(", ")}` : "it has no versions";
  if (selector.kind === "latest") {
    const version = latestModelVersion(db, model.id);
    if (!version) throw new ModelRegistryError(`model ${name} has no versions`, "NOT_FOUND");
    return { model, version, ref: formatRef(name, version.version), alias: null };
  }
  if (selector.kind === "version") {
    const version = getModelVersion(db, model.id, selector.version);
    if (!version) throw new ModelRegistryError(`model ${name} has no version ${selector.version}; ${range}`, "NOT_FOUND");
    return { model, version, ref: formatRef(name, version.version), alias: null };
  }
  const alias = getModelAlias(db, model.id, selector.alias);
  if (!alias) {
    const aliases = listModelAliases(db, model.id);
    const closest = closestNames(selector.alias, aliases.map((a) => a.alias));
    const listed = aliases.length ? `; closest: ${closest.join(", ")} (its aliases: ${aliases.map((a) => `${a.alias} → ${a.version}`).join(", ")})` : `; it has no aliases yet (\`trainyard model alias ${name} VERSION ${selector.alias}\`)`;
    throw new ModelRegistryError(`model ${name} has no alias "${selector.alias}"${listed}`, "NOT_FOUND");
  }
  const version = getModelVersion(db, model.id, alias.version)!;
  return { model, version, ref: formatRef(name, version.version), alias: alias.alias };
}

/** Points `alias` of model `name` at `versionText` ("3" or "v3"); recorded in the alias history unless it already pointed there. */
export function setModelAlias(daemon: Daemon, name: string, versionText: string, alias: string, actor: Actor): { model: string; alias: string; version: number; from: number | null; moved: boolean } {
  const db = daemon.store.db;
  checkAliasName(alias);
  const model = getModelOrThrow(db, name);
  const number = parseVersionNumber(versionText);
  if (number === null) throw new ModelRegistryError(`version ${JSON.stringify(versionText)}: expected a version number such as 3 (aliases point at versions, not at other aliases)`);
  if (!getModelVersion(db, model.id, number)) {
    const versions = listModelVersions(db, model.id).map((v) => v.version);
    throw new ModelRegistryError(`model ${name} has no version ${number}; its versions: ${versions.join(", ") || "none"}`, "NOT_FOUND");
  }
  mayChange(actor, model, `move its aliases`);
  const before = getModelAlias(db, model.id, alias);
  if (before?.version === number) return { model: name, alias, version: number, from: number, moved: false };
  moveModelAlias(db, model.id, alias, number, actor.name);
  return { model: name, alias, version: number, from: before?.version ?? null, moved: true };
}

/** One line per model for `trainyard model ls` and the /models page. */
export function listModelSummaries(db: Db) {
  return listModels(db).map((m) => {
    const versions = listModelVersions(db, m.id);
    const latest = versions.at(-1);
    return {
      name: m.name,
      description: m.description,
      owner: m.owner,
      createdAt: m.createdAt,
      versions: versions.length,
      latest: latest ? { version: latest.version, runId: latest.runId, task: latest.task, createdAt: latest.createdAt, monitor: monitorOf(latest) } : null,
      aliases: Object.fromEntries(listModelAliases(db, m.id).map((a) => [a.alias, a.version])),
    };
  });
}

const monitorOf = (v: ModelVersionRow) => (v.metrics as { monitor?: { name: string; value: number | null } | null }).monitor ?? null;

/** A version as the API shows it: lineage (run, checkpoint, dataset and its fingerprint, classes), metrics, aliases. */
export function versionView(daemon: Daemon, model: ModelRow, v: ModelVersionRow, aliases: string[], exports: Record<string, boolean>) {
  const run = getRun(daemon.store.db, v.runId);
  return {
    model: model.name,
    version: v.version,
    ref: formatRef(model.name, v.version),
    aliases,
    description: v.description,
    tags: v.tags,
    owner: v.owner,
    createdAt: v.createdAt,
    task: v.task,
    classes: v.classes,
    metrics: v.metrics as { checkpoint: { name: string; epoch: number; step: number }; monitor: { name: string; value: number | null } | null; test: Record<string, number | string> },
    lineage: {
      run: { id: v.runId, name: run?.name ?? null, status: run?.status ?? null },
      checkpoint: { name: v.checkpointName, path: v.checkpointPath, sha256: v.checkpointSha256 },
      dataset: { name: v.datasetName, fingerprint: v.datasetFingerprint },
      config: v.config,
    },
    exports,
  };
}

/** `trainyard model show M`: the model, every version with its lineage, the aliases and their history. */
export function showModel(daemon: Daemon, name: string, exportsOf: (model: string, version: number) => Record<string, boolean>) {
  const db = daemon.store.db;
  const model = getModelOrThrow(db, name);
  const aliases = listModelAliases(db, model.id);
  return {
    name: model.name,
    description: model.description,
    owner: model.owner,
    createdAt: model.createdAt,
    versions: listModelVersions(db, model.id).map((v) =>
      versionView(daemon, model, v, aliases.filter((a) => a.version === v.version).map((a) => a.alias), exportsOf(model.name, v.version)),
    ),
    aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.version])),
    aliasHistory: listAliasMoves(db, model.id).map((m) => ({ alias: m.alias, from: m.fromVersion, to: m.toVersion, by: m.movedBy, at: m.movedAt })),
  };
}

export type ModelDetail = ReturnType<typeof showModel>;
export type ModelSummary = ReturnType<typeof listModelSummaries>[number];
