"""Command line: `train --spec FILE`, `evaluate --spec FILE` (evaluate_checkpoint.py), `probe`, `inspect --checkpoint FILE`,
`export --checkpoint FILE --format torchscript|onnx -o OUT`.

`train` with resources.gpus > 1 and more than one visible GPU starts one process per GPU (ddp_launch.py) unless it
already runs under torchrun / the launcher (WORLD_SIZE set); the daemon just spawns `train` as always. As a task of
a multi-task Slurm step (`srun --nodes=N --ntasks-per-node=G ... train`) it is one DDP rank, its rendezvous
taken from SLURM_* (slurm_env.py).

`train`, `evaluate`, `export` and `inspect` write their output (protocol events, a JSON report) to the real stdout and point
fd 1 and sys.stdout at stderr first (`own_stdout`), so a stray print (ours or a library's, Python or C; torch's
ONNX exporter prints progress on torch >= 2.9) can never corrupt what the daemon parses.
"""
import argparse
import json
import os
import platform
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m trainyard_trainer", description="Trainyard training program")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="run one training job described by a spec.json")
    p.add_argument("--spec", required=True, help="path of the run's spec.json")
    p.add_argument("--processes", type=int, default=None,
                   help="DDP processes on this machine (default: one per GPU when resources.gpus > 1, else 1)")
    p = sub.add_parser("evaluate", help="score one checkpoint on one split of a dataset, described by a spec.json")
    p.add_argument("--spec", required=True, help="path of the evaluation's spec.json (a run spec plus `evaluation`)")
    sub.add_parser("probe", help="print this interpreter's torch / CUDA capabilities as one JSON line")
    p = sub.add_parser("inspect", help="load a checkpoint, rebuild its model, run one forward pass")
    p.add_argument("--checkpoint", required=True)
    p = sub.add_parser("export", help="export a checkpoint's model (sigmoid outputs) and check it against PyTorch")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--format", required=True, choices=["torchscript", "onnx"])
    p.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    if args.command == "train":
        return train_command(args.spec, args.processes)
    if args.command == "evaluate":
        return evaluate_command(args.spec)
    if args.command == "probe":
        return probe()
    if args.command == "export":
        return export_command(args.checkpoint, args.format, args.output)
    return inspect_checkpoint(args.checkpoint)


def train_command(spec_path, processes=None):
    from .slurm_env import SlurmEnvError, apply
    try:
        apply(os.environ)
    except SlurmEnvError as e:
        return slurm_env_failed(e)
    nproc = processes if processes and not os.environ.get("WORLD_SIZE") else ddp_processes(spec_path)
    if nproc > 1:
        from .ddp_launch import launch
        sys.stderr.write(f"starting {nproc} DDP processes\n")
        sys.stderr.flush()
        return launch(os.path.abspath(spec_path), nproc)
    events_stream = own_stdout()
    from .distributed import Distributed
    from .events import EventWriter, NullEventWriter
    from .train import run
    dist = Distributed()
    events = EventWriter(events_stream, sys.stderr) if dist.is_main else NullEventWriter(sys.stderr)
    return linger_if_failing_slurm_task(run(spec_path, events, dist))


SLURM_FAILING_EXIT_DELAY_S = 2


def linger_if_failing_slurm_task(code):
    """Under `srun --kill-on-bad-exit` the first task to fail ends the step, and srun drops what it has not yet
    forwarded: a failing task of a multi-task step waits a moment, so that rank 0's last events reach the job's
    output, and rank 0's failure, not another rank's, is the one the step ends on."""
    if code != 0 and os.environ.get("SLURM_STEP_ID") and int(os.environ.get("SLURM_STEP_NUM_TASKS") or 1) > 1:
        import time
        sys.stderr.flush()
        time.sleep(SLURM_FAILING_EXIT_DELAY_S if os.environ.get("SLURM_PROCID") == "0" else 2 * SLURM_FAILING_EXIT_DELAY_S)
    return code


def evaluate_command(spec_path):
    events_stream = own_stdout()
    from .evaluate_checkpoint import run_evaluation
    from .events import EventWriter
    return run_evaluation(spec_path, EventWriter(events_stream, sys.stderr))


