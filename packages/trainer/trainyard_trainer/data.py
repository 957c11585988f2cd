"""Training data: the memory-mapped image cache (np.memmap, like nanoGPT's token file) plus the run's
per-sample arrays, and the batch order. Batches are gathered as uint8 and augmented on the device (augment.py).

A sample is one image, or (risk: data.views set by the task) one exam of V views, gathered as [B, V, H, W, 3]
with zeros in a missing view's slot (view row -1).
"""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

from .spec import SPLIT_TEST, SPLIT_TRAIN, SPLIT_VAL, SpecError


class RunData:
    """The memory-mapped image cache plus the per-sample arrays of one run, all checked for consistency."""

    def __init__(self, spec, use_metadata=True, training=True):
        """training=False (an evaluation) keeps the checks on the arrays but not those on what training needs:
        samples in train and val, a positive of every class in train."""
        n, h, w, _ = spec.images_shape
        expected = n * h * w * 3
        actual = os.path.getsize(spec.images_path)
        if actual != expected:
            raise SpecError(f"{spec.images_path} holds {actual} bytes but data.images.shape {list(spec.images_shape)} "
                            f"needs {expected}; the image cache is incomplete or the shape is wrong. Rebuild the cache.")
        self.images = np.memmap(spec.images_path, dtype=np.uint8, mode="r", shape=spec.images_shape)
        self.rows = _load_array(spec.rows_path, "data.rows")
        self.targets = _load_array(spec.targets_path, "data.targets")
        self.split = _load_array(spec.split_path, "data.split")
        self.metadata = _load_array(spec.metadata_path, "data.metadata") if spec.metadata_path else None
        self.views = None  # [M, V] cache rows per view slot, -1 missing: set by a multi-view task (risk)
        classes = spec.classes

        if self.rows.ndim != 1 or not np.issubdtype(self.rows.dtype, np.integer):
            raise SpecError(f"{spec.rows_path} must be a 1-D integer array, got {self.rows.dtype} {self.rows.shape}")
        m = len(self.rows)
        if m == 0:
            raise SpecError(f"{spec.rows_path} is empty: the run has no samples")
        bad = np.flatnonzero((self.rows < 0) | (self.rows >= n))
        if len(bad):
            raise SpecError(f"{spec.rows_path}: sample {bad[0]} points to image row {self.rows[bad[0]]}, outside the "
                            f"cache's {n} rows ({spec.images_path}). The cache and the run arrays do not match.")
        self.rows = self.rows.astype(np.int64)
        if self.targets.shape != (m, len(classes)):
            raise SpecError(f"{spec.targets_path} has shape {self.targets.shape}, expected ({m}, {len(classes)}) "
                            f"= (samples in data.rows, classes)")
        self.targets = self.targets.astype(np.float32)
        if not np.all(np.isfinite(self.targets)) or self.targets.min() < 0 or self.targets.max() > 1:
            raise SpecError(f"{spec.targets_path} must hold multi-hot values in [0, 1]")
        if self.split.shape != (m,):
            raise SpecError(f"{spec.split_path} has shape {self.split.shape}, expected ({m},)")
        bad = np.flatnonzero(~np.isin(self.split, [SPLIT_TRAIN, SPLIT_VAL, SPLIT_TEST]))
        if len(bad):
            raise SpecError(f"{spec.split_path}: sample {bad[0]} has split code {self.split[bad[0]]}; "
                            f"codes are 0 train, 1 val, 2 test")
        if self.metadata is not None:
            if self.metadata.ndim != 2 or self.metadata.shape[0] != m:
                raise SpecError(f"{spec.metadata_path} has shape {self.metadata.shape}, expected ({m}, D)")
            self.metadata = self.metadata.astype(np.float32)
            bad = np.argwhere(~np.isfinite(self.metadata))
            if len(bad):
                r, col = bad[0]
                raise SpecError(f"{spec.metadata_path}: {len(bad)} non-finite value(s), first at sample {r}, column {col}. "
                                f"The metadata encoder must impute missing values; re-import the dataset or fix its schema.")
            if not use_metadata or self.metadata.shape[1] == 0:
                self.metadata = None

        self.train_idx = np.flatnonzero(self.split == SPLIT_TRAIN)
        self.val_idx = np.flatnonzero(self.split == SPLIT_VAL)
        self.test_idx = np.flatnonzero(self.split == SPLIT_TEST)
        if not training:
            return
        if len(self.train_idx) == 0:
            raise SpecError(f"{spec.split_path}: no training samples (split code 0). Check the split fractions "
                            f"(dataset.split) and the subsample fraction.")
        if len(self.val_idx) == 0:
            raise SpecError(f"{spec.split_path}: no validation samples (split code 1); evaluation and checkpoint "
                            f"selection need them. Raise dataset.split.val.")
        positives = self.targets[self.train_idx].sum(axis=0)
        missing = [c for c, p in zip(classes, positives) if p == 0]
        if missing:
            raise SpecError(f"class(es) {', '.join(missing)} have no positive samples in the training split "
                            f"({spec.targets_path}); the model cannot learn them. Remove them from the label set, "
                            f"merge them into 'other', or change the split.")

    @property
    def metadata_dim(self):
        return 0 if self.metadata is None else int(self.metadata.shape[1])


