"""Phases: which parameters train, the optimizer's param groups, and the learning rate at every step.

A phase's `train` list names what is trainable: "heads" (everything outside the backbone: image head,
metadata MLP, fusion, classifier), "all", or backbone stage names (models.backbone_stages). Everything else is
frozen: requires_grad False, left out of the optimizer, and its BatchNorm layers kept in eval mode unless the
phase sets bn_update. Entering a phase rebuilds the optimizer with up to two groups:
  "backbone"  trainable backbone parameters, lr * backbone_lr_mult
  "heads"     trainable head parameters, lr
The learning rate of step s (0-based within the phase) is `PhaseSchedule.lr(s)` times the group's multiplier:
linear warmup over warmup_epochs, then constant, cosine to min_lr, step decay (gamma every step_size epochs),
or plateau (gamma after plateau_patience epochs without improvement of the monitored metric, floor min_lr).
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn

from .spec import SpecError
from .tasks import task_for


@dataclass
class Phase:
    index: int
    name: str
    epochs: int
    first_epoch: int  # global 1-based number of the phase's first epoch
    lr: float
    train: list
    backbone_lr_mult: float
    bn_update: bool
    warmup_epochs: float
    schedule: str
    step_size: int
    gamma: float
    plateau_patience: int
    min_lr: float

    @property
    def last_epoch(self):
        return self.first_epoch + self.epochs - 1


def plan_phases(config):
    phases, first = [], 1
    for i, p in enumerate(config["training"]["phases"]):
        phases.append(Phase(
            index=i, name=str(p["name"]), epochs=int(p["epochs"]), first_epoch=first, lr=float(p["lr"]),
            train=list(p["train"]), backbone_lr_mult=float(p["backbone_lr_mult"]), bn_update=bool(p["bn_update"]),
            warmup_epochs=float(p["warmup_epochs"]), schedule=p["schedule"], step_size=max(1, int(p["step_size"])),
            gamma=float(p["gamma"]), plateau_patience=int(p["plateau_patience"]), min_lr=float(p["min_lr"] or 0.0),
        ))
        first += int(p["epochs"])
    return phases


def model_stages(config, model):
    """Stage name -> parameter-name prefixes under the model's backbone, as its task defines them."""
    return task_for(config).stages(config, model)


def check_phase_targets(config, model, phases):
    stages = model_stages(config, model)
    allowed = {"heads", "all", *stages}
    for p in phases:
        unknown = [t for t in p.train if t not in allowed]
        if unknown:
            raise SpecError(f"config.training.phases[{p.index}] ({p.name}).train names {unknown}; for backbone "
                            f"{config['model']['backbone']} use heads, all, or stages {', '.join(stages)}")


def _in_prefixes(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def apply_phase(config, model, phase):
    """Sets requires_grad for the phase; returns {"backbone": [params], "heads": [params]} (trainable only)."""
    stages = model_stages(config, model)
    everything = "all" in phase.train
    heads = everything or "heads" in phase.train
    prefixes = [p for s in phase.train if s in stages for p in stages[s]]
    backbone = task_for(config).backbone_prefix(model)
    groups = {"backbone": [], "heads": []}
    for name, param in model.named_parameters():
        if name.startswith(backbone):
            trainable = everything or _in_prefixes(name[len(backbone):], prefixes)
            group = "backbone"
        else:
            trainable, group = heads, "heads"
        param.requires_grad_(trainable)
        if trainable:
            groups[group].append(param)
    return groups


def set_train_mode(config, model, phase):
    """model.train(), then BatchNorm layers in frozen parts back to eval mode (unless bn_update)."""
    model.train()
    if phase.bn_update:
        return
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            params = list(module.parameters(recurse=False))
            if params and not any(p.requires_grad for p in params):
                module.eval()


def build_optimizer(config, groups, phase):
    opt = config["training"]["optimizer"]
    param_groups = []
    for name, mult in (("backbone", phase.backbone_lr_mult), ("heads", 1.0)):
        if groups[name]:
            param_groups.append({"params": groups[name], "name": name, "lr_mult": mult, "lr": phase.lr * mult})
    if not param_groups:
        raise SpecError(f"phase {phase.name} trains nothing: its train list {phase.train} selects no parameters")
    wd = float(opt["weight_decay"] or 0.0)
    if opt["name"] == "adamw":
        return torch.optim.AdamW(param_groups, lr=phase.lr, weight_decay=wd)
    if opt["name"] == "adam":
        return torch.optim.Adam(param_groups, lr=phase.lr, weight_decay=wd)
    return torch.optim.SGD(param_groups, lr=phase.lr, momentum=float(opt["momentum"] or 0.0),
                           nesterov=bool(opt["nesterov"]), weight_decay=wd)


class PhaseSchedule:
    """The heads-group learning rate per optimizer step of one phase; the plateau factor is its only state."""

    def __init__(self, phase, steps_per_epoch, mode="max"):
        self.phase = phase
        self.steps_per_epoch = steps_per_epoch
        self.total_steps = phase.epochs * steps_per_epoch
        self.warmup_steps = min(self.total_steps, int(round(phase.warmup_epochs * steps_per_epoch)))
        self.mode = mode
        self.factor = 1.0
        self.best = None
        self.bad_epochs = 0

    def lr(self, step):
        p = self.phase
        if step < self.warmup_steps:
            return p.lr * (step + 1) / self.warmup_steps
        t = step - self.warmup_steps
        if p.schedule == "cosine":
            span = max(1, self.total_steps - self.warmup_steps)
            return p.min_lr + (p.lr - p.min_lr) * 0.5 * (1 + math.cos(math.pi * min(t, span) / span))
        if p.schedule == "step":
            return p.lr * p.gamma ** ((t // self.steps_per_epoch) // p.step_size)
        if p.schedule == "plateau":
            return max(p.min_lr, p.lr * self.factor)
        return p.lr

    def epoch_end(self, value):
        """Feeds the monitored metric of an evaluation to the plateau schedule (no-op for the others)."""
        if self.phase.schedule != "plateau" or value is None:
            return
        better = self.best is None or (value > self.best if self.mode == "max" else value < self.best)
        if better:
            self.best, self.bad_epochs = value, 0
            return
        self.bad_epochs += 1
        if self.bad_epochs > self.phase.plateau_patience:
            self.factor *= self.phase.gamma
            self.bad_epochs = 0

    def apply(self, optimizer, step):
        lr = self.lr(step)
        for group in optimizer.param_groups:
            group["lr"] = lr * group["lr_mult"]
        return lr

    def state_dict(self):
        return {"factor": self.factor, "best": self.best, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state):
        self.factor, self.best, self.bad_epochs = state["factor"], state["best"], state["bad_epochs"]
