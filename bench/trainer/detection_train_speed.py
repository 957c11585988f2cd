"""Detection training throughput: Trainyard's trainer vs the torchvision-references-style loop, same detector,
data, batch and steps.

  /usr/bin/python3 bench/trainer/detection_train_speed.py                  # CPU: FCOS/ResNet-18 at 128 px
  /usr/bin/python3 bench/trainer/detection_train_speed.py --device cuda --size 512 --backbone resnet50 \
      --fpn-channels 256 --head-convs 4 --batch-size 32                  # the GPU figure

The data: synthetic JPEGs (non-square, a few bright boxes each, some empty) written once. Ours runs the real
trainer (`python -m trainyard_trainer train --spec ...`, one phase, one epoch) on a letterboxed uint8 cache built
beforehand with the geometry the product's cache keeps (a one-time cost per dataset, reported, not timed); its
throughput comes from its own metrics events between the end of the warm-up and the end of the timed steps. The
reference (detection_reference.py) decodes the JPEGs with PIL in DataLoader workers. Pairs alternate; the ratio
is the median of ours over the median of the reference.
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np
from PIL import Image, ImageDraw

from train_speed import run_reference_job, run_trainer

CLASSES = ["nodule", "mass"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--arch", default="fcos")
    p.add_argument("--backbone", default="resnet18")
    p.add_argument("--fpn-channels", type=int, default=64)
    p.add_argument("--head-convs", type=int, default=2)
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "fp16"], help="ours; the reference is fp32")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--steps", type=int, default=12, help="timed optimizer steps")
    p.add_argument("--warmup", type=int, default=3, help="untimed warm-up steps")
    p.add_argument("--workers", type=int, default=os.cpu_count(), help="reference DataLoader workers")
    p.add_argument("--source-size", default="640x512", help="WxH of the source JPEGs")
    p.add_argument("--repeats", type=int, default=2, help="reference/ours pairs, alternated")
    p.add_argument("--work", default=None)
    return p.parse_args()


def make_sources(a, n, work, rng):
    w, h = (int(v) for v in a.source_size.split("x"))
    paths, boxes, labels = [], [], []
    for i in range(n):
        img = Image.fromarray(rng.integers(40, 90, (h, w, 3), dtype=np.uint8))
        draw = ImageDraw.Draw(img)
        b, lab = [], []
        for _ in range(0 if i % 5 == 4 else int(rng.integers(1, 4))):
            s = int(rng.integers(w // 16, w // 5))
            x0, y0 = int(rng.integers(0, w - s)), int(rng.integers(0, h - s))
            c = int(rng.integers(0, 2))
            draw.rectangle([x0, y0, x0 + s - 1, y0 + (s if c == 0 else s // 2) - 1], fill=(230, 220, 200) if c == 0 else (200, 120, 90))
            b.append([x0, y0, x0 + s, y0 + (s if c == 0 else s // 2)])
            lab.append(c)
        path = os.path.join(work, f"img{i:05d}.jpg")
        img.save(path, quality=92)
        paths.append(path)
        boxes.append(b)
        labels.append(lab)
    return paths, boxes, labels, (w, h)


def build_cache(a, paths, boxes, labels, source, work):
    """The letterboxed cache, boxes in cache pixels and the geometry, as the product's cache and spec hold them."""
    size, (w, h) = a.size, source
    s = size / max(w, h)
    nw, nh = round(w * s), round(h * s)
    px, py = (size - nw) // 2, (size - nh) // 2
    start = time.time()
    cache = np.zeros((len(paths), size, size, 3), np.uint8)
    for i, p in enumerate(paths):
        with Image.open(p) as im:
            cache[i, py:py + nh, px:px + nw] = np.asarray(im.convert("RGB").resize((nw, nh), Image.BILINEAR))
    cache.tofile(os.path.join(work, "images.u8"))
    rows = [[i, c, x0 * nw / w + px, y0 * nh / h + py, x1 * nw / w + px, y1 * nh / h + py]
            for i, (bs, ls) in enumerate(zip(boxes, labels)) for (x0, y0, x1, y1), c in zip(bs, ls)]
    geometry = np.tile([nw / w, nh / h, px, py, w, h], (len(paths), 1)).astype(np.float32)
    return np.array(rows, np.float32).reshape(-1, 6), geometry, time.time() - start


