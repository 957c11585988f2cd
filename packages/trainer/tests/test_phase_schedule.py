import math

import pytest
import torch

from trainyard_trainer import checkpoints
from trainyard_trainer.models import build_model
from trainyard_trainer.phase_schedule import (PhaseSchedule, apply_phase, build_optimizer, check_phase_targets,
                                              plan_phases, set_train_mode)
from trainyard_trainer.spec import SpecError, resolve_config

from fixtures import base_config, make_run, of_type, run_inprocess


def config_for(backbone="baseline_cnn", phases=None, size=24):
    overrides = {"model": {"backbone": backbone, "pretrained": "none"}, "dataset": {"image_size": size}}
    if phases:
        overrides["training"] = {"phases": phases}
    return resolve_config(base_config(**overrides))


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_heads_phase_keeps_frozen_backbone_bit_identical():
    torch.manual_seed(0)
    config = config_for(phases=[{"name": "heads", "epochs": 1, "lr": 1e-2, "train": ["heads"], "bn_update": False}])
    model = build_model(config, 3, 4)
    phase = plan_phases(config)[0]
    groups = apply_phase(config, model, phase)
    optimizer = build_optimizer(config, groups, phase)
    before_backbone, before_heads = snapshot(model.backbone), snapshot(model.classifier)
    for _ in range(3):
        set_train_mode(config, model, phase)
        loss = model(torch.randn(8, 3, 24, 24), torch.randn(8, 4)).square().mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    after_backbone = snapshot(model.backbone)
    for k, v in before_backbone.items():  # weights and BatchNorm running statistics
        assert torch.equal(v, after_backbone[k]), k
    assert all(not p.requires_grad for p in model.backbone.parameters())
    assert not torch.equal(before_heads["weight"], model.classifier.weight)
    assert all(not m.training for m in model.backbone.modules() if isinstance(m, torch.nn.BatchNorm2d))


def test_heads_phase_end_to_end_leaves_backbone_untouched(tmp_path):
    config = base_config(training={"phases": [{"name": "heads", "epochs": 1, "lr": 1e-2, "train": ["heads"],
                                               "bn_update": False}]})
    spec = make_run(tmp_path, config=config)
    code, events = run_inprocess(spec)
    assert code == 0, events[-1]
    torch.manual_seed(0)  # the trainer seeds torch with training.seed right before building the model
    initial = build_model(resolve_config(config), 3, 4)
    trained = checkpoints.load(str(tmp_path / "runs/rtest/checkpoints/last/checkpoint.pt"))["model"]
    for k, v in initial.state_dict().items():
        if k.startswith("backbone."):
            assert torch.equal(v, trained[k]), k
    assert not torch.equal(initial.state_dict()["classifier.weight"], trained["classifier.weight"])


def test_phase_switch_rebuilds_optimizer_groups():
    config = config_for("resnet18", size=32, phases=[
        {"name": "heads", "epochs": 1, "lr": 1e-3, "train": ["heads"]},
        {"name": "top", "epochs": 1, "lr": 1e-3, "train": ["layer4", "heads"], "backbone_lr_mult": 0.1},
        {"name": "all", "epochs": 1, "lr": 1e-4, "train": ["all"], "backbone_lr_mult": 0.5},
    ])
    model = build_model(config, 3, 0)
    phases = plan_phases(config)
    check_phase_targets(config, model, phases)

    opt = build_optimizer(config, apply_phase(config, model, phases[0]), phases[0])
    assert [g["name"] for g in opt.param_groups] == ["heads"]
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-3)

    opt = build_optimizer(config, apply_phase(config, model, phases[1]), phases[1])
    assert [g["name"] for g in opt.param_groups] == ["backbone", "heads"]
    layer4 = {id(p) for p in model.backbone.layer4.parameters()}
    assert {id(p) for p in opt.param_groups[0]["params"]} == layer4
    assert opt.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert not model.backbone.layer3[0].conv1.weight.requires_grad
    assert model.backbone.layer4[0].conv1.weight.requires_grad

    opt = build_optimizer(config, apply_phase(config, model, phases[2]), phases[2])
    n_backbone = sum(1 for _ in model.backbone.parameters())
    assert len(opt.param_groups[0]["params"]) == n_backbone
    assert opt.param_groups[0]["lr"] == pytest.approx(5e-5)


