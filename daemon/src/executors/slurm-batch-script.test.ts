// The Slurm job script and the answers of Slurm's commands, as the executor reads them.
import { describe, expect, it } from "vitest";
import { loadConfig } from "@trainyard/config";
import { batchScript, perNode } from "./slurm-batch-script.ts";
import { controllerUnreachable, parseSacct, parseScontrol, parseSqueue } from "./slurm-commands.ts";

const config = (overrides: string[] = []) => loadConfig(JSON.stringify({ name: "r", dataset: { name: "d" } }), overrides);
const script = (overrides: string[], gpusOnNodes = true) =>
  batchScript({ runId: "r1", dir: "/shared/runs/r1", config: config(overrides), command: ["/opt/py", "-m", "trainyard_trainer", "train", "--spec", "/shared/runs/r1/spec.json"], partition: "gpu", account: "lab", gpusOnNodes, env: { PYTHONPATH: "/shared/trainer" } });

describe("the batch script", () => {
  it("asks for N nodes, one task per GPU, the partition, account and time; rank 0 writes events.jsonl", () => {
    const s = script(["resources.nodes=2", "resources.gpus_per_node=4", 'resources.time_limit="02:00:00"']);
    for (const line of ["--job-name=trainyard-r1", "--nodes=2", "--ntasks-per-node=4", "--partition=gpu", "--account=lab", "--time=02:00:00", "--gres=gpu:4", "--output=/shared/runs/r1/trainer.log"])
      expect(s).toContain(`#SBATCH ${line}\n`);
    expect(s).toMatch(/exec srun --kill-on-bad-exit=1 --nodes=2 --ntasks-per-node=4 .*\/opt\/py -m trainyard_trainer train --spec \/shared\/runs\/r1\/spec\.json/);
    expect(s).toContain(`"$SLURM_PROCID" = 0 ]; then exec "$@" >>/shared/runs/r1/events.jsonl; else exec "$@" >/dev/null`);
    expect(s).toContain("export PYTHONPATH=/shared/trainer");
  });

  it("takes resources.gpus per node when gpus_per_node is unset, and one CPU task where the nodes have no GPU", () => {
    expect(perNode(config(["resources.gpus=2"]), true)).toEqual({ gpus: 2, tasks: 2 });
    expect(perNode(config(["resources.gpus=2"]), false)).toEqual({ gpus: 0, tasks: 1 });
    expect(script(["resources.gpus=2"], false)).not.toContain("--gres");
    expect(script([])).not.toContain("--time");
  });
});

describe("Slurm's answers", () => {
  it("squeue, scontrol and sacct lines", () => {
    expect(parseSqueue("PENDING|Resources|\n")).toEqual({ state: "PENDING", reason: "Resources", nodeList: null, exitCode: null, signal: null });
    expect(parseSqueue("RUNNING|None|n[1-2]\n")).toMatchObject({ state: "RUNNING", reason: null, nodeList: "n[1-2]" });
    expect(parseSqueue("")).toBeNull();
    expect(parseScontrol("JobId=7 JobName=x JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15 NodeList=n1")).toMatchObject({ state: "TIMEOUT", exitCode: 0, signal: 15, nodeList: "n1" });
    expect(parseSacct("CANCELLED by 0|0:15|n1\n")).toMatchObject({ state: "CANCELLED", exitCode: 0, signal: 15 });
  });

  it("tells a controller that does not answer from a refusal", () => {
    const a = (stderr: string) => ({ ok: false, stdout: "", stderr, missing: false });
    expect(controllerUnreachable(a("sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)"))).toBe(true);
    expect(controllerUnreachable(a("sbatch: error: Batch job submission failed: Requested node configuration is not available"))).toBe(false);
  });
});