def bench_config(a):
    return {
        "name": "bench", "dataset": {"name": "bench", "image_size": a.size, "labels": {"other_class": False}},
        "model": {"arch": a.arch, "backbone": a.backbone, "pretrained": "none", "metadata": {"enabled": False},
                  "detector": {"fpn_channels": a.fpn_channels, "head_convs": a.head_convs}},
        "training": {"task": "detection", "batch_size": a.batch_size, "precision": a.precision,
                     "phases": [{"name": "bench", "epochs": 1, "lr": 1e-3, "train": ["all"]}],
                     "log_every_n_steps": a.warmup, "early_stopping": {"enabled": False},
                     "checkpoint": {"top_k": 0, "every_n_epochs": 0, "last": False},
                     "detection": {"sample_images": 0}},
        "augment": {"hflip": 0.5, "vflip": 0.0, "rotate": 0, "crop_scale": [1.0, 1.0], "color_jitter": 0.0},
        "resources": {"gpus": 1 if a.device == "cuda" else 0},
    }


def run_ours(a, work, n_train, n_val, boxes, geometry):
    run_dir = os.path.join(work, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    n = n_train + n_val
    split = np.zeros(n, np.uint8)
    split[n_train:] = 1
    targets = np.zeros((n, len(CLASSES)), np.float32)
    targets[boxes[:, 0].astype(int), boxes[:, 1].astype(int)] = 1
    for name, array in (("rows", np.arange(n, dtype=np.int64)), ("targets", targets), ("split", split),
                        ("boxes", boxes), ("geometry", geometry)):
        np.save(os.path.join(run_dir, f"{name}.npy"), array)
    spec = {"version": 1, "run_id": "bench", "run_dir": run_dir, "config": bench_config(a), "classes": CLASSES,
            "data": {"images": {"path": os.path.join(work, "images.u8"), "shape": [n, a.size, a.size, 3]},
                     "rows": "rows.npy", "targets": "targets.npy", "metadata": None, "split": "split.npy",
                     "boxes": "boxes.npy", "geometry": "geometry.npy", "metadata_encoder": None},
            "resume": None}
    return run_trainer(run_dir, spec, a.warmup, a.steps, a.batch_size)


def run_reference(a, work, paths, boxes, labels, n_train):
    job = {"config": bench_config(a), "classes": CLASSES, "paths": paths[:n_train], "boxes": boxes[:n_train],
           "labels": labels[:n_train], "workers": a.workers, "batch_size": a.batch_size,
           "warmup_steps": a.warmup, "steps": a.steps}
    return run_reference_job("detection_reference.py", job, work)


def main():
    a = parse_args()
    work = a.work or tempfile.mkdtemp(prefix="trainyard-detbench-")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(0)
    n_train, n_val = a.batch_size * (a.warmup + a.steps), 8
    paths, boxes, labels, source = make_sources(a, n_train + n_val, work, rng)
    cache_boxes, geometry, cache_s = build_cache(a, paths, boxes, labels, source, work)
    import torch
    device = torch.cuda.get_device_name(0) if a.device == "cuda" else f"CPU, {os.cpu_count()} cores"
    print(f"data: {n_train} synthetic {a.source_size} JPEGs; {a.arch}/{a.backbone} (FPN {a.fpn_channels}, "
          f"{a.head_convs} head convs) at {a.size} px, batch {a.batch_size}, {a.warmup} warm-up + {a.steps} timed "
          f"steps; device {device}; torch {torch.__version__}; cache built once in {cache_s:.1f} s (not timed)")
    refs, ours = [], []
    for i in range(a.repeats):
        refs.append(run_reference(a, work, paths, boxes, labels, n_train))
        print(f"  reference (PIL + DataLoader, {a.workers} workers, fp32) run {i + 1}: {refs[-1]['images_per_s']:.1f} images/s", flush=True)
        ours.append(run_ours(a, work, n_train, n_val, cache_boxes, geometry))
        print(f"  trainyard (uint8 cache, device augmentation, {a.precision}) run {i + 1}: {ours[-1]['images_per_s']:.1f} images/s", flush=True)
    ref = statistics.median(r["images_per_s"] for r in refs)
    our = statistics.median(r["images_per_s"] for r in ours)
    print(f"reference {ref:.1f} images/s | trainyard {our:.1f} images/s | ratio {our / ref:.2f}x")
    print(json.dumps({"reference_images_per_s": round(ref, 1), "trainyard_images_per_s": round(our, 1),
                      "ratio": round(our / ref, 3), "pairs": [round(o["images_per_s"] / r["images_per_s"], 3)
                                                              for o, r in zip(ours, refs)],
                      "device": device, "torch": torch.__version__}))
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
