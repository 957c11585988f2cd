"""End-to-end runs of the trainer: in-process for speed, through the real CLI where a process matters."""
import json
import os
import signal

import numpy as np
import pytest
import torch

from fixtures import base_config, cli, make_run, of_type, read_spec, run_inprocess, val_metrics, with_resume

RESUME_CONFIG = base_config(training={
    "phases": [
        {"name": "heads", "epochs": 1, "lr": 3e-3, "train": ["heads"], "bn_update": False},
        {"name": "finetune", "epochs": 3, "lr": 3e-3, "train": ["all"], "backbone_lr_mult": 0.5,
         "warmup_epochs": 1, "schedule": "cosine"},
    ],
    "checkpoint": {"top_k": 2, "every_n_epochs": 2},
    "log_every_n_steps": 1,
})


def test_run_completes_learns_and_reports(tmp_path):
    config = base_config(training={"phases": [
        {"name": "heads", "epochs": 1, "lr": 3e-3, "train": ["heads"], "bn_update": False},
        {"name": "finetune", "epochs": 4, "lr": 3e-3, "train": ["all"], "warmup_epochs": 1, "schedule": "cosine"},
    ]})
    code, events = run_inprocess(make_run(tmp_path, n=240, config=config))
    assert code == 0
    done = events[-1]
    assert done["type"] == "done" and done["state"] == "completed"
    assert done["best"]["name"] == "val/auc_macro" and done["best"]["value"] > 0.7
    per_epoch = val_metrics(events)
    assert sorted(per_epoch) == [1, 2, 3, 4, 5]
    for values in per_epoch.values():
        for key in ("val/loss", "val/auc_macro", "val/auc_micro", "val/map", "val/f1_macro", "val/accuracy",
                    "time/epoch_s", "val/auc/melanoma", "val/ap/other"):
            assert key in values
    test = val_metrics(events, "test/")
    assert len(test) == 1 and list(test.values())[0]["test/auc_macro"] > 0.7
    curves = of_type(events, "curve")
    assert {(c["split"], c["kind"]) for c in curves} == {("val", "roc"), ("val", "pr"), ("test", "roc"), ("test", "pr")}
    assert all(len(c["points"]) <= 200 for c in curves)
    statuses = of_type(events, "status")
    assert {s["epoch"] for s in statuses} == {1, 2, 3, 4, 5} and all(s["epochs"] == 5 for s in statuses)
    final_step = max(e["step"] for e in of_type(events, "metrics"))
    assert statuses[-1]["step"] == statuses[-1]["steps"] == final_step  # progress ends at 100%
    if not torch.cuda.is_available():  # on a GPU machine the run trains in bf16 instead
        assert any(e["message"].startswith("precision bf16 needs a GPU") for e in of_type(events, "log"))
    run_dir = tmp_path / "runs/rtest"
    assert sorted(os.listdir(run_dir / "checkpoints")) == ["best", "last"]
    meta = json.loads((run_dir / "checkpoints/best/meta.json").read_text())
    assert meta["epoch"] == done["best"]["epoch"] and meta["monitor"]["value"] == done["best"]["value"]


@pytest.mark.parametrize("stop_in_phase", ["heads", "finetune"])
def test_sigterm_writes_resumable_last_and_resume_matches_uninterrupted_run(tmp_path, stop_in_phase):
    # reference: the same run without interruption
    code, reference = run_inprocess(make_run(tmp_path / "a", n=320, config=RESUME_CONFIG))
    assert code == 0

    spec = make_run(tmp_path / "b", n=320, config=RESUME_CONFIG)
    proc = cli("train", "--spec", spec, cwd=os.path.dirname(spec))
    lines = []
    for line in proc.stdout:
        lines.append(json.loads(line))
        event = lines[-1]
        if event["type"] == "metrics" and "train/loss" in event["values"] and event["phase"] == stop_in_phase:
            proc.send_signal(signal.SIGTERM)
            break
    lines += [json.loads(line) for line in proc.stdout]
    proc.wait(timeout=60)
    assert proc.returncode == 0, proc.stderr.read()
    assert lines[-1] == {"type": "done", "state": "interrupted"}
    last = [e for e in of_type(lines, "checkpoint") if e["name"] == "last"]
    assert last and os.path.isfile(os.path.join(last[-1]["dir"], "checkpoint.pt"))
    meta = json.loads(open(os.path.join(last[-1]["dir"], "meta.json")).read())
    stopped_at = meta["step"]
    assert 0 < stopped_at < 4 * 12 and meta["interrupted"]
    print(f"interrupted at step {stopped_at}, epoch {meta['epoch']}")

    resumed_spec = with_resume(spec, os.path.join(last[-1]["dir"], "checkpoint.pt"))
    code, resumed = run_inprocess(resumed_spec)
    assert code == 0 and resumed[-1]["state"] == "completed"
    steps = [e["step"] for e in of_type(resumed, "metrics")]
    assert steps[0] > stopped_at - 1 and steps == sorted(steps)

    expected, got = val_metrics(reference), val_metrics(resumed)
    assert got and set(got) <= set(expected)
    for epoch, values in got.items():
        for key, value in values.items():
            if key != "time/epoch_s":
                assert value == pytest.approx(expected[epoch][key], abs=1e-6), (epoch, key)
    for key, value in list(val_metrics(resumed, "test/").values())[0].items():
        assert value == pytest.approx(list(val_metrics(reference, "test/").values())[0][key], abs=1e-6), key
    assert resumed[-1]["best"]["epoch"] == reference[-1]["best"]["epoch"]
    assert resumed[-1]["best"]["value"] == pytest.approx(reference[-1]["best"]["value"], abs=1e-6)


