"""Training throughput: Trainyard's trainer vs a seed-style PyTorch reference, same data / model / batch / steps.

  /usr/bin/python3 bench/trainer/train_speed.py                       # CPU: ResNet-18 Gen2A at 64 px on HAM10000
  /usr/bin/python3 bench/trainer/train_speed.py --device cuda --size 224 --arch gen2a --backbone resnet50 \
      --precision bf16 --source-size 1024x768                          # GPU figure

Ours runs the real trainer (`python -m trainyard_trainer train --spec ...`, one phase, one epoch) on a uint8 image
cache built beforehand like the product builds it (sharp via packages/data when node + sharp are here, else PIL
with the same shorter-side-then-centre-crop; the build is a one-time cost per dataset and is reported, not timed).
Its throughput comes from the `time` of its own metrics events (log_every_n_steps = warm-up steps), from the end of
the warm-up to the end of the epoch. The reference (reference_trainer.py) decodes the JPEGs with PIL in DataLoader
workers; it is timed from the end of its warm-up to its last step. Both run in separate processes, alternately.

Source JPEGs: HAM10000 (../shared/datasets/ham10000_200x150 beside the repo, or $TRAINYARD_SHARED_DATASETS) as they are; with --source-size WxH they are
upscaled to that size; without HAM10000 (e.g. on a GPU machine) a JPEG dataset is synthesised at the source size.
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TRAINER = os.path.join(REPO, "packages", "trainer")
HAM = os.path.join(os.environ.get("TRAINYARD_SHARED_DATASETS") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "datasets"), "ham10000_200x150")
HAM_CLASSES = ["mel", "nv", "bcc", "akiec", "bkl", "df", "vasc"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--size", type=int, default=64, help="training image size (and cache size)")
    p.add_argument("--arch", default="gen2a")
    p.add_argument("--backbone", default="resnet18")
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "fp16"], help="ours; the reference is fp32")
    p.add_argument("--batch-size", type=int, default=None, help="default 64 on the CPU, 256 on a GPU")
    p.add_argument("--steps", type=int, default=None, help="timed optimizer steps (default 20 CPU, 60 GPU)")
    p.add_argument("--warmup", type=int, default=None, help="untimed warm-up steps (default 3 CPU, 10 GPU)")
    p.add_argument("--workers", type=int, default=os.cpu_count(), help="reference DataLoader workers")
    p.add_argument("--source-size", default=None, help="WxH of the source JPEGs (upscaled HAM10000 or synthetic)")
    p.add_argument("--ham", default=HAM)
    p.add_argument("--synthetic", action="store_true", help="synthesise JPEGs even when HAM10000 is present")
    p.add_argument("--cache-builder", default="auto", choices=["auto", "sharp", "pil"])
    p.add_argument("--compile", action="store_true", help="ours with torch.compile")
    p.add_argument("--ceiling", action="store_true",
                   help="also time the bare training step (same model, optimizer, loss, precision) on one fixed "
                        "batch already on the device: no data loading, no augmentation")
    p.add_argument("--repeats", type=int, default=1, help="reference/ours pairs, alternated")
    p.add_argument("--work", default=None, help="work directory (kept and reused when given)")
    a = p.parse_args()
    gpu = a.device == "cuda"
    a.batch_size = a.batch_size or (256 if gpu else 64)
    a.steps = a.steps or (60 if gpu else 20)
    a.warmup = a.warmup or (10 if gpu else 3)
    return a


# ---- source JPEGs --------------------------------------------------------------------------------------------

def ham_table(ham):
    with open(os.path.join(ham, "HAM10000_metadata.csv")) as f:
        return list(csv.DictReader(f))


def pick_ham(rows, n, rng):
    """n rows with every class present (the trainer refuses a class without positives)."""
    first = [next(i for i, r in enumerate(rows) if r["dx"] == c) for c in HAM_CLASSES]
    rest = rng.permutation([i for i in range(len(rows)) if i not in set(first)])[:n - len(first)]
    return [rows[i] for i in rng.permutation(np.concatenate([first, rest]).astype(int))]


def _upscale(job):
    src, dst, w, h = job
    from PIL import Image
    with Image.open(src) as im:
        im.convert("RGB").resize((w, h), Image.BICUBIC).save(dst, quality=90)


def _synthesise(job):
    dst, w, h, label, seed = job
    from PIL import Image, ImageDraw, ImageFilter
    rng = np.random.default_rng(seed)
    skin = rng.integers(150, 230, 3)
    base = (skin + rng.normal(0, 12, (h // 16 + 1, w // 16 + 1, 3))).clip(0, 255).astype(np.uint8)
    im = Image.fromarray(base).resize((w, h), Image.BICUBIC)
    draw = ImageDraw.Draw(im)
    cx, cy, r = w * rng.uniform(0.35, 0.65), h * rng.uniform(0.35, 0.65), min(w, h) * rng.uniform(0.15, 0.35)
    colour = tuple(int(c) for c in (skin * rng.uniform(0.2, 0.6) + label * 9).clip(0, 255))
    draw.ellipse([cx - r, cy - r * rng.uniform(0.6, 1), cx + r, cy + r], fill=colour)
    im = im.filter(ImageFilter.GaussianBlur(2))
    noise = rng.normal(0, 6, (h, w, 3))
    Image.fromarray((np.asarray(im) + noise).clip(0, 255).astype(np.uint8)).save(dst, quality=90)


def prepare_sources(a, n, work, rng):
    """Returns (jpeg paths, targets [n, C], metadata [n, 4], description)."""
    size = tuple(int(v) for v in a.source_size.lower().split("x")) if a.source_size else None
    use_ham = os.path.isfile(os.path.join(a.ham, "HAM10000_metadata.csv")) and not a.synthetic
    src_dir = os.path.join(work, "jpeg")
    os.makedirs(src_dir, exist_ok=True)
    if use_ham:
        rows = pick_ham(ham_table(a.ham), n, rng)
        originals = [os.path.join(a.ham, "images", r["image_id"] + ".jpg") for r in rows]
        labels = np.array([HAM_CLASSES.index(r["dx"]) for r in rows])
        age = np.array([float(r["age"]) if r["age"] else 50.0 for r in rows])
        sex = np.array([r["sex"] == "male" for r in rows], dtype=np.float32)
        if size:
            paths = [os.path.join(src_dir, f"{i:06d}.jpg") for i in range(n)]
            todo = [(s, d, size[0], size[1]) for s, d in zip(originals, paths) if not os.path.exists(d)]
            with Pool(os.cpu_count()) as pool:
                pool.map(_upscale, todo, chunksize=16)
            what = f"HAM10000 upscaled to {size[0]}x{size[1]}"
        else:
            paths, what = originals, "HAM10000 JPEGs at 200x150"
    else:
        size = size or (200, 150)
        labels = rng.integers(0, len(HAM_CLASSES), n)
        labels[:len(HAM_CLASSES)] = np.arange(len(HAM_CLASSES))
        age, sex = rng.uniform(20, 85, n), (rng.random(n) < 0.5).astype(np.float32)
        paths = [os.path.join(src_dir, f"{i:06d}.jpg") for i in range(n)]
        todo = [(d, size[0], size[1], int(lab), i) for i, (d, lab) in enumerate(zip(paths, labels)) if not os.path.exists(d)]
        with Pool(os.cpu_count()) as pool:
            pool.map(_synthesise, todo, chunksize=16)
        what = f"synthetic JPEGs at {size[0]}x{size[1]}"
    targets = np.zeros((n, len(HAM_CLASSES)), np.float32)
    targets[np.arange(n), labels] = 1
    metadata = np.stack([(age - 50) / 20, sex, rng.normal(size=n), rng.normal(size=n)], axis=1).astype(np.float32)
    return paths, targets, metadata, what


# ---- the image cache -----------------------------------------------------------------------------------------

def _fit(job):
    src, size = job
    from PIL import Image, ImageOps
    with Image.open(src) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        return np.asarray(ImageOps.fit(im, (size, size), Image.LANCZOS), dtype=np.uint8).tobytes()


def build_cache(a, paths, work):
    """Writes work/cache/images.u8 (N x S x S x 3); returns (path, how, seconds)."""
    out = os.path.join(work, "cache")
    os.makedirs(out, exist_ok=True)
    start = time.time()
    builder = a.cache_builder
    have_sharp = shutil.which("npx") and os.path.isdir(os.path.join(REPO, "node_modules", "sharp"))
    if builder == "sharp" or (builder == "auto" and have_sharp):
        common = os.path.commonpath(paths)
        list_file = os.path.join(work, "cache-list.txt")
        with open(list_file, "w") as f:
            f.write("\n".join(os.path.relpath(p, common) for p in paths))
        r = subprocess.run(["npx", "tsx", os.path.join(HERE, "build-cache.ts"), common, list_file, str(a.size), out],
                           cwd=REPO, capture_output=True, text=True)
        if r.returncode == 0:
            return os.path.join(out, "images.u8"), "sharp (packages/data/src/image-cache.ts)", time.time() - start
        if builder == "sharp":
            sys.exit(f"building the cache with sharp failed:\n{r.stderr}")
        print(f"sharp cache build failed ({r.stderr.strip().splitlines()[-1:]}); using PIL", file=sys.stderr)
    with Pool(os.cpu_count()) as pool, open(os.path.join(out, "images.u8"), "wb") as f:
        for frame in pool.imap(_fit, [(p, a.size) for p in paths], chunksize=16):
            f.write(frame)
    return os.path.join(out, "images.u8"), "PIL (ImageOps.fit, shorter side then centre crop)", time.time() - start


# ---- the two sides -------------------------------------------------------------------------------------------

def bench_config(a):
    return {
        "name": "bench", "dataset": {"name": "bench", "image_size": a.size},
        "model": {"arch": a.arch, "backbone": a.backbone, "pretrained": "none"},
        "training": {
            "task": "multilabel", "batch_size": a.batch_size, "precision": a.precision,
            "phases": [{"name": "train", "epochs": 1, "lr": 1e-3, "train": ["all"], "schedule": "constant"}],
            "early_stopping": {"enabled": False},
            "checkpoint": {"top_k": 0, "every_n_epochs": 0, "last": False},
            "seed": 0, "deterministic": False, "compile": a.compile, "channels_last": True,
            "log_every_n_steps": a.warmup,
        },
        "resources": {"gpus": 1 if a.device == "cuda" else 0},
    }


def run_ours(a, work, cache, n_train, n_val, targets, metadata):
    run_dir = os.path.join(work, "run")
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    n = n_train + n_val
    split = np.zeros(n, np.uint8)
    split[n_train:] = 1
    for name, array in (("rows", np.arange(n, dtype=np.int64)), ("targets", targets), ("metadata", metadata),
                        ("split", split)):
        np.save(os.path.join(run_dir, f"{name}.npy"), array)
    spec = {"version": 1, "run_id": "bench", "run_dir": run_dir, "config": bench_config(a), "classes": HAM_CLASSES,
            "data": {"images": {"path": cache, "shape": [n, a.size, a.size, 3]}, "rows": "rows.npy",
                     "targets": "targets.npy", "metadata": "metadata.npy", "split": "split.npy",
                     "metadata_encoder": None},
            "resume": None}
    return run_trainer(run_dir, spec, a.warmup, a.steps, a.batch_size)


def run_trainer(run_dir, spec, warmup, steps, batch_size):
    """Writes the spec, runs the real trainer on it, and times it from its own metrics events: from the end of
    the warm-up (log_every_n_steps = warm-up steps) to the end of the timed steps."""
    with open(os.path.join(run_dir, "spec.json"), "w") as f:
        json.dump(spec, f)
    env = dict(os.environ, PYTHONPATH=TRAINER)
    r = subprocess.run([sys.executable, "-m", "trainyard_trainer", "train", "--spec", os.path.join(run_dir, "spec.json")],
                       env=env, capture_output=True, text=True)
    events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    if r.returncode != 0 or not events or events[-1].get("state") != "completed":
        sys.exit(f"our trainer failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    train = {e["step"]: e["time"] for e in events if e["type"] == "metrics" and "train/loss" in e["values"]}
    total = warmup + steps
    if warmup not in train or total not in train:
        sys.exit(f"expected training metrics at steps {warmup} and {total}, got {sorted(train)}")
    seconds = train[total] - train[warmup]
    return {"images_per_s": steps * batch_size / seconds, "seconds": seconds}


def run_reference(a, work, paths, targets, metadata, n_train):
    np.save(os.path.join(work, "ref_targets.npy"), targets[:n_train])
    np.save(os.path.join(work, "ref_metadata.npy"), metadata[:n_train])
    job = {"config": bench_config(a), "paths": paths[:n_train], "targets": os.path.join(work, "ref_targets.npy"),
           "metadata": os.path.join(work, "ref_metadata.npy"), "device": a.device, "workers": a.workers,
           "batch_size": a.batch_size, "warmup_steps": a.warmup, "steps": a.steps}
    return run_reference_job("reference_trainer.py", job, work)


def run_reference_job(script, job, work):
    """Runs a reference trainer script of this folder on a job file; returns its one JSON line."""
    job_path = os.path.join(work, "reference_job.json")
    with open(job_path, "w") as f:
        json.dump(job, f)
    r = subprocess.run([sys.executable, os.path.join(HERE, script), "--job", job_path], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"the reference failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def run_ceiling(a):
    """images/s of the bare step: what ours would reach if feeding and augmenting the batch cost nothing."""
    sys.path.insert(0, TRAINER)
    import torch
    from trainyard_trainer.models import build_model
    from trainyard_trainer.precision import make_grad_scaler
    from trainyard_trainer.spec import resolve_config
    config = resolve_config(bench_config(a))
    device = torch.device(a.device)
    torch.backends.cudnn.benchmark = a.device == "cuda"
    model = build_model(config, len(HAM_CLASSES), 4).to(device)
    x = torch.randn(a.batch_size, 3, a.size, a.size, device=device)
    if a.device == "cuda":
        model, x = model.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
    metadata = torch.randn(a.batch_size, 4, device=device)
    y = (torch.rand(a.batch_size, len(HAM_CLASSES), device=device) < 0.2).float()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    net = torch.compile(model) if a.compile else model
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(a.precision) if a.device == "cuda" else None
    scaler = make_grad_scaler(enabled=dtype == torch.float16)

    def step():
        with torch.autocast(device_type="cuda", dtype=dtype, enabled=dtype is not None):
            logits = net(x, metadata)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), y)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)

    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
    for _ in range(a.warmup):
        step()
    sync()
    start = time.time()
    for _ in range(a.steps):
        step()
    sync()
    return a.steps * a.batch_size / (time.time() - start)


def main():
    a = parse_args()
    work = a.work or tempfile.mkdtemp(prefix="trainyard-bench-")
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(0)
    n_train, n_val = a.batch_size * (a.warmup + a.steps), 16
    paths, targets, metadata, what = prepare_sources(a, n_train + n_val, work, rng)
    cache, how, cache_s = build_cache(a, paths, work)
    import torch
    device = torch.cuda.get_device_name(0) if a.device == "cuda" else f"CPU, {os.cpu_count()} cores"
    print(f"data: {what}, {n_train} training images; model {a.arch}/{a.backbone} at {a.size} px, batch {a.batch_size}, "
          f"{a.warmup} warm-up + {a.steps} timed steps; device {device}; torch {torch.__version__}")
    print(f"image cache: built once with {how} in {cache_s:.1f} s (not timed)")
    refs, ours = [], []
    for i in range(a.repeats):
        refs.append(run_reference(a, work, paths, targets, metadata, n_train))
        print(f"  reference (PIL + DataLoader, {a.workers} workers, fp32) run {i + 1}: "
              f"{refs[-1]['images_per_s']:.1f} images/s", flush=True)
        ours.append(run_ours(a, work, cache, n_train, n_val, targets, metadata))
        print(f"  trainyard (uint8 cache, device augmentation, {a.precision}) run {i + 1}: "
              f"{ours[-1]['images_per_s']:.1f} images/s", flush=True)
    ref = statistics.median(r["images_per_s"] for r in refs)
    our = statistics.median(r["images_per_s"] for r in ours)
    print(f"reference {ref:.1f} images/s | trainyard {our:.1f} images/s | ratio {our / ref:.2f}x")
    ceiling = run_ceiling(a) if a.ceiling else None
    if ceiling:
        print(f"bare training step (no data path): {ceiling:.1f} images/s; trainyard reaches {our / ceiling:.0%} of it")
    print(json.dumps({"reference_images_per_s": round(ref, 1), "trainyard_images_per_s": round(our, 1),
                      "ratio": round(our / ref, 3),
                      "bare_step_images_per_s": round(ceiling, 1) if ceiling else None, "pairs": [round(o["images_per_s"] / r["images_per_s"], 3)
                                                              for o, r in zip(ours, refs)],
                      "device": device, "torch": torch.__version__, "data": what, "cache_builder": how}))
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