def _load_array(path, field):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise SpecError(f"{field}: cannot read {path} as a .npy array ({e})")


def epoch_order(indices, seed, epoch):
    """The shuffled sample order of one epoch: a pure function of (seed, epoch), so a resumed run replays it."""
    return np.random.default_rng([seed, epoch]).permutation(indices)


def train_batches(order, batch_size, min_batch=2):
    """Splits an epoch order into batches; a trailing batch smaller than min_batch is dropped (BatchNorm needs
    two samples; under DDP every rank needs one)."""
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    if len(batches) > 1 and len(batches[-1]) < min_batch:
        batches.pop()
    return batches


def eval_batches(indices, batch_size):
    return [indices[i:i + batch_size] for i in range(0, len(indices), batch_size)]


def steps_per_epoch(n_train, batch_size, grad_accum_steps, min_batch=2):
    n_batches = len(train_batches(np.arange(n_train), batch_size, min_batch))
    return -(-n_batches // grad_accum_steps)


def gather_batch(data, idx, pin=False):
    """Reads samples `idx` on the host: (uint8 NHWC images, or [B, V, H, W, 3] for multi-view samples, float
    targets, float metadata or None) tensors."""
    if data.views is None:
        pixels = _read_rows(data.images, data.rows[idx])
    else:
        views = data.views[idx]
        flat = views.reshape(-1)
        present = np.flatnonzero(flat >= 0)
        pixels = np.zeros((len(flat),) + data.images.shape[1:], dtype=np.uint8)
        pixels[present] = _read_rows(data.images, flat[present])
        pixels = pixels.reshape(views.shape + data.images.shape[1:])
    batch = [torch.from_numpy(pixels), torch.from_numpy(data.targets[idx]),
             None if data.metadata is None else torch.from_numpy(data.metadata[idx])]
    if pin:
        batch = [None if t is None else t.pin_memory() for t in batch]
    return batch


def _read_rows(images, rows):
    order = np.argsort(rows, kind="stable")  # read the memmap in file order, then put samples back
    pixels = np.empty((len(rows),) + images.shape[1:], dtype=np.uint8)
    pixels[order] = images[rows[order]]
    return pixels


def to_device(batch, device):
    """Host batch -> (uint8 NCHW images, or N V C H W, targets, metadata) on `device`; asynchronous from pinned memory."""
    non_blocking = device.type == "cuda"
    images, targets, metadata = (None if t is None else t.to(device, non_blocking=non_blocking) for t in batch)
    channels_first = (0, 3, 1, 2) if images.dim() == 4 else (0, 1, 4, 2, 3)
    return images.permute(*channels_first), targets, metadata


def load_batch(data, idx, device):
    """Gathers samples `idx` as (uint8 NCHW images, float targets, float metadata or None) on `device`."""
    return to_device(gather_batch(data, idx, pin=device.type == "cuda"), device)


class Prefetcher:
    """Gathers the next batch from the memmap on a background thread while the device works on this one
    (numpy's copy releases the GIL), so the training step never waits for page-cache reads."""

    def __init__(self, data, batches, device):
        self.data, self.batches, self.device = data, list(batches), device
        self.pin = device.type == "cuda"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trainyard-prefetch")
        self._next = 0
        self._pending = self._submit()

    def _submit(self):
        if self._next >= len(self.batches):
            return None
        idx = self.batches[self._next]
        self._next += 1
        return self._pool.submit(gather_batch, self.data, idx, self.pin)

    def get(self):
        """The next batch on the device, in the order given."""
        future, self._pending = self._pending, None
        batch = future.result()
        self._pending = self._submit()
        return to_device(batch, self.device)

    def close(self):
        if self._pending is not None:
            self._pending.cancel()
        self._pool.shutdown(wait=True)