def test_resume_from_epoch_boundary_checkpoint_and_top_k(tmp_path):
    code, reference = run_inprocess(make_run(tmp_path / "a", n=160, config=RESUME_CONFIG))
    assert code == 0
    names = {e["name"] for e in of_type(reference, "checkpoint")}
    assert {"best", "top-2", "last", "epoch-2", "epoch-4"} <= names
    ckpt_dir = tmp_path / "a/runs/rtest/checkpoints"
    ranked = [json.loads((ckpt_dir / n / "meta.json").read_text())["monitor"]["value"] for n in ("best", "top-2")]
    assert ranked[0] >= ranked[1]

    spec = make_run(tmp_path / "b", n=160, config=RESUME_CONFIG)
    code, _ = run_inprocess(spec)
    assert code == 0
    with_resume(spec, str(tmp_path / "b/runs/rtest/checkpoints/epoch-2/checkpoint.pt"))
    code, resumed = run_inprocess(spec)
    assert code == 0
    got, expected = val_metrics(resumed), val_metrics(reference)
    assert sorted(got) == [3, 4]
    for epoch in got:
        assert got[epoch]["val/auc_macro"] == pytest.approx(expected[epoch]["val/auc_macro"], abs=1e-6)
        assert got[epoch]["val/loss"] == pytest.approx(expected[epoch]["val/loss"], abs=1e-6)


def _nan_metadata(a):
    a["metadata"][3, 1] = np.nan


def _no_train(a):
    a["split"][a["split"] == 0] = 1


def _no_positive(a):
    a["targets"][a["split"] == 0, 1] = 0


def _wrong_targets(a):
    a["targets"] = a["targets"][:, :2]


@pytest.mark.parametrize("tamper,needle", [
    (_nan_metadata, "non-finite"),
    (_no_train, "no training samples"),
    (_no_positive, "nevus"),
    (_wrong_targets, "has shape"),
])
def test_bad_spec_fails_cleanly(tmp_path, tamper, needle):
    spec = make_run(tmp_path, tamper=tamper)
    code, events = run_inprocess(spec)
    assert code == 2
    errors = [e for e in of_type(events, "log") if e["level"] == "error"]
    assert errors and needle in errors[0]["message"]
    assert events[-1]["type"] == "done" and events[-1]["state"] == "failed" and needle in events[-1]["error"]
    assert not os.path.exists(tmp_path / "runs/rtest/checkpoints")


def test_bad_spec_through_cli_exits_2(tmp_path):
    spec = make_run(tmp_path)
    data = read_spec(spec)
    os.remove(data["data"]["images"]["path"])
    proc = cli("train", "--spec", spec)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    events = [json.loads(line) for line in out.splitlines()]
    assert events[0]["type"] == "log" and events[0]["level"] == "error" and "images.u8" in events[0]["message"]
    assert events[-1]["state"] == "failed"
    assert not os.path.exists(tmp_path / "runs/rtest/checkpoints")


def test_unknown_backbone_and_missing_spec(tmp_path):
    spec = make_run(tmp_path, config=base_config(model={"backbone": "resnet9000"}))
    code, events = run_inprocess(spec)
    assert code == 2 and "resnet9000" in events[-1]["error"]
    code, events = run_inprocess(str(tmp_path / "nope.json"))
    assert code == 2 and "spec file not found" in events[-1]["error"]


