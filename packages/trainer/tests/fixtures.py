"""Tiny synthetic runs: an image cache with a learnable signal, the run arrays, and a spec.json.

Class c lifts colour channel c of a sample's image (plus noise), and metadata column 0 is correlated with
class 0, so a small CNN learns it in a few epochs on a CPU.
"""
import copy
import json
import os
import subprocess
import sys

import numpy as np

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASSES = ["melanoma", "nevus", "other"]


def base_config(**overrides):
    config = {
        "name": "synthetic",
        "dataset": {"name": "synthetic", "image_size": 24},
        "model": {"arch": "gen2a", "backbone": "baseline_cnn", "pretrained": "none", "image_head": 32,
                  "metadata": {"enabled": True, "hidden": 16}, "fusion": 16, "dropout": 0.1},
        "training": {
            "task": "multilabel", "batch_size": 16, "precision": "bf16",
            "optimizer": {"name": "adamw", "weight_decay": 1e-4},
            "phases": [
                {"name": "heads", "epochs": 1, "lr": 3e-3, "train": ["heads"], "bn_update": False},
                {"name": "finetune", "epochs": 2, "lr": 3e-3, "train": ["all"], "backbone_lr_mult": 0.5,
                 "warmup_epochs": 1, "schedule": "cosine"},
            ],
            "early_stopping": {"enabled": True, "monitor": "val/auc_macro", "mode": "max", "patience": 5},
            "checkpoint": {"monitor": "val/auc_macro", "mode": "max", "top_k": 1, "every_n_epochs": 0, "last": True},
            "seed": 0, "deterministic": True, "log_every_n_steps": 2,
        },
    }
    return merge(config, overrides)


def merge(base, overrides):
    out = copy.deepcopy(base)
    for k, v in overrides.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def make_run(root, n=160, cache_size=32, metadata_dim=4, classes=CLASSES, seed=0, config=None,
             split_fractions=(0.6, 0.2, 0.2), tamper=None):
    """Writes a synthetic dataset cache + run dir under `root`; returns the spec path.

    `tamper(arrays)` may modify the dict of arrays (rows, targets, metadata, split) before they are saved.
    """
    rng = np.random.default_rng(seed)
    root = str(root)
    cache_dir = os.path.join(root, "cache", "synthetic", str(cache_size))
    run_dir = os.path.join(root, "runs", "rtest")
    os.makedirs(cache_dir, exist_ok=True)
    os.makedirs(run_dir, exist_ok=True)
    c = len(classes)
    targets = (rng.random((n, c)) < 0.4).astype(np.float32)
    targets[np.arange(n), rng.integers(0, c, n)] = 1.0  # every sample has at least one label
    images = rng.integers(0, 90, (n, cache_size, cache_size, 3)).astype(np.int16)
    for k in range(c):
        images[:, :, :, k % 3] += (targets[:, k] * 110).astype(np.int16)[:, None, None] // (1 + k // 3)
    images = np.clip(images, 0, 255).astype(np.uint8)
    images.tofile(os.path.join(cache_dir, "images.u8"))
    rows = rng.permutation(n).astype(np.int64)  # sample i lives in row rows[i]
    by_row = np.empty_like(rows)
    by_row[rows] = np.arange(n)
    arrays = {
        "rows": rows,
        "targets": targets[rows],
        "metadata": None,
        "split": np.zeros(n, dtype=np.uint8),
    }
    if metadata_dim:
        meta = rng.normal(size=(n, metadata_dim)).astype(np.float32)
        meta[:, 0] += targets[:, 0]
        arrays["metadata"] = meta[rows]
    n_train, n_val = int(split_fractions[0] * n), int(split_fractions[1] * n)
    arrays["split"][n_train:n_train + n_val] = 1
    arrays["split"][n_train + n_val:] = 2
    if tamper:
        tamper(arrays)
    paths = {}
    for name, array in arrays.items():
        if array is None:
            paths[name] = None
            continue
        paths[name] = os.path.join(run_dir, f"{name}.npy")
        np.save(paths[name], array)
    spec = {
        "version": 1,
        "run_id": "rtest",
        "run_dir": run_dir,
        "config": config or base_config(),
        "classes": list(classes),
        "data": {
            "images": {"path": os.path.join(cache_dir, "images.u8"), "shape": [n, cache_size, cache_size, 3]},
            "rows": paths["rows"], "targets": paths["targets"], "metadata": paths["metadata"],
            "split": paths["split"],
            "metadata_encoder": {"columns": [f"m{i}" for i in range(metadata_dim)], "kind": "synthetic"},
        },
        "resume": None,
    }
    spec_path = os.path.join(run_dir, "spec.json")
    write_spec(spec_path, spec)
    return spec_path


def read_spec(path):
    with open(path) as f:
        return json.load(f)


def write_spec(path, spec):
    with open(path, "w") as f:
        json.dump(spec, f, indent=2)


