"""Detection through the parts of the loop that classification tests cover beside the basic run: SIGTERM through
the real CLI, DDP over two gloo processes, freezing by stage, inspect and the ONNX export of a detector, and the
box affine under a rotation (hand-computed)."""
import json
import math
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch

from fixtures import (PACKAGE_ROOT, DET_CLASSES, cli, detection_config, make_detection_run, of_type, read_spec,
                      run_inprocess, val_metrics, with_resume)
from trainyard_trainer.augment import affine_boxes
from trainyard_trainer.checkpoints import load

SHORT = detection_config(training={"phases": [{"name": "all", "epochs": 2, "lr": 2e-3, "train": ["all"]}],
                                   "log_every_n_steps": 1}, resources={"gpus": 0})


def test_sigterm_interrupts_a_detection_run_and_resume_completes_it(tmp_path):
    spec = make_detection_run(tmp_path, n=64, config=SHORT)
    proc = cli("train", "--spec", spec, cwd=os.path.dirname(spec))
    lines = []
    for line in proc.stdout:
        lines.append(json.loads(line))
        if lines[-1]["type"] == "metrics" and "train/loss" in lines[-1]["values"]:
            proc.send_signal(signal.SIGTERM)
            break
    lines += [json.loads(line) for line in proc.stdout]
    proc.wait(timeout=120)
    assert proc.returncode == 0, proc.stderr.read()
    assert lines[-1] == {"type": "done", "state": "interrupted"}
    last = [e for e in of_type(lines, "checkpoint") if e["name"] == "last"][-1]
    meta = json.loads(open(os.path.join(last["dir"], "meta.json")).read())
    assert meta["interrupted"] and meta["step"] >= 1

    code, resumed = run_inprocess(with_resume(spec, os.path.join(last["dir"], "checkpoint.pt")))
    assert code == 0 and resumed[-1]["state"] == "completed", resumed[-1]
    steps = [e["step"] for e in of_type(resumed, "metrics")]
    assert steps[0] > meta["step"] - 1 and steps == sorted(steps)
    assert 2 in val_metrics(resumed) and "val/map50" in val_metrics(resumed)[2]
    assert len(val_metrics(resumed, "test/")) == 1


def test_two_process_ddp_detection_matches_one_process(tmp_path):
    code, single = run_inprocess(make_detection_run(tmp_path / "single", n=64, config=SHORT))
    assert code == 0, single[-1]
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT, OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "trainyard_trainer", "train", "--spec",
                           make_detection_run(tmp_path / "ddp", n=64, config=SHORT), "--processes", "2"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["type"] for e in events].count("done") == 1 and events[-1]["state"] == "completed"
    assert any(e["message"].startswith("DDP: 2 processes (gloo)") for e in of_type(events, "log"))
    assert [(e["step"], e["epoch"]) for e in of_type(events, "status")] == \
        [(e["step"], e["epoch"]) for e in of_type(single, "status")]
    # the gathered predictions cover the whole split: one samples event per evaluation, the same rows
    assert [[i["row"] for i in s["items"]] for s in of_type(events, "samples")] == \
        [[i["row"] for i in s["items"]] for s in of_type(single, "samples")]
    got, expected = val_metrics(events), val_metrics(single)
    assert sorted(got) == sorted(expected) == [1, 2]
    # as in the classification DDP test: BatchNorm statistics are per process, so only close, not equal
    for epoch in got:
        assert abs(got[epoch]["val/loss"] - expected[epoch]["val/loss"]) < 0.2 * max(1.0, expected[epoch]["val/loss"])
        assert 0 <= got[epoch]["val/map50"] <= 1
    train = [e["values"] for e in of_type(events, "metrics") if "train/loss/centerness" in e["values"]]
    assert train and all(np.isfinite(v["train/loss"]) for v in train)
    state = torch.load(tmp_path / "ddp/runs/dtest/checkpoints/last/checkpoint.pt", map_location="cpu")
    assert not any(k.startswith("module.") for k in state["model"])


def test_freezing_by_stage_keeps_the_frozen_backbone_and_its_batchnorm(tmp_path):
    import torchvision
    weights = torchvision.models.resnet18(weights=None).state_dict()
    torch.save(weights, tmp_path / "r18.pt")
    config = detection_config(model={"pretrained": str(tmp_path / "r18.pt")}, training={"phases": [
        {"name": "top", "epochs": 1, "lr": 3e-3, "train": ["layer4", "heads"], "bn_update": False}]})
    code, events = run_inprocess(make_detection_run(tmp_path / "run", n=48, config=config))
    assert code == 0, events[-1]
    assert any("loaded backbone weights" in e["message"] for e in of_type(events, "log"))
    model = load(str(tmp_path / "run/runs/dtest/checkpoints/last/checkpoint.pt"))["model"]
    body = "det.backbone.body."
    for name in ("conv1.weight", "bn1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer3.1.bn2.running_var"):
        assert torch.equal(model[body + name], weights[name]), name  # frozen: weights and BatchNorm statistics
    assert not torch.equal(model[body + "layer4.0.conv1.weight"], weights["layer4.0.conv1.weight"])
    assert not torch.equal(model[body + "layer4.0.bn1.running_mean"], weights["layer4.0.bn1.running_mean"])
    trained = [k for k in model if k.startswith("det.head.") and k.endswith("weight")]
    assert trained


