// Seeds a TRAINYARD_HOME's SQLite with synthetic finished runs for the compare-view speed spec: RUNS runs
// x 6 metrics x STEPS steps each (50 x 6 x 100,000 = 30M points by default), written through the ingest
// writer of packages/db (rows, then sealed metric blocks, as a real run's) before a daemon starts on that home. Each run gets a distinct config (lr, backbone, batch
// size) so the compare view's "differing keys" table has content, and spikes so the min-max band is tested.
//   npx tsx bench/web/seed-compare.ts HOME [runs=50] [steps=100000]
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { IngestWriter, insertRun, openStore, sealRun, type MetricPoint } from "@trainyard/db";

export const SEED_KEYS = ["train/loss", "val/loss", "val/auc_macro", "val/map", "train/lr", "train/img_per_s"] as const;

export function seedCompare(home: string, runs = 50, steps = 100_000): { runIds: string[]; points: number; seconds: number; storeBytes: number; groupBytes: number } {
  mkdirSync(home, { recursive: true });
  const t0 = performance.now();
  const file = join(home, "trainyard.db");
  const store = openStore(file);
  const { sqlite, db } = store;
  sqlite.pragma("synchronous = OFF"); // a throwaway bench home
  const writer = new IngestWriter(sqlite);
  const runIds: string[] = [];
  const backbones = ["resnet18", "resnet50", "efficientnet_b0", "convnext_tiny"];
  const t = 1_763_800_000;
  for (let r = 0; r < runs; r++) {
    const id = `bench-${String(r).padStart(3, "0")}`;
    const lr = 1e-4 * (1 + (r % 7));
    const config = {
      name: id,
      dataset: { name: "demo", image_size: 224, labels: { set: "demo3", other_class: true, other_ratio: 0.1 + (r % 3) * 0.05 } },
      model: { arch: "gen2a", backbone: backbones[r % backbones.length] },
      training: { batch_size: 32 * (1 + (r % 2)), phases: [{ name: "heads", epochs: 2, lr: 1e-3, train: ["heads"] }, { name: "finetune", epochs: 8, lr, train: ["all"], schedule: "cosine" }] },
      tags: [r % 2 ? "sweep-a" : "sweep-b"],
    };
    insertRun(db, {
      id, name: id, status: "completed", datasetName: "demo", config, configYaml: `name: ${id}\n`, classes: ["a", "b", "c"],
      epoch: 10, epochs: 10, step: steps, steps, bestName: "val/auc_macro", bestValue: 0.8 + r / 1000, bestEpoch: 9,
      startedAt: (t + r) * 1000, endedAt: (t + r + 3600) * 1000,
    });
    runIds.push(id);
    const decay = 1 + (r % 5);
    let batch: MetricPoint[] = [];
    for (let s = 1; s <= steps; s++) {
      const epoch = Math.ceil((s / steps) * 10);
      const time = t + r + (s / steps) * 3600;
      const noise = Math.sin(s * 12.9898 + r * 78.233) * 0.5 + 0.5;
      const spike = s % 9973 === 0 ? 3 : 0;
      const loss = Math.exp(-s / (steps / decay)) + 0.1 * noise + spike;
      const at = (key: string, value: number, phase: string | null = null): MetricPoint => ({ runId: id, key, step: s, epoch, phase, time, value });
      batch.push(
        at("train/loss", loss, epoch <= 2 ? "heads" : "finetune"),
        at("val/loss", loss * 1.1 + 0.05),
        at("val/auc_macro", 0.5 + 0.4 * (1 - Math.exp(-s / (steps / 3))) + 0.02 * noise),
        at("val/map", 0.3 + 0.4 * (1 - Math.exp(-s / (steps / 2))) + 0.03 * noise),
        at("train/lr", epoch <= 2 ? 1e-3 : lr * 0.5 * (1 + Math.cos((Math.PI * s) / steps))),
        at("train/img_per_s", 800 + 50 * noise),
      );
      if (batch.length >= 60_000 || s === steps) {
        writer.write({ metrics: batch, events: [], offsets: new Map() });
        batch = [];
      }
    }
    sealRun(sqlite, id);
  }
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  const groupBytes = sqlite.prepare("SELECT COALESCE(SUM(length(group_data)), 0) FROM metric_groups").pluck().get() as number;
  store.close();
  return { runIds, points: runs * steps * SEED_KEYS.length, seconds: (performance.now() - t0) / 1000, storeBytes: statSync(file).size, groupBytes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [home, runs, steps] = process.argv.slice(2);
  if (!home) throw new Error("usage: npx tsx bench/web/seed-compare.ts HOME [runs] [steps]");
  const r = seedCompare(home, Number(runs ?? 50), Number(steps ?? 100_000));
  console.log(`seeded ${r.runIds.length} runs, ${r.points.toLocaleString("en")} points in ${r.seconds.toFixed(1)} s into ${home}`);
  console.log(`store ${(r.storeBytes / 1e6).toFixed(0)} MB, of which group aggregates ${(r.groupBytes / 1e6).toFixed(0)} MB`);
}
