"""Export of a checkpoint's model to TorchScript or ONNX, checked against the PyTorch model on a batch.

The exported model takes
  image     float32 [N, 3, S, S], RGB in [0, 1] (S = the checkpoint's image_size; resize / centre-crop first)
  metadata  float32 [N, D] encoded as the checkpoint's metadata_encoder describes (absent for image-only models)
and returns `probabilities` float32 [N, C]: sigmoid per class (multilabel) or softmax (multiclass), classes in
the order of the sidecar file. ImageNet normalisation is inside the model, so callers need no constants.
A sidecar `<output>.json` holds the classes, input description, metadata encoder and the parity check result.
"""
import inspect
import json
import os

import numpy as np
import torch
import torch.nn as nn

from .checkpoints import load
from .models import build_model

FORMATS = ("torchscript", "onnx")
TOLERANCE = 1e-4
ONNX_OPSET = 14
# torch >= 2.9 exports with torch.export (dynamo) by default, which needs onnxscript and opset >= 18 and handles
# dynamic_axes only in part; the TorchScript exporter gives the same graph on torch 1.13 through 2.x.
TORCHSCRIPT_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


class ExportedModel(nn.Module):
    """Normalisation + the trained network + the output activation, in one module."""

    def __init__(self, model, mean, std, task):
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))
        self.multiclass = task == "multiclass"

    def forward(self, image, metadata=None):
        logits = self.model((image - self.mean) / self.std, metadata)
        return torch.softmax(logits, dim=1) if self.multiclass else torch.sigmoid(logits)


def exportable(state):
    """The ExportedModel of a loaded checkpoint dict, in eval mode on the CPU."""
    model = build_model(state["config"], len(state["classes"]), state["metadata_dim"], load_weights=False)
    model.load_state_dict(state["model"])
    norm = state["normalization"]
    return ExportedModel(model, norm["mean"], norm["std"], state["task"]).eval()


def example_inputs(state, batch=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    size = int(state["image_size"])
    image = torch.rand(batch, 3, size, size, generator=g)
    if state["metadata_dim"]:
        return image, torch.randn(batch, state["metadata_dim"], generator=g)
    return (image,)


def export_checkpoint(checkpoint_path, fmt, out_path):
    """Exports and checks; returns the check report (also written to `<out_path>.json`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    state = load(checkpoint_path)
    module = exportable(state)
    inputs = example_inputs(state)
    with torch.no_grad():
        expected = module(*inputs)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    save_parity_batch(f"{out_path}.check", inputs, expected)
    tmp = f"{out_path}.tmp-{os.getpid()}"
    try:
        if fmt == "torchscript":
            check = _export_torchscript(module, inputs, expected, tmp)
        else:
            check = _export_onnx(module, inputs, expected, tmp, with_metadata=len(inputs) == 2)
        if check.get("max_abs_diff") is not None and check["max_abs_diff"] > TOLERANCE:
            raise ValueError(f"the {fmt} export differs from the PyTorch model by {check['max_abs_diff']:.3g} "
                             f"(> {TOLERANCE}) on a test batch; the export is not trustworthy")
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    report = {
        "ok": True, "format": fmt, "path": os.path.abspath(out_path), "checkpoint": os.path.abspath(checkpoint_path),
        "classes": state["classes"], "task": state["task"], "image_size": int(state["image_size"]),
        "inputs": {"image": f"float32 [N, 3, {state['image_size']}, {state['image_size']}] RGB in [0, 1]",
                   **({"metadata": f"float32 [N, {state['metadata_dim']}] (see metadata_encoder)"}
                      if state["metadata_dim"] else {})},
        "output": "probabilities float32 [N, C] (" + ("softmax" if state["task"] == "multiclass" else "sigmoid") + ")",
        "metadata_encoder": state["metadata_encoder"], "epoch": state["epoch"], "metrics": state["metrics"],
        **check,
    }
    with open(f"{out_path}.json", "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, default=str)
    return report


def save_parity_batch(directory, inputs, expected):
    """The test batch and PyTorch's outputs as .npy files, so any runtime can repeat the comparison."""
    os.makedirs(directory, exist_ok=True)
    for name, tensor in zip(("image", "metadata"), inputs):
        np.save(os.path.join(directory, f"{name}.npy"), tensor.numpy().astype(np.float32))
    np.save(os.path.join(directory, "expected.npy"), expected.numpy().astype(np.float32))


def _export_torchscript(module, inputs, expected, path):
    traced = torch.jit.trace(module, inputs, check_trace=False)
    traced.save(path)
    loaded = torch.jit.load(path, map_location="cpu")
    with torch.no_grad():
        got = loaded(*inputs)
    return {"verified_with": "torch.jit.load", "max_abs_diff": float((got - expected).abs().max())}


def _export_onnx(module, inputs, expected, path, with_metadata):
    names = ["image", "metadata"] if with_metadata else ["image"]
    axes = {name: {0: "batch"} for name in names + ["probabilities"]}
    with torch.no_grad():
        torch.onnx.export(module, inputs, path, input_names=names, output_names=["probabilities"],
                          dynamic_axes=axes, opset_version=ONNX_OPSET, do_constant_folding=True,
                          **TORCHSCRIPT_EXPORTER)
    feeds = {name: t.numpy() for name, t in zip(names, inputs)}
    got, runtime = run_onnx(path, feeds)
    if got is None:
        return {"verified_with": runtime, "max_abs_diff": None,
                "note": "no ONNX runtime in this interpreter (onnxruntime, or onnx >= 1.13 for onnx.reference): "
                        "the graph was checked; compare its outputs with `trainyard check-onnx <file>`, which "
                        "runs the saved test batch through onnxruntime-node"}
    return {"verified_with": runtime, "max_abs_diff": float(abs(torch.from_numpy(got) - expected).max())}


def run_onnx(path, feeds):
    """Runs an ONNX file with the best runtime available: (outputs[0] or None, what was used)."""
    try:
        import onnxruntime
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        return session.run(None, feeds)[0], "onnxruntime"
    except ImportError:
        pass
    try:
        import onnx
    except ImportError:
        return None, "nothing (neither onnxruntime nor onnx is installed)"
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    try:
        from onnx.reference import ReferenceEvaluator
    except ImportError:
        return None, f"onnx.checker (onnx {onnx.__version__})"
    return ReferenceEvaluator(model).run(None, feeds)[0], "onnx.reference"
