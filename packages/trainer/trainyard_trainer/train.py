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
import os
import random
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from . import checkpoints
from .augment import DeviceAugment
from .data import Prefetcher, RunData, epoch_order, eval_batches, train_batches
from .distributed import Distributed, requested_gpus
from .cpu_threads import cpu_threads
from .metrics import is_improvement
from .phase_schedule import (PhaseSchedule, apply_phase, build_optimizer, check_phase_targets, plan_phases,
                             set_train_mode)
from .precision import Precision
from .protocol_job import StopFlag, run_job
from .run_checkpoints import restore, save_epoch_checkpoints, save_interrupted
from .run_exports import export_best
from .spec import SpecError, load_spec
from .step_profiler import StepProfiler
from .tasks import task_for
from .warm_start import warm_start


class NonFiniteLoss(Exception):
    """The training loss became NaN or infinite (training.stop_on_nonfinite): the run fails with the step."""


@dataclass
class Run:
    """What the loop functions share: decided once, used everywhere."""
    spec: object
    config: dict
    events: object
    stop: StopFlag
    dist: object = None
    data: object = None
    device: object = None
    precision: object = None
    augment: object = None
    generator: object = None
    task: object = None
    loss_fn: object = None
    steps_per_epoch: int = 0
    total_steps: int = 0
    total_epochs: int = 0
    progress: dict = field(default_factory=dict)
    tracking: dict = field(default_factory=dict)
    warned: set = field(default_factory=set)
    last_saved_at: tuple = None
    profiler: object = None

    def warn_once(self, key, message, level="warning"):
        if key not in self.warned:
            self.warned.add(key)
            self.events.log(message, level=level)

    def stop_agreed(self):
        """The stop request, agreed on by every DDP rank (a local check in one process)."""
        return self.dist.any(self.stop.requested)


def run(spec_path, events, dist=None):
    """Runs one training job; returns the exit code (0 completed/interrupted, 1 crashed, 2 bad spec)."""
    dist = dist or Distributed()
    return run_job(events, lambda stop: train(spec_path, events, stop, dist), reported=(NonFiniteLoss,), cleanup=dist.close)