def slurm_env_failed(error):
    """A Slurm task that cannot find its rendezvous: the first task says so on the event stream."""
    message = f"cannot join the other Slurm tasks: {error}"
    sys.stderr.write(message + "\n")
    if os.environ.get("SLURM_PROCID", "0") == "0":
        from .events import EventWriter
        EventWriter(own_stdout(), sys.stderr).done("failed", error=message)
    return linger_if_failing_slurm_task(2)


def own_stdout():
    """Returns a line-buffered stream on the real stdout, for this command's output only; from here on anything
    else written to fd 1 or sys.stdout lands on stderr."""
    stream = os.fdopen(os.dup(1), "w", buffering=1)
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return stream


def ddp_processes(spec_path):
    """How many DDP processes this run wants: min(resources.gpus, visible GPUs) when not yet under torchrun."""
    if os.environ.get("WORLD_SIZE"):
        return 1
    try:
        from .spec import load_spec
        spec = load_spec(spec_path)
        from .distributed import requested_gpus
        gpus = requested_gpus(spec.config["resources"])
        if gpus < 2:
            return 1
        import torch
        return min(gpus, torch.cuda.device_count()) if torch.cuda.is_available() else 1
    except Exception:  # noqa: BLE001 - a bad spec is reported by the normal (one-process) path
        return 1


def export_command(checkpoint, fmt, output):
    out = own_stdout()
    try:
        from .export import export_checkpoint
        if not os.path.isfile(checkpoint):
            raise FileNotFoundError(f"no such file: {checkpoint}")
        report = export_checkpoint(checkpoint, fmt, output)
    except Exception as e:  # noqa: BLE001
        print(f"cannot export {checkpoint} as {fmt}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(json.dumps({k: report[k] for k in ("ok", "format", "path", "verified_with", "max_abs_diff", "classes")}
                     | ({"note": report["note"]} if "note" in report else {}), default=str), file=out, flush=True)
    return 0


def probe():
    info = {"python": platform.python_version(), "torch": None, "torchvision": None, "sklearn": None,
            "numpy": None, "cuda": False, "devices": []}
    missing = []
    for module, key in (("numpy", "numpy"), ("torch", "torch"), ("torchvision", "torchvision"), ("sklearn", "sklearn")):
        try:
            info[key] = __import__(module).__version__
        except Exception:  # noqa: BLE001 - any import failure means the interpreter cannot train
            missing.append(module)
    if info["torch"]:
        import torch
        info["cuda"] = bool(torch.cuda.is_available())
        if info["cuda"]:
            for i in range(torch.cuda.device_count()):
                props = torch.cuda.get_device_properties(i)
                info["devices"].append({"index": i, "name": props.name, "memory_bytes": int(props.total_memory),
                                        "capability": f"{props.major}.{props.minor}"})
    print(json.dumps(info), flush=True)
    if missing:
        print(f"this interpreter cannot train: missing {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


def inspect_checkpoint(path):
    report = own_stdout()
    try:
        import torch

        from .checkpoints import load
        from .tasks import task_of_checkpoint
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no such file: {path}")
        state = load(path)
        # the checkpoint's task rebuilds the model as it is exported (a classifier's probabilities, a detector's
        # post-processed boxes), so inspect passes exactly when the model can be used
        task = task_of_checkpoint(state)
        signature = task.export_signature(state)
        with torch.no_grad():
            out = task.exportable(state)(*task.example_inputs(state, batch=1))
        out = list(out) if isinstance(out, (tuple, list)) else [out]
        size = state["image_size"]
        shapes = {name: list(t.shape) for name, t in zip(signature["output_names"], out)}
        if len(out) != len(signature["output_names"]) or not all(torch.isfinite(t.float()).all() for t in out) or \
                (signature["dynamic_batch"] and any(t.shape[0] != 1 for t in out)):
            raise ValueError(f"forward pass gave outputs {shapes}, expected {signature['output']}, finite="
                             f"{all(bool(torch.isfinite(t.float()).all()) for t in out)}")
    except Exception as e:  # noqa: BLE001
        print(f"cannot use checkpoint {path}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(json.dumps({
        "ok": True, "classes": state["classes"], "epoch": state["epoch"], "step": state["step"],
        "phase": state["phase"], "metrics": state["metrics"], "arch": state["arch"], "backbone": state["backbone"],
        "image_size": size, "metadata_dim": state["metadata_dim"], "task": state["task"], "outputs": shapes,
    }), file=report, flush=True)
    return 0