def with_resume(spec_path, checkpoint, new_path=None):
    spec = read_spec(spec_path)
    spec["resume"] = {"checkpoint": checkpoint}
    new_path = new_path or spec_path
    write_spec(new_path, spec)
    return new_path


def run_inprocess(spec_path):
    """Runs the trainer in this process; returns (exit code, events)."""
    from trainyard_trainer.events import ListEventWriter
    from trainyard_trainer.train import run
    events = ListEventWriter()
    code = run(spec_path, events)
    return code, events.events


def cli(*args, **kwargs):
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    return subprocess.Popen([sys.executable, "-m", "trainyard_trainer", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def of_type(events, type_):
    return [e for e in events if e["type"] == type_]


def val_metrics(events, prefix="val/"):
    """Per-epoch evaluation values: {epoch: values} for metrics events carrying `prefix` keys."""
    return {e["epoch"]: e["values"] for e in of_type(events, "metrics") if any(k.startswith(prefix) for k in e["values"])}


DET_CLASSES = ["square", "bar"]


def detection_config(**overrides):
    config = base_config(model={"arch": "fcos", "backbone": "resnet18", "pretrained": "none",
                                "metadata": {"enabled": False}, "detector": {"fpn_channels": 64, "head_convs": 1}},
                         training={"task": "detection", "batch_size": 8,
                                   "early_stopping": {"monitor": "val/map50_95"},
                                   "checkpoint": {"monitor": "val/map50_95"},
                                   "detection": {"score_threshold": 0.25, "max_detections": 50, "sample_images": 3}})
    config["dataset"]["image_size"] = 48
    config["dataset"]["labels"] = {"other_class": False}
    config["training"]["phases"] = [
        {"name": "all", "epochs": 2, "lr": 2e-3, "train": ["all"], "warmup_epochs": 0, "schedule": "cosine"}]
    config["augment"] = {"hflip": 0.5, "vflip": 0.0, "rotate": 0, "crop_scale": [0.8, 1.0], "color_jitter": 0.1}
    return merge(config, overrides)


def make_detection_run(root, n=64, cache_size=48, seed=0, config=None, tamper=None, split_fractions=(0.6, 0.2, 0.2)):
    """A synthetic detection run: bright squares (class 0) and wide bars (class 1) on noise, a quarter of the
    images empty, cached letterboxed from 64x48 sources (so the geometry is not the identity)."""
    rng = np.random.default_rng(seed)
    root = str(root)
    cache_dir = os.path.join(root, "cache", "synthetic-det", str(cache_size))
    run_dir = os.path.join(root, "runs", "dtest")
    os.makedirs(cache_dir, exist_ok=True)
    os.makedirs(run_dir, exist_ok=True)
    src_w, src_h = 64, 48
    scale = cache_size / src_w
    pad_y = (cache_size - src_h * scale) / 2
    images = rng.integers(0, 60, (n, cache_size, cache_size, 3)).astype(np.uint8)
    images[:, : int(pad_y)] = 0
    images[:, cache_size - int(pad_y):] = 0
    boxes, targets = [], np.zeros((n, 2), np.float32)
    for i in range(n):
        for _ in range(0 if i % 4 == 3 else int(rng.integers(1, 3))):
            c = int(rng.integers(0, 2))
            w, h = (int(rng.integers(8, 14)),) * 2 if c == 0 else (int(rng.integers(16, 24)), int(rng.integers(5, 8)))
            x0 = int(rng.integers(0, cache_size - w))
            y0 = int(rng.integers(int(pad_y), int(cache_size - pad_y) - h))
            images[i, y0:y0 + h, x0:x0 + w, c] = 230
            images[i, y0:y0 + h, x0:x0 + w, 2] = 200
            boxes.append([i, c, x0, y0, x0 + w, y0 + h])
            targets[i, c] = 1
    images.tofile(os.path.join(cache_dir, "images.u8"))
    split = np.zeros(n, np.uint8)
    n_train, n_val = int(split_fractions[0] * n), int(split_fractions[1] * n)
    split[n_train:n_train + n_val] = 1
    split[n_train + n_val:] = 2
    arrays = {
        "rows": np.arange(n, dtype=np.int64), "targets": targets, "split": split,
        "boxes": np.array(boxes, np.float32).reshape(-1, 6),
        "geometry": np.tile(np.array([scale, scale, 0.0, pad_y, src_w, src_h], np.float32), (n, 1)),
    }
    if tamper:
        tamper(arrays)
    paths = {}
    for name, array in arrays.items():
        paths[name] = os.path.join(run_dir, f"{name}.npy")
        np.save(paths[name], array)
    spec = {
        "version": 1, "run_id": "dtest", "run_dir": run_dir, "config": config or detection_config(),
        "classes": list(DET_CLASSES),
        "data": {
            "images": {"path": os.path.join(cache_dir, "images.u8"), "shape": [n, cache_size, cache_size, 3]},
            "rows": paths["rows"], "targets": paths["targets"], "metadata": None, "split": paths["split"],
            "boxes": paths["boxes"], "geometry": paths["geometry"], "metadata_encoder": None,
        },
        "resume": None,
    }
    spec_path = os.path.join(run_dir, "spec.json")
    write_spec(spec_path, spec)
    return spec_path


VIEWS = ["L-CC", "R-CC"]


def risk_config(**overrides):
    config = base_config(model={"arch": "cumulative_hazard", "risk": {"aggregation": "attention"}},
                         training={"task": "risk", "batch_size": 16,
                                   "early_stopping": {"monitor": "val/c_index"},
                                   "checkpoint": {"monitor": "val/c_index"},
                                   "risk": {"max_followup": 4, "missing_views": "allow"}})
    config["dataset"]["labels"] = {"other_class": False}
    config["training"]["phases"] = [
        {"name": "all", "epochs": 4, "lr": 3e-3, "train": ["all"], "warmup_epochs": 1, "schedule": "cosine"}]
    config["augment"] = {"hflip": 0.5, "vflip": 0.0, "rotate": 0, "crop_scale": [0.9, 1.0], "color_jitter": 0.0}
    return merge(config, overrides)


def make_risk_run(root, n=240, cache_size=32, metadata_dim=3, seed=0, config=None, tamper=None,
                  split_fractions=(0.6, 0.2, 0.2), missing=0.1):
    """A synthetic risk run: exams of two views; the log-hazard rises with the brightness of a blob in either
    view and with metadata column 0; exponential event times, uniform censoring; some exams lack a view."""
    rng = np.random.default_rng(seed)
    root = str(root)
    cache_dir = os.path.join(root, "cache", "synthetic-risk", str(cache_size))
    run_dir = os.path.join(root, "runs", "ktest")
    os.makedirs(cache_dir, exist_ok=True)
    os.makedirs(run_dir, exist_ok=True)
    v = len(VIEWS)
    lesion = rng.random((n, v)) < 0.4
    strength = rng.uniform(0.5, 1.0, (n, v)) * lesion
    images = rng.integers(0, 70, (n * v, cache_size, cache_size, 3)).astype(np.int16)
    for i in range(n):
        for j in range(v):
            if lesion[i, j]:
                x, y = rng.integers(4, cache_size - 12, 2)
                images[i * v + j, y:y + 8, x:x + 8, :] += int(160 * strength[i, j])
    images = np.clip(images, 0, 255).astype(np.uint8)
    images.tofile(os.path.join(cache_dir, "images.u8"))
    views = np.arange(n * v, dtype=np.int64).reshape(n, v)
    drop = rng.random(n) < missing
    views[drop, rng.integers(0, v, n)[drop]] = -1
    meta = rng.normal(size=(n, metadata_dim)).astype(np.float32) if metadata_dim else None
    log_hazard = 3.0 * strength.max(axis=1) + (0.8 * meta[:, 0] if metadata_dim else 0) - 3.0
    event_time = rng.exponential(1.0 / np.exp(log_hazard))
    censor = rng.uniform(0.5, 6.0, n)
    time = np.minimum(event_time, censor)
    event = (event_time <= censor).astype(np.float32)
    split = np.zeros(n, np.uint8)
    n_train, n_val = int(split_fractions[0] * n), int(split_fractions[1] * n)
    split[n_train:n_train + n_val] = 1
    split[n_train + n_val:] = 2
    first = np.where(views[:, 0] >= 0, views[:, 0], views[:, 1])
    arrays = {
        "rows": first, "targets": event[:, None].copy(), "split": split, "metadata": meta, "views": views,
        "survival": np.stack([time, event], axis=1).astype(np.float32), "oracle": log_hazard.astype(np.float32),
    }
    if tamper:
        tamper(arrays)
    paths = {}
    for name, array in arrays.items():
        if array is None:
            paths[name] = None
            continue
        paths[name] = os.path.join(run_dir, f"{name}.npy")
        np.save(paths[name], array)
    spec = {
        "version": 1, "run_id": "ktest", "run_dir": run_dir, "config": config or risk_config(),
        "classes": ["event"], "views": list(VIEWS),
        "data": {
            "images": {"path": os.path.join(cache_dir, "images.u8"), "shape": [n * v, cache_size, cache_size, 3]},
            "rows": paths["rows"], "targets": paths["targets"], "metadata": paths["metadata"], "split": paths["split"],
            "views": paths["views"], "survival": paths["survival"], "oracle": paths["oracle"],
            "metadata_encoder": {"columns": [f"m{i}" for i in range(metadata_dim)], "kind": "synthetic"},
        },
        "resume": None,
    }
    spec_path = os.path.join(run_dir, "spec.json")
    write_spec(spec_path, spec)
    return spec_path
