// `trainyard` command line: the daemon itself, and every other command as a client of it.
import { describeError, makeClient } from "./client.ts";
import { dataset, demo, labels } from "./dataset-commands.ts";
import { cancel, deleteRun, download, metrics, resume, run, runs, show } from "./run-commands.ts";
import { sweep, sweeps } from "./sweep-commands.ts";
import { user } from "./user-commands.ts";
import { checkOnnx } from "./export-commands.ts";
import { evaluate } from "./evaluate-command.ts";
import { model } from "./model-commands.ts";
import { predictCommand } from "./predict-command.ts";

const USAGE = `trainyard — training daemon and dashboard for medical-imaging labs

  trainyard daemon [--home DIR] [--port N] [--host ADDR] [--no-web] [--gpus 0,1|UUID,...] [--cpu-slots N]
                   [--executor local|slurm] [--slurm-partition P] [--slurm-account A] [--slurm-args "..."]
  trainyard demo [--task classification|detection|risk]
  trainyard dataset import NAME --manifest F(.csv|.parquet) --images DIR [--schema F | --infer-schema F]
                 [--image-col C] [--group-col C] [--label-col C] [--split-col C] [--case-col C]
                 [--delimiter D] [--label-delimiter D] [--fit crop|pad] [--check decode|exists|none] [--replace] [--json]
                 [--boxes F|DIR [--box-format csv|coco|yolo] [--box-image-col C] [--box-coords X0,Y0,X1,Y1] [--box-label-col C] [--box-names F]]
                 [--time-col C|START,END --event-col C [--case-col C --view-col C]]   follow-up targets (training.task risk)
  trainyard dataset ls | show NAME [--json]
  trainyard labels add NAME FILE [--dataset D] | ls
  trainyard run CONFIG.yaml [key=value ...] [--wait] [--json] [--dry-run]
  trainyard runs [--json] [--status queued,running] [--owner NAME] [--limit N]
  trainyard show RUN [--json] | cancel RUN | resume RUN [--checkpoint NAME] | delete RUN
  trainyard sweep CONFIG.yaml [key=value ...] [--wait] [--json]   a hyperparameter sweep (base: path relative to the file)
  trainyard sweeps [--json] | sweep show|pause|resume|cancel ID [--json]
  trainyard metrics RUN [--key K ...] [--format csv|json]   every stored point (JSON: one line per point)
  trainyard evaluate RUN [--checkpoint best|last|NAME] [--dataset D] [--split test|val|all] [--json]   score a checkpoint
  trainyard download RUN [--checkpoint best|last|NAME] [-o FILE]
  trainyard model register RUN [--checkpoint NAME] --name M [--description TEXT] [--tag K=V|T ...] [--json]
  trainyard model ls [--json] | show M [--json] | alias M VERSION ALIAS   aliases (production, staging, ...) name versions
  trainyard model export M[@VERSION|@ALIAS] --format onnx|torchscript [-o FILE]   built on first request
  trainyard predict RUN[:CHECKPOINT]|MODEL[@VERSION|@ALIAS] IMAGE [--meta FIELD=VALUE ...] [--json]
                                         class probabilities (or a detector's boxes) from the ONNX export
  trainyard check-onnx MODEL.onnx        compare an ONNX export (python -m trainyard_trainer export) with PyTorch
  trainyard user add NAME [--admin] [--home DIR] | ls | token NAME | rm NAME

The daemon is found through TRAINYARD_URL (default http://127.0.0.1:7070) and TRAINYARD_TOKEN.`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "daemon":
        return await (await import("./daemon-command.ts")).daemonCommand(rest);
      case "demo":
        return await demo(makeClient(), rest);
      case "dataset":
        return await dataset(makeClient(), rest);
      case "labels":
        return await labels(makeClient(), rest);
      case "run":
        return await run(makeClient(), rest);
      case "runs":
        return await runs(makeClient(), rest);
      case "sweep":
        return await sweep(makeClient(), rest);
      case "sweeps":
        return await sweeps(makeClient(), rest);
      case "show":
        return await show(makeClient(), rest);
      case "evaluate":
        return await evaluate(makeClient(), rest);
      case "metrics":
        return await metrics(makeClient(), rest);
      case "cancel":
        return await cancel(makeClient(), rest);
      case "resume":
        return await resume(makeClient(), rest);
      case "delete":
        return await deleteRun(makeClient(), rest);
      case "user":
        return await user(rest);
      case "model":
        return await model(makeClient(), rest);
      case "check-onnx":
        return await checkOnnx(rest);
      case "download":
        return await download(rest);
      case "predict":
        return await predictCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return cmd ? 0 : 2;
      default:
        console.error(`unknown command "${cmd}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    console.error(`trainyard ${cmd}: ${describeError(e)}`);
    return 1;
  }
}
