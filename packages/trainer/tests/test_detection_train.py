"""Detection through the same loop as classification: it learns, reports COCO metrics, the gallery's samples in
source pixels, exact resume mid-epoch, spec errors that name what is wrong, and an export with NMS inside."""
import json
import os

import numpy as np
import pytest
import torch

from fixtures import (DET_CLASSES, detection_config, make_detection_run, merge, of_type, read_spec, run_inprocess,
                      val_metrics, with_resume)
from trainyard_trainer.augment import affine_boxes
from trainyard_trainer.checkpoints import load
from trainyard_trainer.detectors import build_detector
from trainyard_trainer.export import export_checkpoint


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("det")
    spec = make_detection_run(root, n=96, config=detection_config(training={"phases": [
        {"name": "all", "epochs": 10, "lr": 3e-3, "train": ["all"], "warmup_epochs": 1, "schedule": "cosine"}]}))
    code, events = run_inprocess(spec)
    return spec, code, events


def test_a_detection_run_learns_and_reports_coco_metrics(trained):
    spec, code, events = trained
    assert code == 0, [e for e in events if e["type"] in ("log", "done")][-3:]
    assert of_type(events, "done")[-1]["state"] == "completed"
    val = val_metrics(events)
    first, last = val[min(val)], val[max(val)]
    for key in ("val/map50_95", "val/map50", "val/map75", "val/precision", "val/recall", "val/loss",
                "val/findings_auc", "val/ap50/square", "val/ap/bar"):
        assert key in last, key
    # an untrained FCOS scores 0.000-0.001 here, and so does a run whose boxes miss their objects; 70 steps from
    # scratch on 57 images reach 0.045-0.15 (the demo config's learning is in the daemon's detection test)
    best = max(v["val/map50"] for v in val.values())
    assert best > 0.03 and best > first["val/map50"] + 0.025, [v["val/map50"] for v in val.values()]
    test = [e["values"] for e in of_type(events, "metrics") if "test/map50" in e["values"]]
    assert len(test) == 1
    train = [e["values"] for e in of_type(events, "metrics") if "train/loss/centerness" in e["values"]]
    assert train and all(k in train[-1] for k in ("train/loss/class", "train/loss/box"))
    curves = [e for e in of_type(events, "curve") if e["kind"] == "pr50"]
    assert {e["class"] for e in curves} == set(DET_CLASSES)


def test_samples_are_the_same_val_images_in_source_pixels(trained):
    spec, _, events = trained
    samples = of_type(events, "samples")
    assert len(samples) == len(val_metrics(events))  # one per evaluation
    rows = [[item["row"] for item in s["items"]] for s in samples]
    assert all(r == rows[0] for r in rows) and len(rows[0]) == 3
    data = read_spec(spec)["data"]
    boxes = np.load(data["boxes"])
    geometry = np.load(data["geometry"])
    split = np.load(data["split"])
    first_val = int(np.flatnonzero(split == 1)[0])
    item = samples[-1]["items"][0]
    assert item["row"] == first_val
    sx, sy, px, py = geometry[first_val][:4]
    truth = boxes[boxes[:, 0] == first_val]
    expected = sorted([[round(float((b[2] - px) / sx), 2), round(float((b[3] - py) / sy), 2),
                        round(float((b[4] - px) / sx), 2), round(float((b[5] - py) / sy), 2), DET_CLASSES[int(b[1])]]
                       for b in truth])
    assert sorted(item["truth"]) == expected
    for b in item["boxes"]:
        assert 0 <= b[0] <= b[2] <= 64 and 0 <= b[1] <= b[3] <= 48 and 0.05 <= b[4] <= 1 and b[5] in DET_CLASSES


def test_resume_mid_epoch_gives_the_same_run(tmp_path):
    config = detection_config(training={"phases": [{"name": "all", "epochs": 2, "lr": 2e-3, "train": ["all"]}]})
    spec = make_detection_run(tmp_path / "a", config=config)
    code, full = run_inprocess(spec)
    assert code == 0
    spec_b = make_detection_run(tmp_path / "b", config=config)
    from trainyard_trainer import train as train_module
    calls = {"n": 0}
    real = train_module.Run.stop_agreed

    def stop_after_some_steps(self):
        calls["n"] += 1
        return calls["n"] == 5 or real(self)
    train_module.Run.stop_agreed = stop_after_some_steps
    try:
        code, first = run_inprocess(spec_b)
    finally:
        train_module.Run.stop_agreed = real
    assert code == 0 and of_type(first, "done")[-1]["state"] == "interrupted"
    last = os.path.join(read_spec(spec_b)["run_dir"], "checkpoints", "last", "checkpoint.pt")
    code, second = run_inprocess(with_resume(spec_b, last))
    assert code == 0
    a, b = val_metrics(full), val_metrics(second)
    assert a.keys() == b.keys()
    for epoch in a:
        for key in ("val/map50", "val/loss", "val/map50_95"):
            assert a[epoch][key] == pytest.approx(b[epoch][key], abs=1e-5), (epoch, key)


@pytest.mark.parametrize("tamper, message", [
    (lambda a: a["boxes"].__setitem__((0, 0), 999), "bad sample index"),
    (lambda a: a["boxes"].__setitem__((0, 1), 7), "bad class index"),
    (lambda a: a["boxes"].__setitem__((0, 4), a["boxes"][0, 2] - 1), "inverted or empty extent"),
    (lambda a: a["boxes"].__setitem__((0, 5), np.nan), "non-finite value"),
    (lambda a: a["boxes"].__setitem__((0, 4), 500), "outside the cache image"),
    (lambda a: a.__setitem__("geometry", a["geometry"][:-1]), "expected \\(64, 6\\)"),
])
def test_bad_boxes_are_refused_with_what_and_where(tmp_path, tamper, message):
    spec = make_detection_run(tmp_path, tamper=tamper)
    code, events = run_inprocess(spec)
    assert code == 2
    error = of_type(events, "done")[-1]["error"]
    assert "boxes.npy" in error or "geometry.npy" in error
    assert __import__("re").search(message, error), error


