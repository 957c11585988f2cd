"""Device and numeric precision, decided once per run: autocast context, gradient scaler, memory format,
cuDNN autotuning, deterministic mode."""
import os
from contextlib import nullcontext

import torch


class Precision:
    def __init__(self, training, use_cuda, log):
        precision = training["precision"]
        if training["deterministic"]:
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            torch.use_deterministic_algorithms(True, warn_only=True)
        # autotuning picks the fastest conv algorithms for the fixed input size, but not reproducibly
        torch.backends.cudnn.benchmark = use_cuda and not training["deterministic"]
        if use_cuda and not training["deterministic"]:
            torch.backends.cuda.matmul.allow_tf32 = True
            torch.backends.cudnn.allow_tf32 = True
        if precision != "fp32" and not use_cuda:
            log(f"precision {precision} needs a GPU; training in fp32 on the CPU")
            precision = "fp32"
        if precision == "bf16" and not torch.cuda.is_bf16_supported():
            log("this GPU has no bf16 support; using fp16 with loss scaling")
            precision = "fp16"
        self.name = precision
        self.dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
        self.scaler = make_grad_scaler(enabled=precision == "fp16")
        self.channels_last = bool(training["channels_last"]) and use_cuda

    def autocast(self):
        if self.dtype is None:
            return nullcontext()
        return torch.autocast(device_type="cuda", dtype=self.dtype)


def make_grad_scaler(enabled):
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):  # torch >= 2.3
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)

