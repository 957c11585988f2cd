"""Which checkpoints a run writes and when (best / top-k by the monitor, every N epochs, last, the interruption
point), what goes into them, and restoring a run from one. File handling itself is in checkpoints.py.
"""
import copy

import torch

from . import __version__, checkpoints
from .augment import IMAGENET_MEAN, IMAGENET_STD
from .metrics import is_improvement
from .spec import SpecError


def save_epoch_checkpoints(r, model, optimizer, schedule, phase, epoch, values):
    ck = r.config["training"]["checkpoint"]
    monitor, k = ck["monitor"], int(ck["top_k"] or 0)
    value = values.get(monitor)
    if value is None:
        r.warn_once("ck-monitor", f"checkpoint.monitor {monitor} is not among the validation metrics; "
                                  f"no best checkpoint this epoch", level="warning")
    ranking = r.tracking["ranking"]
    rank = None
    if value is not None and k > 0:
        rank = next((i for i, e in enumerate(ranking) if is_improvement(value, e["value"], ck["mode"])), len(ranking))
        if rank >= k:
            rank = None
    moves = []
    if rank is not None:
        ranking.insert(rank, {"epoch": epoch, "step": r.progress["step"], "value": value})
        if len(ranking) > k:
            ranking.pop()  # its directory is replaced below, by a move or by the new checkpoint
        moves = [(checkpoints.rank_name(i - 1), checkpoints.rank_name(i)) for i in range(len(ranking) - 1, rank, -1)]
    state = checkpoint_state(r, model, optimizer, schedule, phase, epoch, values)
    meta = {"epoch": epoch, "step": r.progress["step"], "phase": phase.name, "metrics": values,
            "monitor": {"name": monitor, "value": value}, "interrupted": False}
    if rank is not None:
        for i, (src, dst) in enumerate(moves):
            entry = ranking[len(ranking) - 1 - i]
            directory = checkpoints.move(r.spec.run_dir, src, dst) if r.dist.is_main else None
            emit_checkpoint(r, dst, entry["epoch"], entry["step"], directory, monitor, entry["value"])
        write_checkpoint(r, checkpoints.rank_name(rank), state, meta)
    every = int(ck["every_n_epochs"] or 0)
    if every > 0 and epoch % every == 0:
        write_checkpoint(r, f"epoch-{epoch}", state, meta)
    if ck["last"]:
        write_checkpoint(r, "last", state, meta)


def save_interrupted(r, model, optimizer, schedule, phase, epoch):
    """Writes a resumable "last" checkpoint at the current position (unless one was just written there)."""
    p = r.progress
    if r.last_saved_at != (p["epoch"], p["epoch_step"], p["step"]) and optimizer is not None:
        state = checkpoint_state(r, model, optimizer, schedule, phase, epoch, {})
        meta = {"epoch": epoch, "step": p["step"], "phase": phase.name, "metrics": {},
                "monitor": {"name": r.config["training"]["checkpoint"]["monitor"], "value": None}, "interrupted": True}
        write_checkpoint(r, "last", state, meta)


def write_checkpoint(r, name, state, meta):
    if not r.dist.is_main:  # under DDP, rank 0 writes; the others only track the position
        if name == "last":
            r.last_saved_at = (r.progress["epoch"], r.progress["epoch_step"], r.progress["step"])
        return
    directory = checkpoints.save(r.spec.run_dir, name, state, meta, r.spec.min_free_bytes)
    if name == "last":
        p = r.progress
        r.last_saved_at = (p["epoch"], p["epoch_step"], p["step"])
    emit_checkpoint(r, name, meta["epoch"], meta["step"], directory, meta["monitor"]["name"], meta["monitor"]["value"])


def emit_checkpoint(r, name, epoch, step, directory, monitor, value):
    r.events.emit("checkpoint", name=name, epoch=epoch, step=step, dir=directory,
                  monitor={"name": monitor, "value": value})


def checkpoint_state(r, model, optimizer, schedule, phase, epoch, metrics):
    if not r.dist.is_main:
        return None
    return {
        "format": checkpoints.FORMAT, "version": 1, "trainer_version": __version__, "torch": str(torch.__version__),
        "run_id": r.spec.run_id,
        # to use it
        "model": model.state_dict(),
        "config": r.config, "classes": list(r.spec.classes), "metadata_encoder": r.spec.metadata_encoder,
        "metadata_dim": r.data.metadata_dim, "image_size": int(r.config["dataset"]["image_size"]),
        "normalization": {"mean": list(IMAGENET_MEAN), "std": list(IMAGENET_STD)},
        "task": r.config["training"]["task"], "arch": r.config["model"]["arch"],
        "backbone": r.config["model"]["backbone"],
        # multi-view tasks (risk): the view slots, in the order the model takes them
        "views": list(r.spec.view_names) if r.spec.view_names else None,
        "epoch": epoch, "step": r.progress["step"], "phase": phase.name, "metrics": metrics,
        # to resume it
        "optimizer": optimizer.state_dict(), "optimizer_phase": phase.index, "schedule": schedule.state_dict(),
        "scaler": r.precision.scaler.state_dict(), "progress": dict(r.progress), "tracking": copy.deepcopy(r.tracking),
        "steps_per_epoch": r.steps_per_epoch, "rng": checkpoints.rng_state(r.generator),
    }


def restore(r, model, path):
    try:
        state = checkpoints.load(path)
    except Exception as e:  # noqa: BLE001
        raise SpecError(f"resume.checkpoint {path} cannot be loaded ({e}); resume from another checkpoint")
    mismatch = checkpoints.data_mismatches(state, r.spec.classes, r.data.metadata_dim)
    if state["backbone"] != r.config["model"]["backbone"]:
        mismatch.append(f"backbone {state['backbone']} vs {r.config['model']['backbone']}")
    if state["steps_per_epoch"] != r.steps_per_epoch:
        mismatch.append(f"{state['steps_per_epoch']} vs {r.steps_per_epoch} steps per epoch (different training set)")
    if mismatch:
        raise SpecError(f"resume.checkpoint {path} does not match this run: {'; '.join(mismatch)}")
    model.load_state_dict(state["model"])
    r.progress = dict(state["progress"])
    r.tracking = copy.deepcopy(state["tracking"])
    r.precision.scaler.load_state_dict(state["scaler"])
    checkpoints.set_rng_state(state["rng"], r.generator)
    p = r.progress
    r.last_saved_at = (p["epoch"], p["epoch_step"], p["step"])
    r.events.log(f"resumed from {path}: epoch {p['epoch']}, {p['epoch_step']} steps into it, global step {p['step']}")
    return state