def test_unknown_stage_is_a_spec_error():
    config = config_for(phases=[{"name": "x", "epochs": 1, "lr": 1e-3, "train": ["layer4"]}])
    model = build_model(config, 3, 0)
    with pytest.raises(SpecError, match="block1"):
        check_phase_targets(config, model, plan_phases(config))


def test_phase_switch_in_run_events(tmp_path):
    code, events = run_inprocess(make_run(tmp_path))
    assert code == 0
    train = [e for e in of_type(events, "metrics") if "train/lr" in e["values"]]
    heads = [e for e in train if e["phase"] == "heads"]
    finetune = [e for e in train if e["phase"] == "finetune"]
    assert heads and finetune
    assert all("train/lr/backbone" not in e["values"] for e in heads)
    assert all(e["values"]["train/lr/backbone"] == pytest.approx(0.5 * e["values"]["train/lr"]) for e in finetune)
    steps = [e["step"] for e in of_type(events, "metrics")]
    assert steps == sorted(steps)


def phase(**kw):
    config = resolve_config({"training": {"phases": [dict({"name": "p", "epochs": 4, "lr": 1.0}, **kw)]}})
    return plan_phases(config)[0]


def test_schedule_warmup_then_cosine():
    s = PhaseSchedule(phase(warmup_epochs=1, schedule="cosine", min_lr=0.1), steps_per_epoch=10)
    assert s.lr(0) == pytest.approx(0.1)
    assert s.lr(4) == pytest.approx(0.5)
    assert s.lr(9) == pytest.approx(1.0)
    assert s.lr(10) == pytest.approx(1.0)  # cosine starts at the peak
    assert s.lr(25) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 15 / 30)))
    assert s.lr(39) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 29 / 30)))


def test_schedule_step_and_constant():
    s = PhaseSchedule(phase(schedule="step", step_size=2, gamma=0.5), steps_per_epoch=10)
    assert [s.lr(i) for i in (0, 19, 20, 39)] == pytest.approx([1.0, 1.0, 0.5, 0.5])
    c = PhaseSchedule(phase(schedule="constant"), steps_per_epoch=10)
    assert c.lr(0) == c.lr(39) == 1.0


def test_schedule_plateau_decays_after_patience_and_keeps_state():
    s = PhaseSchedule(phase(schedule="plateau", plateau_patience=1, gamma=0.1, min_lr=0.05), steps_per_epoch=10, mode="max")
    for value in (0.5, 0.6, 0.6):
        s.epoch_end(value)
    assert s.lr(30) == pytest.approx(1.0)
    s.epoch_end(0.55)  # second epoch without improvement > patience 1
    assert s.lr(30) == pytest.approx(0.1)
    restored = PhaseSchedule(s.phase, 10, mode="max")
    restored.load_state_dict(s.state_dict())
    for value in (0.5, 0.5):
        s.epoch_end(value)
        restored.epoch_end(value)
    assert s.lr(30) == restored.lr(30) == pytest.approx(0.05)  # floored at min_lr


def test_apply_sets_group_lrs():
    config = config_for(phases=[{"name": "all", "epochs": 1, "lr": 1e-2, "train": ["all"], "backbone_lr_mult": 0.1}])
    model = build_model(config, 3, 0)
    p = plan_phases(config)[0]
    opt = build_optimizer(config, apply_phase(config, model, p), p)
    s = PhaseSchedule(p, steps_per_epoch=5)
    assert s.apply(opt, 3) == pytest.approx(1e-2)
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([1e-3, 1e-2])