def test_inspect_loads_a_produced_checkpoint(tmp_path):
    spec = make_run(tmp_path, config=base_config(training={"phases": [{"name": "heads", "epochs": 1, "lr": 1e-3,
                                                                       "train": ["heads"]}]}))
    assert run_inprocess(spec)[0] == 0
    proc = cli("inspect", "--checkpoint", str(tmp_path / "runs/rtest/checkpoints/best/checkpoint.pt"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    info = json.loads(out)
    assert info["ok"] and info["classes"] == ["melanoma", "nevus", "other"] and info["epoch"] == 1
    assert info["backbone"] == "baseline_cnn" and "val/auc_macro" in info["metrics"]

    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    proc = cli("inspect", "--checkpoint", str(tmp_path / "junk.pt"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == "" and "cannot use checkpoint" in err


def test_probe_reports_torch():
    proc = cli("probe")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    info = json.loads(out)
    assert info["torch"] and info["torchvision"] and info["sklearn"] and info["cuda"] in (True, False)
    assert isinstance(info["devices"], list)


def test_multiclass_sgd_accumulation_clipping_plateau_without_metadata(tmp_path):
    config = base_config(training={
        "task": "multiclass", "class_weights": "balanced", "grad_accum_steps": 2, "grad_clip": 1.0,
        "optimizer": {"name": "sgd", "momentum": 0.9, "nesterov": True},
        "phases": [{"name": "all", "epochs": 2, "lr": 1e-2, "train": ["all"], "schedule": "plateau"},
                   {"name": "top", "epochs": 1, "lr": 1e-3, "train": ["block4", "heads"], "schedule": "step"}],
    })
    code, events = run_inprocess(make_run(tmp_path, metadata_dim=0, config=config))
    assert code == 0, events[-1]
    assert events[-1]["state"] == "completed"
    assert any("image-only" in e["message"] for e in of_type(events, "log"))
    # 96 train samples / batch 16 = 6 batches = 3 optimizer steps of 2 accumulated batches, over 3 epochs
    assert max(e["step"] for e in of_type(events, "metrics")) == 9


def test_early_stopping_in_last_phase(tmp_path):
    config = base_config(training={
        "phases": [{"name": "heads", "epochs": 1, "lr": 1e-3, "train": ["heads"]},
                   {"name": "frozen", "epochs": 6, "lr": 1e-12, "train": ["heads"], "bn_update": False}],
        "early_stopping": {"patience": 2, "min_delta": 0.01},
    })
    code, events = run_inprocess(make_run(tmp_path, config=config))
    assert code == 0 and events[-1]["state"] == "completed"
    # epoch 2 sets the last phase's reference, epochs 3 and 4 do not improve by min_delta -> stop after 4
    assert sorted(val_metrics(events)) == [1, 2, 3, 4]
    last_status = of_type(events, "status")[-1]
    assert last_status["step"] == last_status["steps"] == max(e["step"] for e in of_type(events, "metrics"))
    assert any(e["message"].startswith("early stopping at epoch 4") for e in of_type(events, "log"))


def test_stop_during_evaluation_resumes_with_that_evaluation(tmp_path, monkeypatch):
    import trainyard_trainer.train as train_module
    code, reference = run_inprocess(make_run(tmp_path / "a", config=RESUME_CONFIG))
    assert code == 0

    original, calls = train_module.evaluate, []

    def stop_in_second_evaluation(r, net, indices, prefix):
        calls.append(prefix)
        if len(calls) == 2:
            r.stop.requested = True  # as if SIGTERM arrived while epoch 2 was being evaluated
        return original(r, net, indices, prefix)

    spec = make_run(tmp_path / "b", config=RESUME_CONFIG)
    monkeypatch.setattr(train_module, "evaluate", stop_in_second_evaluation)
    code, events = run_inprocess(spec)
    monkeypatch.setattr(train_module, "evaluate", original)
    assert code == 0 and events[-1]["state"] == "interrupted"
    assert sorted(val_metrics(events)) == [1]
    with_resume(spec, str(tmp_path / "b/runs/rtest/checkpoints/last/checkpoint.pt"))
    code, resumed = run_inprocess(spec)
    assert code == 0
    got, expected = val_metrics(resumed), val_metrics(reference)
    assert sorted(got) == [2, 3, 4]
    for epoch in got:
        assert got[epoch]["val/auc_macro"] == pytest.approx(expected[epoch]["val/auc_macro"], abs=1e-6)
