"""The training loop. Reads top to bottom: spec -> data -> model -> for phase: optimizer + schedule ->
for epoch: train_one_epoch(); evaluate(); save() -> test the best checkpoint -> done.

Resume is the same loop: a checkpoint restores the model, the position (phase, epoch, optimizer steps done in
that epoch, global step), the optimizer/schedule/scaler state of the phase it was written in, the best and
early-stopping state and every RNG; the loop then continues from that position. Epoch orders are a pure
function of (seed, epoch), so a run interrupted mid-epoch replays the rest of that epoch exactly.

Early stopping only counts in the last phase (its counter starts fresh there): earlier phases, such as a
heads-only warm-up, always run in full because their plateau says nothing about the fine-tuning to come.
The plateau schedule watches the early-stopping monitor.
"""
import copy
import os
import random
import signal
import sys
import time
import traceback
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from . import __version__, checkpoints
from .augment import IMAGENET_MEAN, IMAGENET_STD, DeviceAugment
from .data import RunData, epoch_order, eval_batches, load_batch, steps_per_epoch, train_batches
from .metrics import evaluate_predictions, is_improvement, undefined_classes
from .models import build_model
from .phase_schedule import (PhaseSchedule, apply_phase, build_optimizer, check_phase_targets, plan_phases,
                             set_train_mode)
from .spec import SpecError, load_spec


