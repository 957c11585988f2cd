"""Several processes (DDP under torchrun): who this process is, how batches are sharded, and the collectives
the loop needs. With WORLD_SIZE unset or 1 every method is a cheap no-op, so the loop has one code path.

Contract (the same results as one process, up to BatchNorm statistics, which stay per process as in any DDP):
- every rank computes the same epoch order and cuts it into the same global batches of training.batch_size;
  rank r trains on positions r, r+W, r+2W... of each global batch (DistributedSampler's interleaving, applied
  per batch), and its loss is weighted so that DDP's gradient average equals the one-process batch gradient;
- every rank draws the augmentation parameters of the whole global batch (same generator, same draws) and
  keeps its rows, so a sample is augmented as it would be in one process;
- evaluation shards each global batch the same way and gathers predictions on every rank, so every rank
  computes the same metrics and takes the same early-stopping / plateau decisions;
- only rank 0 prints events and writes checkpoints; a stop request (SIGTERM on any rank) is agreed on after
  every optimizer step through a small CPU (gloo) all-reduce, so all ranks stop at the same step.
"""
import os

import numpy as np
import torch


def _env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def requested_gpus(resources):
    """GPUs this process's node should use: gpus_per_node for a Slurm run (several nodes or executor slurm),
    else resources.gpus."""
    per_node = resources.get("gpus_per_node")
    if per_node is not None and (int(resources.get("nodes") or 1) > 1 or resources.get("executor") == "slurm"):
        return int(per_node)
    return int(resources.get("gpus") or 0)


class Distributed:
    def __init__(self):
        self.world = max(1, _env_int("WORLD_SIZE", 1))
        self.rank = _env_int("RANK", 0) if self.world > 1 else 0
        self.local_rank = _env_int("LOCAL_RANK", 0) if self.world > 1 else 0
        # torchrun and slurm_env set LOCAL_WORLD_SIZE (processes on this node); GROUP_RANK is the node's rank
        self.local_world = max(1, _env_int("LOCAL_WORLD_SIZE", self.world)) if self.world > 1 else 1
        self.nodes = -(-self.world // self.local_world)
        self.enabled = self.world > 1
        self._control = None

    @property
    def is_main(self):
        return self.rank == 0

    def init(self, use_cuda):
        """Joins the process group (torchrun's env:// rendezvous); returns this rank's device."""
        if not self.enabled:
            return torch.device("cuda" if use_cuda else "cpu")
        import torch.distributed as dist
        if use_cuda:
            # one GPU per process: all of the node's GPUs visible (index = local rank), or Slurm bound each task
            # to its own (--gpus-per-task=1: one visible, index 0)
            torch.cuda.set_device(self.local_rank % torch.cuda.device_count())
        if not dist.is_initialized():
            dist.init_process_group(backend="nccl" if use_cuda else "gloo")
        # stop flags and gathered predictions travel on the CPU: no GPU sync for a per-step check
        self._control = dist.new_group(backend="gloo") if use_cuda else dist.group.WORLD
        return torch.device(f"cuda:{torch.cuda.current_device()}" if use_cuda else "cpu")

    def close(self):
        if self.enabled:
            import torch.distributed as dist
            if dist.is_initialized():
                dist.destroy_process_group()

    def positions(self, n):
        """This rank's positions in a global batch of n samples."""
        return np.arange(self.rank, n, self.world)

    def min_batch(self):
        """The smallest global training batch kept: two samples (BatchNorm) and at least one per rank."""
        return max(2, self.world)

    def wrap(self, model, device):
        """DDP around the model for training; rebuilt per phase because DDP registers hooks only for the
        parameters that require grad when it is built."""
        if not self.enabled:
            return model
        from torch.nn.parallel import DistributedDataParallel
        ids = [device.index] if device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids)

    def no_sync(self, net, last_micro_batch):
        """Skips the gradient all-reduce on all but the last micro-batch of an accumulated step."""
        if self.enabled and not last_micro_batch:
            return net.no_sync()
        from contextlib import nullcontext
        return nullcontext()

    def any(self, flag):
        """True on every rank when `flag` is true on any rank."""
        if not self.enabled:
            return bool(flag)
        import torch.distributed as dist
        t = torch.tensor([1 if flag else 0], dtype=torch.int32)
        dist.all_reduce(t, op=dist.ReduceOp.MAX, group=self._control)
        return bool(t.item())

    def sum(self, tensor):
        """All-reduce SUM of a tensor on this rank's device (in place); returns it."""
        if self.enabled:
            import torch.distributed as dist
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
        return tensor

    def gather(self, value):
        """The list of every rank's `value` (picklable), on every rank."""
        if not self.enabled:
            return [value]
        import torch.distributed as dist
        out = [None] * self.world
        dist.all_gather_object(out, value, group=self._control)
        return out

    def barrier(self):
        if self.enabled:
            import torch.distributed as dist
            dist.barrier(group=self._control)
