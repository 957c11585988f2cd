"""How many threads a CPU run computes with.

The trainer's data path (memory-mapped uint8 cache, augmentation as tensor ops) leaves the cores to the model,
so a CPU run takes the cores it is given: TRAINYARD_CPU_THREADS (the daemon divides the machine's cores among
its CPU slots), else OMP_NUM_THREADS when set, else every core this process may run on. Some torch builds
(Debian's among them) otherwise start with a single thread.
"""
import os


def cpu_threads():
    for name in ("TRAINYARD_CPU_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
