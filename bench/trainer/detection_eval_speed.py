"""Detection evaluation speed: trainyard_trainer.detection_metrics.evaluate_detections vs the plain COCOeval
transcription its tests check it against (tests/test_detection_metrics.py: coco_reference), on the same data.

  /usr/bin/python3 bench/trainer/detection_eval_speed.py                   # 5,000 images x 100 detections
  /usr/bin/python3 bench/trainer/detection_eval_speed.py --reference-images 1000

Data (deterministic, seed 0): images 640 x 512, ground truth Poisson(3) boxes per image (about 5% of the images
without any), 10 classes; per image 100 detections: a few per ground-truth box (jittered copies, sometimes the
wrong class, higher scores) and the rest background boxes with low scores, as a detector's top-100 output looks.
Ours is timed over the whole set (median of --repeats runs); the reference over the first --reference-images
images (default all), once, and ours again on that same subset, so the printed ratio compares equal work. Both
single-threaded numpy. The two results are compared too (largest difference over the AP keys).
"""
import argparse
import os
import statistics
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # single-threaded numpy, as the trainer's evaluation runs beside the training loop

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINER = os.path.join(HERE, "..", "..", "packages", "trainer")
sys.path.insert(0, TRAINER)
sys.path.insert(0, os.path.join(TRAINER, "tests"))
from trainyard_trainer.detection_metrics import evaluate_detections  # noqa: E402
from test_detection_metrics import coco_reference  # noqa: E402


def make_split(n_images, n_dets, n_classes, seed=0, width=640, height=512):
    rng = np.random.default_rng(seed)
    detections, truths = [], []
    for _ in range(n_images):
        n_gt = int(rng.poisson(3))
        wh = rng.uniform(16, 200, (n_gt, 2))
        xy = rng.uniform(0, 1, (n_gt, 2)) * ([width, height] - wh)
        gboxes = np.concatenate([xy, xy + wh], axis=1)
        glabels = rng.integers(0, n_classes, n_gt)
        # detections near each ground-truth box: 1-6 jittered copies, 10% of them the wrong class
        near = rng.integers(1, 7, n_gt)
        src = np.repeat(np.arange(n_gt), near)[:n_dets]
        jitter = rng.normal(0, 0.08, (len(src), 4)) * np.repeat(wh[src], 2, axis=1)
        boxes_near = gboxes[src] + jitter
        labels_near = np.where(rng.random(len(src)) < 0.9, glabels[src], rng.integers(0, n_classes, len(src)))
        scores_near = rng.beta(5, 2, len(src))
        n_bg = n_dets - len(src)
        bwh = rng.uniform(8, 160, (n_bg, 2))
        bxy = rng.uniform(0, 1, (n_bg, 2)) * ([width, height] - bwh)
        boxes = np.concatenate([boxes_near, np.concatenate([bxy, bxy + bwh], axis=1)])
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2])
        labels = np.concatenate([labels_near, rng.integers(0, n_classes, n_bg)])
        scores = np.concatenate([scores_near, rng.beta(1, 6, n_bg)])
        order = np.argsort(-scores, kind="stable")  # a detector returns them by score, as float32
        detections.append((boxes[order].astype(np.float32), scores[order].astype(np.float32), labels[order]))
        truths.append((gboxes.astype(np.float32), glabels))
    return detections, truths


def timed(fn, repeats):
    """(median wall seconds, median CPU seconds of this process, result): the CPU figure shows what the code
    costs when other jobs share the cores."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", type=int, default=5000)
    p.add_argument("--detections", type=int, default=100, help="per image")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--reference-images", type=int, default=None, help="images the reference runs on (default all)")
    args = p.parse_args()
    classes = [f"c{k}" for k in range(args.classes)]
    detections, truths = make_split(args.images, args.detections, args.classes)
    n_gt = sum(len(lab) for _, lab in truths)
    print(f"{args.images} images, {args.images * args.detections} detections, {n_gt} ground-truth boxes, "
          f"{args.classes} classes")

    ours, ours_cpu, (values, _) = timed(lambda: evaluate_detections(detections, truths, classes), args.repeats)
    print(f"ours:      {ours:.3f} s wall, {ours_cpu:.3f} s CPU (medians of {args.repeats})  "
          f"map50_95 {values['val/map50_95']:.4f}  map50 {values['val/map50']:.4f}")

    n_ref = min(args.reference_images or args.images, args.images)
    sub_d, sub_t = detections[:n_ref], truths[:n_ref]
    ours_sub, ours_sub_cpu, (sub_values, _) = timed(lambda: evaluate_detections(sub_d, sub_t, classes), args.repeats)
    reference, reference_cpu, ref = timed(lambda: coco_reference(sub_d, sub_t, args.classes, 100), 1)
    diffs = [abs(sub_values[f"val/{key}"] - ref[key]) for key in ("map50_95", "map50", "map75")]
    diffs += [abs(sub_values[f"val/ap/c{k}"] - ref["ap", k]) for k in range(args.classes) if ("ap", k) in ref]
    print(f"reference: {reference:.3f} s wall, {reference_cpu:.3f} s CPU on {n_ref} images "
          f"(ours on the same: {ours_sub:.3f} s wall, {ours_sub_cpu:.3f} s CPU); "
          f"largest AP difference {max(diffs):.1e}")
    print(f"ratio (reference / ours, same {n_ref} images): {reference / ours_sub:.1f}x wall, "
          f"{reference_cpu / ours_sub_cpu:.1f}x CPU")


if __name__ == "__main__":
    main()
