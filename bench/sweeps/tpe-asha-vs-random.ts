// Sweeps: TPE with ASHA early stopping against random search without early stopping, the same number of trials,
// the same seed, the same search space, on the demo dataset, both through a real daemon, its trainers and each
// sweep's Optuna process. Prints each sweep's best val metric and the trial-epochs it trained, and the ratios:
// the target is a best within 0.01 of random's for at most half of its trial-epochs.
//   npx tsx bench/sweeps/tpe-asha-vs-random.ts [trials] [epochs] [--slots N]
// Trials are the demo config at 32 px with 4 training batches an epoch (as daemon/test/sweeps.test.ts), so the
// comparison is about the search, not about the model; the space is both phases' LRs (log-uniform) and dropout.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { REPO, startDaemon } from "../../daemon/test/daemon-process.ts";
import type { SweepSummary } from "../../daemon/src/sweeps/sweep-summary.ts";

const { values, positionals } = parseArgs({ allowPositionals: true, options: { slots: { type: "string", default: "2" }, seed: { type: "string", default: "0" } } });
const TRIALS = Number(positionals[0] ?? 12);
const EPOCHS = Number(positionals[1] ?? 9);
const home = mkdtempSync(join(tmpdir(), "trainyard-bench-sweeps-"));
const base = readFileSync(join(REPO, "configs/demo.yaml"), "utf8")
  .replace("image_size: 64", "image_size: 32")
  .replace("  log_every_n_steps: 2\n", "  log_every_n_steps: 2\n  limit_train_batches: 4\n");
writeFileSync(join(home, "base.yaml"), base);

// both phases' LRs: the first rung (epoch 1) falls in the heads phase, so its LR is what a rung can judge
const space = { "training.phases.0.lr": { log_uniform: [1e-4, 3e-2] }, "training.phases.1.lr": { log_uniform: [1e-4, 3e-2] }, "model.dropout": { uniform: [0, 0.5] } };
const common = { base: "base.yaml", metric: { name: "val/auc_macro", goal: "max" }, max_trials: TRIALS, parallel: Number(values.slots), seed: Number(values.seed), parameters: space };
const sweeps = {
  "random-full": { ...common, method: "random", early_stopping: { type: "none", max_epochs: EPOCHS } },
  "tpe-asha": { ...common, method: "tpe", early_stopping: { type: "asha", min_epochs: 1, max_epochs: EPOCHS, reduction_factor: 3 } },
};

const d = await startDaemon({ home, args: ["--cpu-slots", String(values.slots)] });
try {
  if ((await d.cli(["demo"])).code !== 0) throw new Error("demo import failed");
  const results: Record<string, { best: number; epochs: number; pruned: number; wall: number }> = {};
  for (const [name, sweep] of Object.entries(sweeps)) {
    const file = join(home, `${name}.yaml`);
    writeFileSync(file, stringify({ name, ...sweep }));
    const t0 = Date.now();
    const res = await d.cli(["sweep", file, "--wait", "--json"]);
    if (res.code !== 0) throw new Error(`${name}: ${res.stderr}`);
    const s: SweepSummary = JSON.parse(res.stdout);
    if (!s.best || s.best.value === null) throw new Error(`${name}: no best trial`);
    results[name] = { best: s.best.value, epochs: s.trialEpochs, pruned: s.trials.filter((t) => t.state === "pruned").length, wall: (Date.now() - t0) / 1000 };
    console.log(`${name.padEnd(12)} best val/auc_macro ${s.best.value.toFixed(4)}  trial-epochs ${s.trialEpochs} of ${s.maxTrialEpochs}  pruned ${results[name].pruned}/${TRIALS}  wall ${results[name].wall.toFixed(0)} s`);
  }
  const r = results["random-full"], t = results["tpe-asha"];
  const gap = r.best - t.best;
  console.log(`best: tpe-asha ${t.best >= r.best ? "+" : "-"}${Math.abs(gap).toFixed(4)} against random (target: within 0.01): ${gap <= 0.01 ? "met" : "NOT met"}`);
  console.log(`trial-epochs: tpe-asha / random = ${(t.epochs / r.epochs).toFixed(3)} (target <= 0.5): ${t.epochs <= 0.5 * r.epochs ? "met" : "NOT met"}`);
} finally {
  await d.stop();
  rmSync(home, { recursive: true, force: true });
}
process.exit(0);