def test_unknown_stage_for_a_detector_names_its_stages(tmp_path):
    config = detection_config(training={"phases": [{"name": "x", "epochs": 1, "lr": 1e-3, "train": ["block4"]}]})
    code, events = run_inprocess(make_detection_run(tmp_path, n=32, config=config))
    assert code == 2
    error = of_type(events, "done")[-1]["error"]
    assert "block4" in error and "layer4" in error and "stem" in error


@pytest.fixture(scope="module")
def detection_checkpoint(tmp_path_factory):
    root = tmp_path_factory.mktemp("detck")
    config = detection_config(training={"phases": [{"name": "all", "epochs": 1, "lr": 2e-3, "train": ["all"]}]})
    spec = make_detection_run(root, n=40, config=config)
    code, events = run_inprocess(spec)
    assert code == 0, events[-1]
    return spec, os.path.join(read_spec(spec)["run_dir"], "checkpoints", "best", "checkpoint.pt")


def test_inspect_reads_a_detection_checkpoint(detection_checkpoint):
    _, checkpoint = detection_checkpoint
    proc = cli("inspect", "--checkpoint", checkpoint)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    info = json.loads(out)
    assert info["ok"] and info["task"] == "detection" and info["arch"] == "fcos" and info["classes"] == DET_CLASSES
    assert sorted(info["outputs"]) == ["boxes", "labels", "scores"] and info["outputs"]["boxes"][1:] == [4]


def test_onnx_export_of_a_detector_writes_graph_sidecar_and_parity_batch(detection_checkpoint, tmp_path):
    from trainyard_trainer.export import export_checkpoint
    spec, checkpoint = detection_checkpoint
    data = read_spec(spec)["data"]
    images = np.fromfile(data["images"]["path"], np.uint8).reshape(data["images"]["shape"])
    image = torch.from_numpy(images[30:31]).permute(0, 3, 1, 2).float() / 255.0
    out = tmp_path / "det.onnx"
    report = export_checkpoint(checkpoint, "onnx", str(out), inputs=(image,))
    assert out.exists() and report["ok"] and report["output_names"] == ["boxes", "scores", "labels"]
    sidecar = json.loads((tmp_path / "det.onnx.json").read_text())
    assert sidecar["task"] == "detection" and sidecar["classes"] == DET_CLASSES
    assert "letterboxed" in sidecar["inputs"]["image"] and "no findings" in sidecar["output"]
    check = tmp_path / "det.onnx.check"
    expected = {n: np.load(check / f"expected-{n}.npy") for n in ("boxes", "scores", "labels")}
    assert expected["boxes"].shape == (report["detections"], 4) == (len(expected["scores"]), 4)
    assert np.load(check / "image.npy").shape == (1, 3, 48, 48)
    try:
        import onnx
    except ImportError:
        assert report["max_abs_diff"] is None or report["max_abs_diff"] <= 1e-4
        return
    graph = onnx.load(str(out)).graph
    assert [i.name for i in graph.input] == ["image"]
    assert [o.name for o in graph.output] == ["boxes", "scores", "labels"]


def test_box_affine_under_a_quarter_turn_is_hand_computed():
    # theta maps output to input coordinates; a quarter turn (cos 0, sin 1) sends input (x, y) in [-1, 1] to
    # output (y, -x): in pixels of a 64 image, input point (px, py) lands at (py, 64 - px)
    c, s = math.cos(math.pi / 2), math.sin(math.pi / 2)
    theta = torch.tensor([[c, -s, 0.0], [s, c, 0.0]])
    boxes = torch.tensor([[8.0, 16.0, 24.0, 20.0]])
    out, labels = affine_boxes(theta, boxes, torch.tensor([1]), 64)
    assert labels.tolist() == [1]
    assert torch.allclose(out, torch.tensor([[16.0, 40.0, 20.0, 56.0]]), atol=1e-4)
    # 45 degrees: the enclosing box of the turned corners, centred where the box centre goes
    c = s = math.sqrt(0.5)
    out, _ = affine_boxes(torch.tensor([[c, -s, 0.0], [s, c, 0.0]]), torch.tensor([[24.0, 28.0, 40.0, 36.0]]),
                          torch.tensor([0]), 64)
    half = (8 + 4) * math.sqrt(0.5)  # (w/2 + h/2) / sqrt 2 on both axes
    assert torch.allclose(out, torch.tensor([[32 - half, 32 - half, 32 + half, 32 + half]]), atol=1e-4)