def test_a_spec_without_boxes_is_refused(tmp_path):
    spec = make_detection_run(tmp_path)
    raw = read_spec(spec)
    del raw["data"]["boxes"]
    with open(spec, "w") as f:
        json.dump(raw, f)
    code, events = run_inprocess(spec)
    assert code == 2 and "needs data.boxes and data.geometry" in of_type(events, "done")[-1]["error"]


def test_box_affine_matches_where_the_pixels_go():
    """A filled box rendered into an image, pushed through the augmentation's affine: its pixels land inside the
    mapped box, which is also their tight extent (a flip and a crop are exact)."""
    from trainyard_trainer.augment import DeviceAugment
    size = 64
    aug = DeviceAugment({"hflip": 1.0, "vflip": 0.0, "rotate": 0, "crop_scale": [0.6, 0.6], "color_jitter": 0},
                        size, normalize=False, padding="zeros")
    img = torch.zeros(1, 3, size, size, dtype=torch.uint8)
    img[:, :, 20:36, 10:30] = 255  # y 20..36, x 10..30
    box = torch.tensor([[10.0, 20.0, 30.0, 36.0]])
    g = torch.Generator().manual_seed(3)
    x, boxes = aug.train_with_boxes(img, g, [(box, torch.tensor([0]))])
    (mapped, labels), = boxes
    ys, xs = torch.nonzero(x[0, 0] > 0.5, as_tuple=True)
    assert len(mapped) == 1 and labels.tolist() == [0]
    x0, y0, x1, y1 = mapped[0].tolist()
    assert abs(xs.min().item() - x0) <= 1.0 and abs(xs.max().item() + 1 - x1) <= 1.0
    assert abs(ys.min().item() - y0) <= 1.0 and abs(ys.max().item() + 1 - y1) <= 1.0


def test_boxes_that_leave_the_image_are_dropped_and_clipped():
    theta = torch.tensor([[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]])  # zoom 2x into the bottom-right quarter
    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [40.0, 40.0, 60.0, 60.0], [30.0, 30.0, 50.0, 50.0]])
    out, labels = affine_boxes(theta, boxes, torch.tensor([0, 1, 2]), 64)
    # input (x - 32) * 2 maps [32, 64] onto [0, 64]: box 0 leaves, box 1 doubles, box 2 is clipped at 0
    assert labels.tolist() == [1, 2]
    assert out.tolist() == [[16.0, 16.0, 56.0, 56.0], [0.0, 0.0, 36.0, 36.0]]


def test_export_torchscript_matches_pytorch_on_real_images(trained, tmp_path):
    spec, _, _ = trained
    run_dir = read_spec(spec)["run_dir"]
    best = os.path.join(run_dir, "checkpoints", "best", "checkpoint.pt")
    data = read_spec(spec)["data"]
    images = np.fromfile(data["images"]["path"], np.uint8).reshape(data["images"]["shape"])
    image = torch.from_numpy(images[60:61]).permute(0, 3, 1, 2).float() / 255.0
    report = export_checkpoint(best, "torchscript", str(tmp_path / "det.pt"), inputs=(image,))
    assert report["ok"] and report["task"] == "detection" and report["max_abs_diff"] == 0.0
    assert report["output_names"] == ["boxes", "scores", "labels"] and report["detections"] > 0
    scripted = torch.jit.load(str(tmp_path / "det.pt"))
    empty = torch.zeros(1, 3, 48, 48)
    boxes, scores, labels = scripted(empty)
    assert boxes.shape[1] == 4 and len(scores) == len(labels)  # "no findings" is simply K = 0 or low scores


def test_every_detector_builds_and_trains_a_step():
    for arch, backbone in [("retinanet", "resnet18"), ("faster_rcnn", "resnet18"), ("ssdlite", "mobilenet_v3_large"),
                           ("faster_rcnn_mobilenet", "mobilenet_v3_large")]:
        config = merge(detection_config(), {"model": {"arch": arch, "backbone": backbone}})
        config["dataset"]["image_size"] = 64
        model = build_detector(config, 2, load_weights=False).train()
        losses = model(torch.rand(2, 3, 64, 64), [(torch.tensor([[4.0, 4.0, 30.0, 30.0]]), torch.tensor([1])),
                                                  (torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64))])
        total = sum(losses.values())
        total.backward()
        assert torch.isfinite(total), arch
        model.eval()
        with torch.no_grad():
            (boxes, scores, labels), _ = model(torch.rand(2, 3, 64, 64))
        assert boxes.shape[1] == 4 and (labels < 2).all()
        stages = model.stages()
        assert stages and all(any(n.startswith(model.backbone_prefix + p) for n, _ in model.named_parameters())
                              for ps in stages.values() for p in ps), arch


def test_a_detector_does_not_fit_a_classification_backbone(tmp_path):
    spec = make_detection_run(tmp_path, config=merge(detection_config(), {"model": {"backbone": "baseline_cnn"}}))
    code, events = run_inprocess(spec)
    assert code == 2 and "does not fit model.arch fcos" in of_type(events, "done")[-1]["error"]


def test_checkpoint_records_the_task(trained):
    spec, _, _ = trained
    state = load(os.path.join(read_spec(spec)["run_dir"], "checkpoints", "best", "checkpoint.pt"))
    assert state["task"] == "detection" and state["arch"] == "fcos" and state["classes"] == DET_CLASSES
