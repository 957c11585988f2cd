// Every config key the daemon consumes and the trainer does not read (packages/config/src/daemon-side-keys.ts)
// changes what the daemon produces: the run it records (its name, its place in the queue, the tag filter that
// lists it), or what prepareRun writes for it (the classes, the image cache, the warm start, the arrays). The
// twin test, packages/trainer/tests/test_config_keys.py, proves every other key is read by the trainer, so a
// key nobody uses fails one of the two (issue #17, "options accepted and ignored").
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DAEMON_SIDE_KEYS, loadConfig, validateConfig, type DaemonSideKey, type ExperimentConfig } from "@trainyard/config";
import { generateDemoDataset, prepareRunArrays, type DatasetTable } from "@trainyard/data";
import { getRun, pageRuns, queuedRuns, upsertCheckpoint } from "@trainyard/db";
import { Daemon } from "../daemon.ts";
import { importDataset } from "../datasets/import-dataset.ts";
import { runDir } from "../home.ts";
import { prepareRun } from "./run-spec.ts";
import { batchScript } from "../executors/slurm-batch-script.ts";

const BASE = {
  name: "keys-base",
  dataset: { name: "keys-a", image_size: 16, labels: { set: ["melanoma", "nevus"] } },
  training: { phases: [{ name: "all", epochs: 1, lr: 1e-3 }] },
};
const TAG = "keys-probe";

let home: string;
let daemon: Daemon;
let reference: string;

/** A demo dataset of `patients` patients at 16 px, with a manifest split column `fold`. */
async function addDataset(name: string, patients: number, seed: number) {
  const src = join(home, `${name}-source`);
  const { manifest, imagesDir } = await generateDemoDataset({ outDir: src, patients, size: 16, seed });
  const [header, ...rows] = readFileSync(manifest, "utf8").trim().split("\n");
  const fold = (row: string) => ["train", "train", "train", "val", "test"][Number(row.slice(1, 5)) % 5];
  writeFileSync(manifest, [`${header},fold`, ...rows.map((r) => `${r},${fold(r)}`)].join("\n") + "\n");
  await importDataset(daemon, name, { manifest, imagesDir, imageCol: "image_id", groupCol: "patient_id", labelCol: "diagnosis", splitCol: "fold", imageCheck: "exists" });
}

const digest = (file: string) => {
  try {
    return createHash("sha1").update(readFileSync(file)).digest("hex");
  } catch {
    return null;
  }
};

/**
 * What the daemon produces for BASE with these overrides, without the config's own copy (spec.config, the run
 * row's config) or anything that differs only because it is another run (its id, its folder).
 */
async function produce(overrides: string[]) {
  const run = daemon.submit(JSON.stringify(BASE), overrides);
  const spec = JSON.parse(readFileSync(await prepareRun(daemon, run.id, () => {}), "utf8"));
  const dir = runDir(daemon.home, run.id);
  const queue = queuedRuns(daemon.store.db).map((r) => r.id);
  return {
    name: getRun(daemon.store.db, run.id)!.name,
    dataset: getRun(daemon.store.db, run.id)!.datasetName,
    aheadOfReference: queue.indexOf(run.id) < queue.indexOf(reference),
    listedUnderTag: pageRuns(daemon.store.sqlite, { tag: TAG }).ids.includes(run.id),
    classes: spec.classes,
    images: spec.data.images,
    initFrom: spec.init_from,
    counts: spec.counts,
    arrays: ["rows", "targets", "split", "metadata"].map((a) => digest(join(dir, `${a}.npy`))),
  };
}

