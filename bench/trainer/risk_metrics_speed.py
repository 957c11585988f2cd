"""Risk metric speed: trainyard_trainer.risk_metrics' harrell_c_index, uno_c_index and auc_by_year on one split,
against one sklearn roc_auc_score on the same scores (the reference, measured in the same run), and the plain
O(n^2) transcription of Harrell's C that its tests check it against (tests/test_risk_metrics.py:
brute_concordance) on a smaller split, for scale.

  /usr/bin/python3 bench/trainer/risk_metrics_speed.py                   # 100,000 samples, brute force on 5,000
  /usr/bin/python3 bench/trainer/risk_metrics_speed.py --samples 20000 --brute-samples 2000

Data (deterministic, seeds 0 and 1 for the evaluated and the train split): per sample a hazard (exponential, mean
0.15 a year), an exponential event time with that hazard and a uniform censoring time over 0-6 years, so about 30%
events and continuous times; scores [n, 5] = P(event by year k) from the hazard with log-normal noise. Each figure
is the median of --repeats runs, single-threaded numpy, with the CPU seconds of this process beside the wall
seconds (the CPU figure shows what the code costs when other jobs share the cores).
"""
import argparse
import os
import statistics
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # single-threaded numpy, as the trainer's evaluation runs beside the training loop

import numpy as np  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINER = os.path.join(HERE, "..", "..", "packages", "trainer")
sys.path.insert(0, TRAINER)
sys.path.insert(0, os.path.join(TRAINER, "tests"))
from trainyard_trainer.risk_metrics import auc_by_year, harrell_c_index, uno_c_index  # noqa: E402
from test_risk_metrics import brute_concordance  # noqa: E402

YEARS = [1, 2, 3, 4, 5]


def make_split(n, seed):
    rng = np.random.default_rng(seed)
    hazard = rng.exponential(0.15, n)
    event_time = rng.exponential(1 / hazard)
    censor_time = rng.uniform(0, 6, n)
    time_ = np.minimum(event_time, censor_time)
    event = event_time <= censor_time
    scores = 1 - np.exp(-np.outer(hazard * rng.lognormal(0, 0.3, n), YEARS))
    return time_, event, scores


def timed(fn, repeats):
    """(median wall seconds, median CPU seconds of this process, result)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, default=100_000)
    p.add_argument("--brute-samples", type=int, default=5_000)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    t, e, scores = make_split(args.samples, 0)
    train_t, train_e, _ = make_split(args.samples, 1)
    risk = scores[:, -1]
    tau = float(min(YEARS[-1], train_t.max()))
    print(f"{args.samples} samples ({e.mean():.0%} events, continuous times), scores [n, {len(YEARS)}], "
          f"train split {args.samples} samples for Uno's G, tau {tau:g}")

    ref, ref_cpu, _ = timed(lambda: roc_auc_score(e, risk), args.repeats)
    print(f"reference: one sklearn roc_auc_score on the same {args.samples} scores: {ref:.3f} s wall, "
          f"{ref_cpu:.3f} s CPU")
    rows = [
        ("harrell_c_index", lambda: harrell_c_index(t, e, risk)),
        ("uno_c_index", lambda: uno_c_index(train_t, train_e, t, e, risk, tau)),
        (f"auc_by_year ({len(YEARS)} years, 2-D)", lambda: auc_by_year(t, e, scores, YEARS)),
    ]
    for name, fn in rows:
        wall, cpu, result = timed(fn, args.repeats)
        shown = f"{result:.4f}" if isinstance(result, float) else ", ".join(f"{v:.3f}" for v in result.values())
        print(f"{name:32s} {wall:.3f} s wall, {cpu:.3f} s CPU = {wall / ref:.1f}x one sklearn AUC  ({shown})")

    n = min(args.brute_samples, args.samples)
    sub = t[:n], e[:n], risk[:n]
    ours, ours_cpu, c = timed(lambda: harrell_c_index(*sub), args.repeats)
    brute, brute_cpu, (c_brute, *_) = timed(lambda: brute_concordance(*sub), 1)
    print(f"brute force O(n^2) Harrell on {n} samples: {brute:.3f} s wall, {brute_cpu:.3f} s CPU; ours on the same: "
          f"{ours:.4f} s wall ({brute / ours:.0f}x faster), difference {abs(c - c_brute):.1e}")


if __name__ == "__main__":
    main()