class StopFlag:
    """Set by SIGTERM/SIGINT; the loop checks it after every optimizer step and evaluation batch."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        self.requested = True
        sys.stderr.write(f"signal {signum} received: stopping after the current step\n")
        sys.stderr.flush()


@dataclass
class Run:
    """What the loop functions share: decided once, used everywhere."""
    spec: object
    config: dict
    events: object
    stop: StopFlag
    data: object = None
    device: object = None
    autocast: object = None
    scaler: object = None
    augment: object = None
    generator: object = None
    loss_fn: object = None
    channels_last: bool = False
    steps_per_epoch: int = 0
    total_steps: int = 0
    total_epochs: int = 0
    progress: dict = field(default_factory=dict)
    tracking: dict = field(default_factory=dict)
    warned: set = field(default_factory=set)
    last_saved_at: tuple = None

    def warn_once(self, key, message, level="warning"):
        if key not in self.warned:
            self.warned.add(key)
            self.events.log(message, level=level)


def run(spec_path, events):
    """Runs one training job; returns the exit code (0 completed/interrupted, 1 crashed, 2 bad spec)."""
    stop = StopFlag()
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return train(spec_path, events, stop)
    except SpecError as e:
        events.log(str(e), level="error")
        events.done("failed", error=str(e))
        return 2
    except Exception as e:  # noqa: BLE001 - report any crash through the protocol before exiting
        traceback.print_exc(file=sys.stderr)
        events.done("failed", error=f"{type(e).__name__}: {e}")
        return 1
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def train(spec_path, events, stop):
    spec = load_spec(spec_path)
    config = spec.config
    t = config["training"]
    r = Run(spec=spec, config=config, events=events, stop=stop)
    seed = int(t["seed"])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    r.generator = torch.Generator().manual_seed(seed)  # augmentation parameters

    # device and precision, decided once
    use_cuda = torch.cuda.is_available() and int(config["resources"]["gpus"] or 0) > 0
    r.device = torch.device("cuda" if use_cuda else "cpu")
    if t["deterministic"]:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = use_cuda and not t["deterministic"]
    if use_cuda and int(config["resources"]["gpus"]) > 1:
        events.log(f"resources.gpus is {config['resources']['gpus']}; this trainer uses one GPU per run")
    precision = t["precision"]
    if precision != "fp32" and not use_cuda:
        events.log(f"precision {precision} needs a GPU; training in fp32 on the CPU")
        precision = "fp32"
    if precision == "bf16" and not torch.cuda.is_bf16_supported():
        events.log("this GPU has no bf16 support; using fp16 with loss scaling")
        precision = "fp16"
    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    r.autocast = (lambda: torch.autocast(device_type="cuda", dtype=amp_dtype)) if amp_dtype else nullcontext
    r.scaler = make_grad_scaler(enabled=precision == "fp16")
    r.channels_last = bool(t["channels_last"]) and use_cuda

    # data
    r.data = data = RunData(spec, use_metadata=config["model"]["metadata"]["enabled"])
    if config["model"]["metadata"]["enabled"] and data.metadata is None:
        events.log("the run has no metadata: training the image-only model")
    classes = spec.classes
    image_size = int(config["dataset"]["image_size"])
    r.augment = DeviceAugment(config["augment"], image_size)
    r.steps_per_epoch = steps_per_epoch(len(data.train_idx), t["batch_size"], t["grad_accum_steps"])

    # model
    model = build_model(config, len(classes), data.metadata_dim, log=events.log, load_weights=spec.resume is None)
    phases = plan_phases(config)
    check_phase_targets(config, model, phases)
    r.total_epochs = sum(p.epochs for p in phases)
    r.total_steps = r.total_epochs * r.steps_per_epoch
    r.loss_fn = make_loss(t, data, r.device)
    events.log(f"{len(data.train_idx)} train / {len(data.val_idx)} val / {len(data.test_idx)} test samples, "
               f"{len(classes)} classes, {r.steps_per_epoch} steps per epoch, device {r.device}, {precision}")

    # position: the next epoch to run and how many of its optimizer steps are done
    r.progress = {"phase": 0, "epoch": 1, "epoch_step": 0, "step": 0, "loss_sum": 0.0, "loss_count": 0}
    r.tracking = {"ranking": [], "early_stopping": {"best": None, "bad_epochs": 0}, "stopped_early": False}
    resumed = None
    if spec.resume:
        resumed = restore(r, model, spec.resume)
    model.to(r.device)
    if r.channels_last:
        model.to(memory_format=torch.channels_last)
    net = model
    if t["compile"]:
        if hasattr(torch, "compile"):
            net = torch.compile(model)
        else:
            events.log(f"training.compile needs torch >= 2.0 (this is {torch.__version__}); running eagerly")

    for phase in phases:
        if phase.index < r.progress["phase"] or phase.epochs == 0 or r.tracking["stopped_early"]:
            continue
        groups = apply_phase(config, model, phase)
        optimizer = build_optimizer(config, groups, phase)
        schedule = PhaseSchedule(phase, r.steps_per_epoch, mode=t["early_stopping"]["mode"])
        if resumed is not None and resumed["optimizer_phase"] == phase.index:
            optimizer.load_state_dict(resumed["optimizer"])
            schedule.load_state_dict(resumed["schedule"])
        elif phase.index == phases[-1].index:
            r.tracking["early_stopping"] = {"best": None, "bad_epochs": 0}
        resumed = None
        events.log(f"phase {phase.name}: epochs {phase.first_epoch}-{phase.last_epoch}, training "
                   f"{', '.join(phase.train)} ({sum(p.numel() for g in groups.values() for p in g):,} parameters), "
                   f"lr {phase.lr:g}, schedule {phase.schedule}")

        for epoch in range(max(phase.first_epoch, r.progress["epoch"]), phase.last_epoch + 1):
            r.progress.update(phase=phase.index, epoch=epoch)
            events.status(phase=phase.name, epoch=epoch, epochs=r.total_epochs, step=r.progress["step"],
                          steps=r.total_steps)
            start = time.time()
            if not train_one_epoch(r, model, net, optimizer, schedule, phase, epoch):
                return interrupt(r, model, optimizer, schedule, phase, epoch)
            result = evaluate(r, net, data.val_idx, "val")
            if result is None:
                return interrupt(r, model, optimizer, schedule, phase, epoch)
            values, curves = result
            values["time/epoch_s"] = round(time.time() - start, 3)
            events.metrics(r.progress["step"], epoch, phase.name, values)
            for kind, name, points in curves:
                events.emit("curve", split="val", epoch=epoch, step=r.progress["step"], kind=kind,
                            **{"class": name}, points=points)
            schedule.epoch_end(values.get(t["early_stopping"]["monitor"]))
            last_epoch = epoch == phase.last_epoch
            r.progress.update(phase=phase.index + 1 if last_epoch else phase.index, epoch=epoch + 1, epoch_step=0,
                              loss_sum=0.0, loss_count=0)
            if phase.index == phases[-1].index:
                update_early_stopping(r, values)
            save_epoch_checkpoints(r, model, optimizer, schedule, phase, epoch, values)
            if r.tracking["stopped_early"]:
                es = t["early_stopping"]
                events.log(f"early stopping at epoch {epoch}: {es['monitor']} has not improved by more than "
                           f"{es['min_delta']} for {es['patience']} epochs")
                break
            if stop.requested:
                return interrupt(r, model, optimizer, schedule, phase, epoch)

    # test the best checkpoint
    ranking = r.tracking["ranking"]
    last_phase = phases[-1]
    if ranking:
        best = checkpoints.load(os.path.join(spec.run_dir, "checkpoints", "best", "checkpoint.pt"))
        model.load_state_dict(best["model"])
        events.log(f"testing the best checkpoint (epoch {ranking[0]['epoch']})")
    else:
        events.log("no best checkpoint (top_k 0 or no monitor value): testing the final weights", level="warning")
    if len(data.test_idx):
        result = evaluate(r, net, data.test_idx, "test")
        if result is None:
            return interrupt(r, model, None, None, last_phase, r.progress["epoch"] - 1)
        values, curves = result
        epoch = ranking[0]["epoch"] if ranking else r.progress["epoch"] - 1
        events.metrics(r.progress["step"], epoch, last_phase.name, values)
        for kind, name, points in curves:
            events.emit("curve", split="test", epoch=epoch, step=r.progress["step"], kind=kind,
                        **{"class": name}, points=points)
    else:
        events.log("the test split is empty: no test metrics", level="warning")
    best = {"name": t["checkpoint"]["monitor"], "value": ranking[0]["value"], "epoch": ranking[0]["epoch"]} if ranking else None
    events.done("completed", best=best)
    return 0


def train_one_epoch(r, model, net, optimizer, schedule, phase, epoch):
    """Trains the rest of one epoch; returns False when a stop was requested (after a complete step)."""
    t = r.config["training"]
    p = r.progress
    set_train_mode(r.config, model, phase)
    batches = train_batches(epoch_order(r.data.train_idx, int(t["seed"]), epoch), t["batch_size"])
    accum = t["grad_accum_steps"]
    groups = [batches[i:i + accum] for i in range(0, len(batches), accum)]
    trainable = [q for g in optimizer.param_groups for q in g["params"]]
    log_every = max(1, int(t["log_every_n_steps"]))
    window_loss, window_images, window_start = 0.0, 0, time.time()
    epoch_images, epoch_start = 0, time.time()
    for i in range(p["epoch_step"], len(groups)):
        group = groups[i]
        n_group = sum(len(b) for b in group)
        lr = schedule.apply(optimizer, (epoch - phase.first_epoch) * r.steps_per_epoch + i)
        step_loss = 0.0
        for idx in group:
            images, targets, metadata = load_batch(r.data, idx, r.device)
            with torch.no_grad():
                x = r.augment.train(images, r.generator)
            if r.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            with r.autocast():
                logits = net(x, metadata)
            loss = r.loss_fn(logits.float(), targets)
            r.scaler.scale(loss * (len(idx) / n_group)).backward()
            step_loss += float(loss.detach()) * len(idx)
        if t["grad_clip"]:
            r.scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(trainable, float(t["grad_clip"]))
        r.scaler.step(optimizer)
        r.scaler.update()
        optimizer.zero_grad(set_to_none=True)
        p["step"] += 1
        p["epoch_step"] = i + 1
        p["loss_sum"] += step_loss
        p["loss_count"] += n_group
        window_loss += step_loss
        window_images += n_group
        epoch_images += n_group
        if not np.isfinite(step_loss):
            raise FloatingPointError(f"the training loss became {step_loss / n_group} at step {p['step']} "
                                     f"(phase {phase.name}, epoch {epoch}); lower the learning rate, set "
                                     f"training.grad_clip, or use fp32/bf16")
        end_of_epoch = i == len(groups) - 1
        if p["step"] % log_every == 0 and not end_of_epoch:
            elapsed = max(time.time() - window_start, 1e-9)
            r.events.metrics(p["step"], epoch, phase.name,
                             lr_values(optimizer, lr, window_loss / window_images, window_images / elapsed))
            r.events.status(phase=phase.name, epoch=epoch, epochs=r.total_epochs, step=p["step"], steps=r.total_steps)
            window_loss, window_images, window_start = 0.0, 0, time.time()
        if end_of_epoch:
            elapsed = max(time.time() - epoch_start, 1e-9)
            r.events.metrics(p["step"], epoch, phase.name,
                             lr_values(optimizer, lr, p["loss_sum"] / max(1, p["loss_count"]), epoch_images / elapsed))
        if r.stop.requested and not end_of_epoch:
            return False
    return True


def lr_values(optimizer, lr, loss, images_per_s):
    values = {"train/loss": loss, "train/lr": lr, "train/img_per_s": round(images_per_s, 2)}
    for g in optimizer.param_groups:
        values[f"train/lr/{g['name']}"] = g["lr"]
    return values


@torch.no_grad()
def evaluate(r, net, indices, prefix):
    """Loss and metrics on one split; returns (values, curves), or None when a stop was requested."""
    t = r.config["training"]
    net.eval()
    loss_sum, probs, targets = 0.0, [], []
    for idx in eval_batches(indices, t["batch_size"]):
        if r.stop.requested:
            return None
        images, y, metadata = load_batch(r.data, idx, r.device)
        x = r.augment.eval(images)
        if r.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with r.autocast():
            logits = net(x, metadata).float()
        loss_sum += float(r.loss_fn(logits, y)) * len(idx)
        p = torch.softmax(logits, dim=1) if t["task"] == "multiclass" else torch.sigmoid(logits)
        probs.append(p.cpu().numpy())
        targets.append(y.cpu().numpy())
    probs, targets = np.concatenate(probs), np.concatenate(targets)
    for name in undefined_classes((targets >= 0.5), r.spec.classes):
        r.warn_once(f"undefined:{prefix}:{name}",
                    f"class {name} has a single label value in the {prefix} split: its AUC/AP are undefined "
                    f"and it is left out of the macro means")
    values, curves = evaluate_predictions(targets, probs, r.spec.classes, t["task"], prefix=prefix)
    values = {f"{prefix}/loss": loss_sum / len(indices), **values}
    return values, curves


def update_early_stopping(r, values):
    es = r.config["training"]["early_stopping"]
    state = r.tracking["early_stopping"]
    if not es["enabled"]:
        return
    value = values.get(es["monitor"])
    if value is None:
        r.warn_once("es-monitor", f"early_stopping.monitor {es['monitor']} is not among the validation metrics; "
                                  f"early stopping is inactive", level="warning")
        return
    if is_improvement(value, state["best"], es["mode"], float(es["min_delta"] or 0.0)):
        state["best"], state["bad_epochs"] = value, 0
    else:
        state["bad_epochs"] += 1
        r.tracking["stopped_early"] = state["bad_epochs"] >= int(es["patience"])


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
            directory = checkpoints.move(r.spec.run_dir, src, dst)
            emit_checkpoint(r, dst, entry["epoch"], entry["step"], directory, monitor, entry["value"])
        write_checkpoint(r, checkpoints.rank_name(rank), state, meta)
    every = int(ck["every_n_epochs"] or 0)
    if every > 0 and epoch % every == 0:
        write_checkpoint(r, f"epoch-{epoch}", state, meta)
    if ck["last"]:
        write_checkpoint(r, "last", state, meta)


def interrupt(r, model, optimizer, schedule, phase, epoch):
    """Writes a resumable "last" checkpoint at the current position and reports the run as interrupted."""
    p = r.progress
    if r.last_saved_at != (p["epoch"], p["epoch_step"], p["step"]) and optimizer is not None:
        state = checkpoint_state(r, model, optimizer, schedule, phase, epoch, {})
        meta = {"epoch": epoch, "step": p["step"], "phase": phase.name, "metrics": {},
                "monitor": {"name": r.config["training"]["checkpoint"]["monitor"], "value": None}, "interrupted": True}
        write_checkpoint(r, "last", state, meta)
    r.events.done("interrupted")
    return 0


def write_checkpoint(r, name, state, meta):
    directory = checkpoints.save(r.spec.run_dir, name, state, meta)
    if name == "last":
        p = r.progress
        r.last_saved_at = (p["epoch"], p["epoch_step"], p["step"])
    emit_checkpoint(r, name, meta["epoch"], meta["step"], directory, meta["monitor"]["name"], meta["monitor"]["value"])


def emit_checkpoint(r, name, epoch, step, directory, monitor, value):
    r.events.emit("checkpoint", name=name, epoch=epoch, step=step, dir=directory,
                  monitor={"name": monitor, "value": value})


def checkpoint_state(r, model, optimizer, schedule, phase, epoch, metrics):
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
        "epoch": epoch, "step": r.progress["step"], "phase": phase.name, "metrics": metrics,
        # to resume it
        "optimizer": optimizer.state_dict(), "optimizer_phase": phase.index, "schedule": schedule.state_dict(),
        "scaler": r.scaler.state_dict(), "progress": dict(r.progress), "tracking": copy.deepcopy(r.tracking),
        "steps_per_epoch": r.steps_per_epoch, "rng": checkpoints.rng_state(r.generator),
    }


def restore(r, model, path):
    try:
        state = checkpoints.load(path)
    except Exception as e:  # noqa: BLE001
        raise SpecError(f"resume.checkpoint {path} cannot be loaded ({e}); resume from another checkpoint")
    mismatch = []
    if state["classes"] != list(r.spec.classes):
        mismatch.append(f"classes {state['classes']} vs {r.spec.classes}")
    if state["metadata_dim"] != r.data.metadata_dim:
        mismatch.append(f"metadata dim {state['metadata_dim']} vs {r.data.metadata_dim}")
    if state["backbone"] != r.config["model"]["backbone"]:
        mismatch.append(f"backbone {state['backbone']} vs {r.config['model']['backbone']}")
    if state["steps_per_epoch"] != r.steps_per_epoch:
        mismatch.append(f"{state['steps_per_epoch']} vs {r.steps_per_epoch} steps per epoch (different training set)")
    if mismatch:
        raise SpecError(f"resume.checkpoint {path} does not match this run: {'; '.join(mismatch)}")
    model.load_state_dict(state["model"])
    r.progress = dict(state["progress"])
    r.tracking = copy.deepcopy(state["tracking"])
    r.scaler.load_state_dict(state["scaler"])
    checkpoints.set_rng_state(state["rng"], r.generator)
    p = r.progress
    r.last_saved_at = (p["epoch"], p["epoch_step"], p["step"])
    r.events.log(f"resumed from {path}: epoch {p['epoch']}, {p['epoch_step']} steps into it, global step {p['step']}")
    return state


def make_loss(t, data, device):
    targets = data.targets[data.train_idx]
    if t["task"] == "multiclass":
        weight = None
        if t["class_weights"] == "balanced":
            counts = np.bincount(targets.argmax(axis=1), minlength=targets.shape[1]).astype(np.float32)
            weight = torch.tensor(len(targets) / (targets.shape[1] * np.maximum(counts, 1)), device=device)
        return lambda logits, y: F.cross_entropy(logits, y.argmax(dim=1), weight=weight)
    pos_weight = None
    if t["class_weights"] == "balanced":
        pos = targets.sum(axis=0)
        pos_weight = torch.tensor((len(targets) - pos) / np.maximum(pos, 1), dtype=torch.float32, device=device)
    return lambda logits, y: F.binary_cross_entropy_with_logits(logits, y, pos_weight=pos_weight)


def make_grad_scaler(enabled):
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):  # torch >= 2.3
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)