// Per key: the overrides that change it (with `base`, those every run of this proof starts from). The split's
// shares must add up to 1, so each share moves with another; train is the rest after val and test.
const PROOFS: Record<Exclude<DaemonSideKey, "training.risk.missing_views" | keyof typeof EXECUTOR_PROOFS>, { base?: string[]; change: string[]; shows: string }> = {
  name: { change: ["name=keys-renamed"], shows: "the run's name" },
  tags: { change: [`tags=[${TAG}]`], shows: "the runs table's tag filter" },
  "resources.priority": { change: ["resources.priority=90"], shows: "the queue order" },
  "model.init_from": { change: [], shows: "the warm start in spec.json" }, // set in beforeAll: it names the reference run
  "dataset.name": { change: ["dataset.name=keys-b"], shows: "the classes' counts, the image cache and the arrays" },
  "dataset.labels.set": { change: ["dataset.labels.set=all"], shows: "the classes" },
  "dataset.labels.other_class": { change: ["dataset.labels.other_class=false"], shows: "the classes" },
  "dataset.labels.other_ratio": { change: ["dataset.labels.other_ratio=0.5"], shows: "the other samples kept" },
  "dataset.labels.unlabeled": { base: ["dataset.labels.other_class=false"], change: ["dataset.labels.unlabeled=keep"], shows: "the samples kept" },
  "dataset.split.by": { change: ["dataset.split.by=column"], shows: "the split" },
  "dataset.split.train": { change: ["dataset.split.train=0.7", "dataset.split.test=0.2"], shows: "the split" },
  "dataset.split.val": { change: ["dataset.split.train=0.7", "dataset.split.val=0.2"], shows: "the split" },
  "dataset.split.test": { change: ["dataset.split.val=0.2", "dataset.split.test=0"], shows: "the split" },
  "dataset.split.seed": { change: ["dataset.split.seed=1"], shows: "the split" },
  "dataset.split.stratified": { change: ["dataset.split.stratified=false"], shows: "the split" },
  "dataset.subsample.fraction": { change: ["dataset.subsample.fraction=0.5"], shows: "the samples kept" },
  "dataset.subsample.stratified": { base: ["dataset.subsample.fraction=0.5"], change: ["dataset.subsample.stratified=false"], shows: "the samples kept" },
};
// Keys proved on the run arrays alone (a risk dataset needs exams of several views; a hand-made table does)
const ARRAY_PROOFS = ["training.risk.missing_views"];
// Keys proved on the Slurm batch script a run would be submitted with (the Slurm executor refuses submission
// without a cluster; daemon/test/slurm.test.ts submits to a real one), and the executor the run gets.
// resources.gpus_per_node is the trainer's (the GPUs each rank's node uses).
const EXECUTOR_PROOFS = {
  "resources.executor": { change: ["resources.executor=slurm"] },
  "resources.nodes": { change: ["resources.nodes=2"] },
  "resources.time_limit": { change: ['resources.time_limit="01:30:00"'] },
} as const;
function executorSide(overrides: readonly string[]) {
  const config = loadConfig(JSON.stringify(BASE), overrides);
  const script = batchScript({ runId: "r", dir: "/home/runs/r", config, command: ["python3"], partition: "p", account: null, gpusOnNodes: true, env: {} });
  return { executor: daemon.executorOf(config), script };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "trainyard-config-keys-"));
  daemon = new Daemon({ home, cpuSlots: 1 }); // never started: submitted runs stay queued
  await addDataset("keys-a", 40, 1);
  await addDataset("keys-b", 30, 2);
  // the run the others queue behind, and whose checkpoint a warm start names
  reference = daemon.submit(JSON.stringify(BASE)).id;
  mkdirSync(join(runDir(daemon.home, reference), "checkpoints", "best"), { recursive: true });
  writeFileSync(join(runDir(daemon.home, reference), "checkpoints", "best", "checkpoint.pt"), "weights");
  upsertCheckpoint(daemon.store.db, { runId: reference, name: "best", epoch: 1, step: 1, path: "checkpoints/best" });
  PROOFS["model.init_from"].change = [`model.init_from="${reference}:best"`];
});

afterAll(async () => {
  await daemon?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("daemon-side config keys", () => {
  it("each has a proof here, and each proof names a daemon-side key", () => {
    const declared = Object.keys(DAEMON_SIDE_KEYS).sort();
    const proved = [...Object.keys(PROOFS), ...ARRAY_PROOFS, ...Object.keys(EXECUTOR_PROOFS)].sort();
    expect(
      declared.filter((k) => !proved.includes(k)).map((k) => `daemon-side key ${k} has no proof in daemon/src/runs/config-keys.test.ts: add one showing what it changes, or refuse the key in packages/config/src/schema.ts`),
    ).toEqual([]);
    expect(proved.filter((k) => !declared.includes(k))).toEqual([]);
  });

  for (const [key, proof] of Object.entries(PROOFS))
    it(`${key} changes ${proof.shows}`, async () => {
      expect(proof.change.some((o) => o.startsWith(`${key}=`)), "the change sets the key").toBe(true);
      const before = await produce(proof.base ?? []);
      const after = await produce([...(proof.base ?? []), ...proof.change]);
      expect(after, `changing ${key} (${proof.change.join(" ")}) changed nothing the daemon produces`).not.toEqual(before);
    });

  for (const [key, proof] of Object.entries(EXECUTOR_PROOFS))
    it(`${key} changes the run's executor or its Slurm job`, () => {
      expect(executorSide(proof.change), `changing ${key} changed neither the executor nor the batch script`).not.toEqual(executorSide([]));
    });

  it("training.risk.missing_views changes the exams a risk run keeps", () => {
    // eight one-patient exams of two views; exam 3 lacks its R view
    const table: DatasetTable = {
      version: 2, imageIds: [], imagePaths: [], groups: [], diagnoses: [], metadata: {}, features: [], splitColumn: null,
      excluded: [], cacheFit: "pad", boxes: null,
      survival: { cases: [], views: [], viewNames: ["L", "R"], time: [], event: [], oracle: null },
    };
    for (let c = 0; c < 8; c++)
      for (const v of c === 3 ? ["L"] : ["L", "R"]) {
        table.imageIds.push(`${c}-${v}.png`), table.imagePaths.push(`${c}-${v}.png`), table.groups.push(`P${c}`), table.diagnoses.push([]);
        const s = table.survival!;
        s.cases.push(`E${c}`), s.views!.push(v), s.time.push(1 + c), s.event.push(c % 2);
      }
    const config = (missing: string): ExperimentConfig =>
      validateConfig({ name: "risk", dataset: { name: "d" }, training: { task: "risk", risk: { missing_views: missing } } });
    const arrays = (missing: string) => prepareRunArrays({ table, config: config(missing), labels: ["event"], cacheRows: Int32Array.from(table.imageIds.keys()) });
    const drop = arrays("drop"), allow = arrays("allow");
    expect(drop.rows.length).toBe(7);
    expect(allow.rows.length).toBe(8);
    expect(Array.from(allow.views!)).toContain(-1n);
  });
});
