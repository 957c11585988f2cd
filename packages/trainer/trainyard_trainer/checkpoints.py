"""Checkpoints: one dict with everything needed to resume a run and to use its model elsewhere.

Layout: <run_dir>/checkpoints/<name>/checkpoint.pt + meta.json, names:
  best          the best evaluation so far on the checkpoint monitor (rank 1)
  top-2..top-k  the runners-up when checkpoint.top_k > 1 (moved down as better ones arrive)
  last          the latest epoch end, or the interruption point after SIGTERM
  epoch-<N>     every checkpoint.every_n_epochs epochs
Files are written to a temporary name in the same directory, fsynced, then renamed over the old one, so a
reader (or a crash) never sees half a checkpoint. Only plain containers, numbers, strings and tensors are
stored, so `torch.load(weights_only=True)` can read them.
"""
import json
import os
import random
import shutil

import numpy as np
import torch

from .events import finite_json
from .models import torch_load

FORMAT = "trainyard-checkpoint"


def _fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path, write):
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class DiskSpaceError(RuntimeError):
    """Too little free disk to write a checkpoint safely."""


def check_free_space(run_dir, min_free_bytes):
    if min_free_bytes <= 0:
        return
    free = shutil.disk_usage(run_dir).free
    if free < min_free_bytes:
        raise DiskSpaceError(
            f"only {free / 2**20:.0f} MiB free under {run_dir}, below the daemon's floor of "
            f"{min_free_bytes / 2**20:.0f} MiB (TRAINYARD_MIN_FREE_MB): free disk space, then resume the run")


def save(run_dir, name, state, meta, min_free_bytes=0):
    """Writes checkpoint `name` atomically; returns its directory."""
    check_free_space(run_dir, min_free_bytes)
    directory = os.path.join(run_dir, "checkpoints", name)
    os.makedirs(directory, exist_ok=True)
    _atomic_write(os.path.join(directory, "checkpoint.pt"), lambda f: torch.save(state, f))
    _atomic_write(os.path.join(directory, "meta.json"), lambda f: f.write(json.dumps(finite_json(meta), indent=2).encode()))
    _fsync_dir(directory)
    return directory


def load(path):
    state = torch_load(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{path} is not a Trainyard checkpoint (no '{FORMAT}' format tag)")
    return state


def data_mismatches(state, classes, metadata_dim):
    """How a checkpoint's model does not fit the data it is about to see (its classes, its metadata width),
    in words; empty when it fits. Resume and evaluate add their own checks to this list."""
    mismatch = []
    if state["classes"] != list(classes):
        mismatch.append(f"classes {state['classes']} vs {list(classes)}")
    if state["metadata_dim"] != metadata_dim:
        mismatch.append(f"metadata dim {state['metadata_dim']} vs {metadata_dim}")
    return mismatch


def move(run_dir, src, dst):
    """Renames checkpoint directory src to dst, replacing dst."""
    root = os.path.join(run_dir, "checkpoints")
    if os.path.isdir(os.path.join(root, dst)):
        shutil.rmtree(os.path.join(root, dst))
    os.replace(os.path.join(root, src), os.path.join(root, dst))
    return os.path.join(root, dst)


def remove(run_dir, name):
    shutil.rmtree(os.path.join(run_dir, "checkpoints", name), ignore_errors=True)


def rank_name(rank):
    return "best" if rank == 0 else f"top-{rank + 1}"


def rng_state(augment_generator):
    np_state = np.random.get_state()
    state = {
        "python": _to_lists(random.getstate()),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), int(np_state[2]), int(np_state[3]),
                  float(np_state[4])],
        "torch": torch.get_rng_state(),
        "augment": augment_generator.get_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
    }
    return state


def set_rng_state(state, augment_generator):
    random.setstate(_to_tuples(state["python"]))
    n = state["numpy"]
    np.random.set_state((n[0], n[1].numpy().astype(np.uint32), n[2], n[3], n[4]))
    torch.set_rng_state(state["torch"])
    augment_generator.set_state(state["augment"])
    if state["cuda"] and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(state["cuda"])


def _to_lists(value):
    return [_to_lists(v) for v in value] if isinstance(value, (tuple, list)) else value


def _to_tuples(value):
    return tuple(_to_tuples(v) for v in value) if isinstance(value, list) else value