def train(spec_path, events, stop, dist):
    spec = load_spec(spec_path)
    config = spec.config
    t = config["training"]
    r = Run(spec=spec, config=config, events=events, stop=stop, dist=dist)
    seed = int(t["seed"])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    r.generator = torch.Generator().manual_seed(seed)  # augmentation parameters

    # device and precision, decided once
    gpus = requested_gpus(config["resources"])
    use_cuda = torch.cuda.is_available() and gpus > 0
    r.device = dist.init(use_cuda)
    if not use_cuda:
        torch.set_num_threads(cpu_threads())
    r.precision = Precision(t, use_cuda, events.log)
    if dist.enabled:
        nodes = f" on {dist.nodes} nodes" if dist.nodes > 1 else ""
        events.log(f"DDP: {dist.world} processes ({'nccl' if use_cuda else 'gloo'}){nodes}, global batch {t['batch_size']}")
    elif use_cuda and gpus > 1 and torch.cuda.device_count() > 1:
        events.log(f"resources.gpus is {gpus} but the trainer was not started under torchrun: using one GPU")

    # data: the common arrays, then what the task needs besides (detection: boxes and their geometry)
    r.task = task = task_for(config)
    r.data = data = RunData(spec, use_metadata=config["model"]["metadata"]["enabled"])
    task.load(spec, data)
    if config["model"]["metadata"]["enabled"] and data.metadata is None:
        events.log("the run has no metadata: training the image-only model")
    classes = spec.classes
    image_size = int(config["dataset"]["image_size"])
    r.augment = DeviceAugment(config["augment"], image_size)
    apply_val_limit(r)
    r.steps_per_epoch = -(-train_batches_per_epoch(r) // t["grad_accum_steps"])
    if t["batch_size"] < dist.world:
        raise SpecError(f"training.batch_size {t['batch_size']} is smaller than the {dist.world} DDP processes; "
                        f"raise it to at least {dist.world}")

    # model
    model = task.build_model(config, classes, data.metadata_dim, log=events.log, load_weights=spec.resume is None)
    if spec.init_from and spec.resume is None:
        warm_start(model, spec.init_from, spec.init_from_ref, log=events.log)
    phases = plan_phases(config)
    check_phase_targets(config, model, phases)
    r.total_epochs = sum(p.epochs for p in phases)
    r.total_steps = r.total_epochs * r.steps_per_epoch
    task.prepare(r)
    events.log(f"{len(data.train_idx)} train / {len(data.val_idx)} val / {len(data.test_idx)} test samples, "
               f"{len(classes)} classes, {r.steps_per_epoch} steps per epoch, device {r.device}"
               f"{'' if use_cuda else f' ({torch.get_num_threads()} threads)'}, {r.precision.name}")

    # position: the next epoch to run and how many of its optimizer steps are done
    r.progress = {"phase": 0, "epoch": 1, "epoch_step": 0, "step": 0, "loss_sum": 0.0, "loss_count": 0}
    r.tracking = {"ranking": [], "early_stopping": {"best": None, "bad_epochs": 0}, "stopped_early": False}
    resumed = None
    if spec.resume:
        resumed = restore(r, model, spec.resume)
    model.to(r.device)
    if r.precision.channels_last:
        model.to(memory_format=torch.channels_last)
    eval_net = compiled(r, model)
    r.profiler = StepProfiler(config, spec.run_dir, r.device, dist.is_main, events)
    try:
        return train_phases(r, model, eval_net, phases, resumed)
    finally:
        r.profiler.close()


def batch_limit(n_batches, limit):
    """training.limit_*_batches as Lightning reads it: None = all, a whole number = that many, a share in (0, 1)."""
    if limit is None:
        return n_batches
    if limit < 1:
        return max(1, int(n_batches * limit))
    return min(n_batches, int(limit))


def train_batches_per_epoch(r):
    t = r.config["training"]
    n = len(train_batches(np.arange(len(r.data.train_idx)), t["batch_size"], r.dist.min_batch()))
    return batch_limit(n, t["limit_train_batches"])


def apply_val_limit(r):
    """training.limit_val_batches: every validation evaluates the split's first batches only."""
    t, data = r.config["training"], r.data
    limit = t["limit_val_batches"]
    if limit is None or not len(data.val_idx):
        return
    n = batch_limit(len(eval_batches(data.val_idx, t["batch_size"])), limit)
    kept = data.val_idx[:n * t["batch_size"]]
    r.events.log(f"training.limit_val_batches {limit}: validating on {len(kept)} of {len(data.val_idx)} samples "
                 f"({n} batches)", level="warning")
    data.val_idx = kept


def train_phases(r, model, eval_net, phases, resumed):
    spec, config, t, events, dist, data = r.spec, r.config, r.config["training"], r.events, r.dist, r.data
    task = r.task
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
        train_net = compiled(r, dist.wrap(model, r.device)) if dist.enabled else eval_net
        events.log(f"phase {phase.name}: epochs {phase.first_epoch}-{phase.last_epoch}, training "
                   f"{', '.join(phase.train)} ({sum(p.numel() for g in groups.values() for p in g):,} parameters), "
                   f"lr {phase.lr:g}, schedule {phase.schedule}")

        for epoch in range(max(phase.first_epoch, r.progress["epoch"]), phase.last_epoch + 1):
            r.progress.update(phase=phase.index, epoch=epoch)
            events.status(phase=phase.name, epoch=epoch, epochs=r.total_epochs, step=r.progress["step"],
                          steps=r.total_steps)
            start = time.time()
            if not train_one_epoch(r, model, train_net, optimizer, schedule, phase, epoch):
                return interrupt(r, model, optimizer, schedule, phase, epoch)
            result = evaluate(r, eval_net, data.val_idx, "val")
            if result is None:
                return interrupt(r, model, optimizer, schedule, phase, epoch)
            values, curves, extra = result
            values["time/epoch_s"] = round(time.time() - start, 3)
            if r.device.type == "cuda":
                values["system/gpu_mem_gb"] = round(torch.cuda.max_memory_allocated(r.device) / 2 ** 30, 3)
                torch.cuda.reset_peak_memory_stats(r.device)
            events.metrics(r.progress["step"], epoch, phase.name, values)
            emit_evaluation(r, "val", epoch, curves, extra)
            schedule.epoch_end(values.get(t["early_stopping"]["monitor"]))
            last_epoch = epoch == phase.last_epoch
            r.progress.update(phase=phase.index + 1 if last_epoch else phase.index, epoch=epoch + 1, epoch_step=0,
                              loss_sum=0.0, loss_count=0, loss_parts={})
            if phase.index == phases[-1].index:
                update_early_stopping(r, values)
            save_epoch_checkpoints(r, model, optimizer, schedule, phase, epoch, values)
            if r.tracking["stopped_early"]:
                es = t["early_stopping"]
                events.log(f"early stopping at epoch {epoch}: {es['monitor']} has not improved by more than "
                           f"{es['min_delta']} for {es['patience']} epochs")
                break
            if r.stop_agreed():
                return interrupt(r, model, optimizer, schedule, phase, epoch)

    # the last status carries the final step; an early-stopped run is complete at fewer steps than planned
    last_phase = phases[-1]
    final_steps = r.progress["step"] if r.tracking["stopped_early"] else r.total_steps
    events.status(phase=last_phase.name, epoch=r.progress["epoch"] - 1, epochs=r.total_epochs,
                  step=r.progress["step"], steps=final_steps)

    # test the best checkpoint
    ranking = r.tracking["ranking"]
    dist.barrier()  # rank 0 has written it
    if ranking:
        best = checkpoints.load(os.path.join(spec.run_dir, "checkpoints", "best", "checkpoint.pt"))
        model.load_state_dict(best["model"])
        events.log(f"testing the best checkpoint (epoch {ranking[0]['epoch']})")
    else:
        events.log("no best checkpoint (top_k 0 or no monitor value): testing the final weights", level="warning")
    if len(data.test_idx):
        if getattr(task, "thresholds_from_val", lambda c: False)(config) and len(data.val_idx):
            # decision thresholds tuned on validation: chosen again on the weights being tested
            if evaluate(r, eval_net, data.val_idx, "val") is None:
                return interrupt(r, model, None, None, last_phase, r.progress["epoch"] - 1)
        result = evaluate(r, eval_net, data.test_idx, "test")
        if result is None:
            return interrupt(r, model, None, None, last_phase, r.progress["epoch"] - 1)
        values, curves, extra = result
        epoch = ranking[0]["epoch"] if ranking else r.progress["epoch"] - 1
        events.metrics(r.progress["step"], epoch, last_phase.name, values)
        emit_evaluation(r, "test", epoch, curves, extra)
    else:
        events.log("the test split is empty: no test metrics", level="warning")
    if ranking and dist.is_main:
        export_best(r)
    best = {"name": t["checkpoint"]["monitor"], "value": ranking[0]["value"], "epoch": ranking[0]["epoch"]} if ranking else None
    events.done("completed", best=best)
    return 0


def emit_evaluation(r, split, epoch, curves, extra):
    """An evaluation's curves and the task's own events (detection: the gallery's samples)."""
    for kind, name, points in curves:
        r.events.emit("curve", split=split, epoch=epoch, step=r.progress["step"], kind=kind, **{"class": name},
                      points=points)
    for type_, fields in extra:
        r.events.emit(type_, epoch=epoch, step=r.progress["step"], **fields)


def compiled(r, net):
    if not r.config["training"]["compile"]:
        return net
    if not hasattr(torch, "compile"):
        r.warn_once("compile", f"training.compile needs torch >= 2.0 (this is {torch.__version__}); running eagerly",
                    level="info")
        return net
    return torch.compile(net)


def interrupt(r, model, optimizer, schedule, phase, epoch):
    """Writes a resumable "last" checkpoint at the current position and reports the run as interrupted."""
    save_interrupted(r, model, optimizer, schedule, phase, epoch)
    r.events.done("interrupted")
    return 0


class LossMeter:
    """Sums the training loss (and its named components) on the device and reads them back only when they are
    reported, so a step never waits for the GPU (a per-step float() would serialise the host and the device)."""

    def __init__(self, r):
        self.r = r
        self.pending = torch.zeros((), dtype=torch.float64, device=r.device)
        self.parts = {}

    def add(self, loss, n, parts=None):
        self.pending += loss.detach().double() * n
        for name, value in (parts or {}).items():
            if name not in self.parts:
                self.parts[name] = torch.zeros((), dtype=torch.float64, device=self.r.device)
            self.parts[name] += value.detach().double() * n

    def take(self):
        """(loss sum, {component: sum}) since the last take, over every DDP rank."""
        total = float(self.r.dist.sum(self.pending.clone()))
        self.pending.zero_()
        parts = {}
        for name in sorted(self.parts):
            parts[name] = float(self.r.dist.sum(self.parts[name].clone()))
            self.parts[name].zero_()
        return total, parts


def check_finite(r, loss, step, epoch, phase, per_image):
    """A NaN or infinite training loss is reported (stored and charted, not dropped) and, unless
    training.stop_on_nonfinite is off, fails the run with the step it happened at."""
    if np.isfinite(loss):
        return
    name = "NaN" if np.isnan(loss) else ("Infinity" if loss > 0 else "-Infinity")
    r.events.metrics(step, epoch, phase.name, {"train/loss": per_image})
    message = (f"train/loss became {name} at step {step} (phase {phase.name}, epoch {epoch}); lower the learning "
               f"rate, set training.grad_clip, or use fp32/bf16")
    if r.config["training"]["stop_on_nonfinite"]:
        r.events.log(message, level="error")
        raise NonFiniteLoss(message)
    r.warn_once("nonfinite", message + " (training.stop_on_nonfinite is off: training goes on)")


def train_one_epoch(r, model, net, optimizer, schedule, phase, epoch):
    """Trains the rest of one epoch; returns False when a stop was requested (after a complete step)."""
    t = r.config["training"]
    p, dist = r.progress, r.dist
    set_train_mode(r.config, model, phase)
    batches = train_batches(epoch_order(r.data.train_idx, int(t["seed"]), epoch), t["batch_size"], dist.min_batch())
    batches = batches[:batch_limit(len(batches), t["limit_train_batches"])]
    accum = t["grad_accum_steps"]
    groups = [batches[i:i + accum] for i in range(0, len(batches), accum)]
    todo = [(b, dist.positions(len(b))) for g in groups[p["epoch_step"]:] for b in g]
    prefetch = Prefetcher(r.data, [b[take] for b, take in todo], r.device)
    scaler = r.precision.scaler
    trainable = [q for g in optimizer.param_groups for q in g["params"]]
    log_every = max(1, int(t["log_every_n_steps"]))
    meter = LossMeter(r)
    window_loss, window_images, window_start, window_parts = 0.0, 0, time.time(), {}
    epoch_images, epoch_start = 0, time.time()
    try:
        for i in range(p["epoch_step"], len(groups)):
            group = groups[i]
            n_group = sum(len(b) for b in group)
            lr = schedule.apply(optimizer, (epoch - phase.first_epoch) * r.steps_per_epoch + i)
            for j, idx in enumerate(group):
                take = dist.positions(len(idx))
                images, targets, metadata = prefetch.get()
                with dist.no_sync(net, j == len(group) - 1):
                    loss, parts = r.task.train_step(r, net, images, targets, metadata, idx, len(idx),
                                                    take if dist.enabled else None)
                    # DDP averages gradients over ranks: weight by this rank's share of the whole step
                    scaler.scale(loss * (len(take) / n_group * dist.world)).backward()
                meter.add(loss, len(take), parts)
            if t["grad_clip"]:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(trainable, float(t["grad_clip"]))
            scaler.step(optimizer)
            scaler.update()
            optimizer.zero_grad(set_to_none=True)
            r.profiler.step()
            p["step"] += 1
            p["epoch_step"] = i + 1
            p["loss_count"] += n_group
            window_images += n_group
            epoch_images += n_group
            end_of_epoch = i == len(groups) - 1
            stopping = not end_of_epoch and r.stop_agreed()
            if p["step"] % log_every == 0 or end_of_epoch or stopping:
                step_loss, step_parts = meter.take()
                check_finite(r, step_loss, p["step"], epoch, phase, step_loss / max(1, window_images))
                p["loss_sum"] += step_loss
                window_loss += step_loss
                # component sums live in the position, so an epoch's averages survive a resume mid-epoch
                epoch_parts = p.setdefault("loss_parts", {})
                for name, value in step_parts.items():
                    epoch_parts[name] = epoch_parts.get(name, 0.0) + value
                    window_parts[name] = window_parts.get(name, 0.0) + value
            if p["step"] % log_every == 0 and not end_of_epoch:
                elapsed = max(time.time() - window_start, 1e-9)
                r.events.metrics(p["step"], epoch, phase.name,
                                 lr_values(optimizer, lr, window_loss / window_images, window_images / elapsed,
                                           window_parts, window_images))
                window_parts = {}
                r.events.status(phase=phase.name, epoch=epoch, epochs=r.total_epochs, step=p["step"],
                                steps=r.total_steps)
                window_loss, window_images, window_start = 0.0, 0, time.time()
            if end_of_epoch:
                elapsed = max(time.time() - epoch_start, 1e-9)
                r.events.metrics(p["step"], epoch, phase.name,
                                 lr_values(optimizer, lr, p["loss_sum"] / max(1, p["loss_count"]), epoch_images / elapsed,
                                           p.get("loss_parts") or {}, max(1, p["loss_count"])))
            if stopping:
                return False
    finally:
        prefetch.close()
    return True


def lr_values(optimizer, lr, loss, images_per_s, parts=None, images=1):
    values = {"train/loss": loss, "train/lr": lr, "train/img_per_s": round(images_per_s, 2)}
    for name, total in (parts or {}).items():
        values[f"train/loss/{name}"] = total / images
    for g in optimizer.param_groups:
        values[f"train/lr/{g['name']}"] = g["lr"]
    return values


@torch.no_grad()
def evaluate(r, net, indices, prefix):
    """Loss and metrics on one split; returns (values, curves, task events), or None when a stop was requested.

    Under DDP each rank evaluates its positions of every global batch, and the predictions are gathered on
    every rank (in the split's order), so all ranks compute the same values."""
    t, dist = r.config["training"], r.dist
    net.eval()
    loss_sum, collected = 0.0, []
    batches = eval_batches(np.arange(len(indices)), t["batch_size"])
    prefetch = Prefetcher(r.data, [indices[b[dist.positions(len(b))]] for b in batches], r.device)
    try:
        for b in batches:
            if r.stop_agreed():
                return None
            local = b[dist.positions(len(b))]
            images, y, metadata = prefetch.get()
            if len(local) == 0:
                continue
            loss, payload = r.task.eval_batch(r, net, images, y, metadata, indices[local])
            loss_sum += loss
            collected.append((local, payload))
    finally:
        prefetch.close()
    shards = dist.gather((loss_sum, collected))
    values, curves, extra = r.task.score(r, [c for _, rank in shards for c in rank], len(indices), indices, prefix)
    values = {f"{prefix}/loss": sum(s[0] for s in shards) / len(indices), **values}
    return values, curves, extra


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
