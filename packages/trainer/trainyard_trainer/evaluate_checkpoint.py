"""`evaluate --spec FILE`: score one checkpoint of a run on one split of a dataset (`trainyard evaluate`).

The spec is a run spec (spec.py: the config, the model's classes, the dataset's arrays and image cache, prepared
by the daemon exactly as for a run) plus `evaluation: {id, checkpoint, split}`. The model is rebuilt from the
checkpoint and scored by the task's own eval_batch / score through train.evaluate, the function that scores a
run's validation and test splits, so an evaluation has no metric code of its own: the best checkpoint evaluated
on its run's test split gives the run's test/* values.

Events: one `metrics` event whose keys carry the split as their prefix (test/auc_macro, val/..., all/...), the
task's `curve` events (split set to the evaluated split), and `done` (completed, failed, or interrupted on
SIGTERM). Exit codes as for training: 0 completed / interrupted, 1 crashed, 2 bad spec.
"""

import numpy as np
import torch

from . import checkpoints
from .augment import DeviceAugment
from .cpu_threads import cpu_threads
from .data import RunData
from .distributed import Distributed
from .precision import Precision
from .spec import SpecError, load_spec
from .tasks import task_for
from .protocol_job import run_job
from .train import Run, apply_val_limit, evaluate

SPLITS = ("test", "val", "all")


def run_evaluation(spec_path, events):
    return run_job(events, lambda stop: evaluate_spec(spec_path, events, stop))


def evaluation_section(spec_path):
    """The spec's `evaluation` object, checked: {id, checkpoint, split}."""
    import json
    with open(spec_path) as f:
        raw = json.load(f)
    ev = raw.get("evaluation")
    if not isinstance(ev, dict) or not ev.get("checkpoint"):
        raise SpecError(f"{spec_path}: missing field evaluation.checkpoint (an evaluation spec names the checkpoint "
                        f"file to score)")
    if ev.get("split") not in SPLITS:
        raise SpecError(f"{spec_path}: evaluation.split is {ev.get('split')!r}; expected one of {', '.join(SPLITS)}")
    return ev


def load_checkpoint(path, spec, data):
    try:
        state = checkpoints.load(path)
    except Exception as e:  # noqa: BLE001
        raise SpecError(f"evaluation.checkpoint {path} cannot be loaded ({type(e).__name__}: {e}); pick another "
                        f"checkpoint of the run")
    mismatch = checkpoints.data_mismatches(state, spec.classes, data.metadata_dim)
    if state["task"] != spec.config["training"]["task"]:
        mismatch.append(f"task {state['task']} vs {spec.config['training']['task']}")
    if mismatch:
        raise SpecError(f"evaluation.checkpoint {path} does not fit the evaluation's data: {'; '.join(mismatch)}")
    return state


def evaluate_spec(spec_path, events, stop):
    ev = evaluation_section(spec_path)
    spec = load_spec(spec_path)
    config = spec.config
    t = config["training"]
    dist = Distributed()
    r = Run(spec=spec, config=config, events=events, stop=stop, dist=dist)
    r.generator = torch.Generator().manual_seed(int(t["seed"]))
    use_cuda = torch.cuda.is_available() and int(config["resources"]["gpus"] or 0) > 0
    r.device = dist.init(use_cuda)
    if not use_cuda:
        torch.set_num_threads(cpu_threads())
    r.precision = Precision(t, use_cuda, events.log)
    r.task = task = task_for(config)
    r.data = data = RunData(spec, use_metadata=config["model"]["metadata"]["enabled"], training=False)
    task.load(spec, data)
    r.augment = DeviceAugment(config["augment"], int(config["dataset"]["image_size"]))

    split = ev["split"]
    indices = {"test": data.test_idx, "val": data.val_idx, "all": np.arange(len(data.rows))}[split]
    if not len(indices):
        raise SpecError(f"the {split} split of dataset {config['dataset']['name']} is empty for this run's classes "
                        f"and split settings: nothing to evaluate; pick another split (--split all) or dataset")

    state = load_checkpoint(ev["checkpoint"], spec, data)
    model = task.build_model(config, spec.classes, data.metadata_dim, log=events.log, load_weights=False)
    model.load_state_dict(state["model"])
    model.to(r.device)
    if r.precision.channels_last:
        model.to(memory_format=torch.channels_last)
    task.prepare(r)
    r.progress = {"step": int(state.get("step") or 0)}
    events.log(f"evaluating checkpoint {ev['checkpoint']} (epoch {state['epoch']}) on the {split} split of "
               f"{config['dataset']['name']}: {len(indices)} samples, device {r.device}, {r.precision.name}")

    if split != "val" and getattr(task, "thresholds_from_val", lambda c: False)(config) and len(data.val_idx):
        # decision thresholds tuned on validation, as the run's own test chose them on the weights it tested
        apply_val_limit(r)
        if evaluate(r, model, data.val_idx, "val") is None:
            events.done("interrupted")
            return 0
    result = evaluate(r, model, indices, split)
    if result is None:
        events.done("interrupted")
        return 0
    values, curves, _extra = result  # the task's own events (detection's gallery) belong to the run's page
    events.metrics(r.progress["step"], int(state["epoch"]), state.get("phase"), values)
    for kind, name, points in curves:
        events.emit("curve", split=split, epoch=int(state["epoch"]), step=r.progress["step"], kind=kind,
                    **{"class": name}, points=points)
    events.done("completed", samples=int(len(indices)))
    return 0
