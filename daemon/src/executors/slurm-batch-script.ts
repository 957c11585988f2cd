// The batch script the Slurm executor writes into the run folder (slurm-job.sh) and submits with
// `sbatch --parsable`: N nodes, one task per GPU on each (one task on CPU nodes), the trainer under srun.
// Rank 0's stdout is the run's events.jsonl (appended, so a resubmitted attempt continues the file); the
// other ranks' stdout is dropped (they print no events). Every rank's stderr and srun's own messages go to
// trainer.log through the job's --output. The job name carries the run id, so the daemon finds its job
// even when it crashed between sbatch and storing the job id.
import type { ExperimentConfig } from "@trainyard/config";

export const BATCH_SCRIPT = "slurm-job.sh";

export interface BatchScriptInput {
  runId: string;
  dir: string;
  config: ExperimentConfig;
  command: string[];
  partition: string | null;
  account: string | null;
  /** Whether the partition's nodes have GPUs (sinfo %G); without, a run takes one CPU task per node. */
  gpusOnNodes: boolean;
  env: Record<string, string>;
}

export const jobName = (runId: string) => `trainyard-${runId}`;

/** GPUs a run takes on each node, and its tasks per node (one per GPU, at least one). */
export function perNode(config: ExperimentConfig, gpusOnNodes: boolean): { gpus: number; tasks: number } {
  const gpus = gpusOnNodes ? (config.resources.gpus_per_node ?? config.resources.gpus) : 0;
  return { gpus, tasks: Math.max(1, gpus) };
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function batchScript(x: BatchScriptInput): string {
  const { gpus, tasks } = perNode(x.config, x.gpusOnNodes);
  const nodes = x.config.resources.nodes;
  const sbatch = [
    `--job-name=${jobName(x.runId)}`,
    `--nodes=${nodes}`,
    `--ntasks-per-node=${tasks}`,
    ...(x.partition ? [`--partition=${x.partition}`] : []),
    ...(x.account ? [`--account=${x.account}`] : []),
    ...(x.config.resources.time_limit ? [`--time=${x.config.resources.time_limit}`] : []),
    ...(gpus > 0 ? [`--gres=gpu:${gpus}`] : []),
    `--chdir=${x.dir}`,
    `--output=${x.dir}/trainer.log`,
    "--open-mode=append",
  ];
  // the rank wrapper: $SLURM_PROCID 0 appends its stdout to events.jsonl, the others print nowhere
  const rank = `if [ "$SLURM_PROCID" = 0 ]; then exec "$@" >>${quote(`${x.dir}/events.jsonl`)}; else exec "$@" >/dev/null; fi`;
  return [
    "#!/bin/bash",
    `# Written by the trainyard daemon for run ${x.runId}; submitting it again by hand would train the run twice.`,
    ...sbatch.map((a) => `#SBATCH ${a}`),
    ...Object.entries(x.env).map(([k, v]) => `export ${k}=${quote(v)}`),
    `echo "[slurm] job $SLURM_JOB_ID on $SLURM_JOB_NODELIST: ${nodes} node(s) x ${tasks} task(s)${gpus ? `, ${gpus} GPU(s) each` : ", CPU"}" >&2`,
    `exec srun --kill-on-bad-exit=1 --nodes=${nodes} --ntasks-per-node=${tasks} /bin/sh -c ${quote(rank)} trainyard-rank ${x.command.map(quote).join(" ")}`,
    "",
  ].join("\n");
}
