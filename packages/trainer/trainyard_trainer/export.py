"""Export of a checkpoint's model to TorchScript or ONNX, checked against the PyTorch model on a batch. The
checkpoint's task builds the module and says its signature (tasks/*.py export_signature):

classification  image float32 [N, 3, S, S] RGB in [0, 1] (+ metadata float32 [N, D] when the model has it)
                -> probabilities float32 [N, C], sigmoid (multilabel) or softmax (multiclass)
detection       image float32 [1, 3, S, S] RGB in [0, 1], letterboxed -> boxes [K, 4] (input pixels), scores [K],
                labels int64 [K] with NMS inside; K = 0 is "no findings". TorchScript is scripted, not traced.
Normalisation is inside the model, so callers need no constants. A sidecar `<output>.json` holds the classes,
the signature, the metadata encoder and the parity check; `<output>.check/` the batch and PyTorch's outputs.
"""
import inspect
import json
import os

import numpy as np
import torch

from .checkpoints import load
from .tasks import task_of_checkpoint

FORMATS = ("torchscript", "onnx")
TOLERANCE = 1e-4
ONNX_OPSET = 14
# torch >= 2.9 exports with torch.export (dynamo) by default, which needs onnxscript and opset >= 18 and handles
# dynamic_axes only in part; the TorchScript exporter gives the same graph on torch 1.13 through 2.x.
TORCHSCRIPT_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def exportable(state):
    """The export module of a loaded checkpoint dict (its task builds it), in eval mode on the CPU."""
    return task_of_checkpoint(state).exportable(state)


def example_inputs(state, batch=4, seed=0):
    return task_of_checkpoint(state).example_inputs(state, batch=batch, seed=seed)


def _outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _max_diff(got, expected):
    """Largest |difference| over every output; outputs of different shapes (another number of detections) are
    a mismatch, reported as infinity."""
    worst = 0.0
    for g, e in zip(_outputs(got), _outputs(expected)):
        g, e = torch.as_tensor(g), torch.as_tensor(e)
        if g.shape != e.shape:
            return float("inf")
        if g.numel():
            worst = max(worst, float((g.double() - e.double()).abs().max()))
    return worst


def export_checkpoint(checkpoint_path, fmt, out_path, inputs=None):
    """Exports and checks against PyTorch on `inputs` (default: the task's example batch; real images are
    better for a detector, which finds nothing in noise); returns the report (also written to `<out_path>.json`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    state = load(checkpoint_path)
    task = task_of_checkpoint(state)
    module = task.exportable(state)
    signature = task.export_signature(state)
    inputs = tuple(inputs) if inputs is not None else task.example_inputs(state)
    with torch.no_grad():
        expected = module(*inputs)
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    save_parity_batch(f"{out_path}.check", inputs, expected, signature)
    tmp = f"{out_path}.tmp-{os.getpid()}"
    try:
        if fmt == "torchscript":
            check = _export_torchscript(module, inputs, expected, tmp, script=not signature["dynamic_batch"])
        else:
            check = _export_onnx(module, inputs, expected, tmp, signature)
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
        "inputs": signature["inputs"], "output": signature["output"], "output_names": signature["output_names"],
        "metadata_encoder": state["metadata_encoder"], "views": state.get("views"), "epoch": state["epoch"], "metrics": state["metrics"],
        # a detector says how many boxes it found on the check batch (0 would mean it was checked on nothing)
        **({"detections": int(len(_outputs(expected)[signature["output_names"].index(signature["count_output"])]))}
           if signature.get("count_output") else {}),
        **check,
    }
    with open(f"{out_path}.json", "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, default=str)
    return report


def save_parity_batch(directory, inputs, expected, signature):
    """The test batch and PyTorch's outputs as .npy files, so any runtime can repeat the comparison: one
    file per input and `expected.npy` for a single output, `expected-<name>.npy` per output otherwise."""
    os.makedirs(directory, exist_ok=True)
    for name, tensor in zip(signature["input_names"], inputs):
        np.save(os.path.join(directory, f"{name}.npy"), tensor.numpy().astype(np.float32))
    outputs = _outputs(expected)
    if len(outputs) == 1:
        np.save(os.path.join(directory, "expected.npy"), outputs[0].numpy().astype(np.float32))
        return
    for name, tensor in zip(signature["output_names"], outputs):  # float32 throughout: labels are small ints
        np.save(os.path.join(directory, f"expected-{name}.npy"), tensor.numpy().astype(np.float32))


def _export_torchscript(module, inputs, expected, path, script=False):
    # a detector's control flow depends on the image (how many boxes survive): scripted, not traced
    compiled = torch.jit.script(module) if script else torch.jit.trace(module, inputs, check_trace=False)
    compiled.save(path)
    loaded = torch.jit.load(path, map_location="cpu")
    with torch.no_grad():
        got = loaded(*inputs)
    return {"verified_with": "torch.jit.load", "max_abs_diff": _max_diff(got, expected)}


def _export_onnx(module, inputs, expected, path, signature):
    names, outputs = signature["input_names"], signature["output_names"]
    if signature["dynamic_batch"]:
        axes = {name: {0: "batch"} for name in names + outputs}
    else:  # one image in, a variable number of detections out
        axes = {name: {0: "detections"} for name in outputs}
    with torch.no_grad():
        torch.onnx.export(module, inputs, path, input_names=names, output_names=outputs,
                          dynamic_axes=axes, opset_version=ONNX_OPSET, do_constant_folding=True,
                          **TORCHSCRIPT_EXPORTER)
    feeds = {name: t.numpy() for name, t in zip(names, inputs)}
    got, runtime = run_onnx(path, feeds)
    if got is None:
        return {"verified_with": runtime, "max_abs_diff": None,
                "note": "no ONNX runtime in this interpreter (onnxruntime, or onnx >= 1.13 for onnx.reference): "
                        "the graph was checked; compare its outputs with `trainyard check-onnx <file>`, which "
                        "runs the saved test batch through onnxruntime-node"}
    return {"verified_with": runtime, "max_abs_diff": _max_diff(got, expected)}


def run_onnx(path, feeds):
    """Runs an ONNX file with the best runtime available: (outputs[0] or None, what was used)."""
    try:
        import onnxruntime
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        return session.run(None, feeds), "onnxruntime"
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
    return ReferenceEvaluator(model).run(None, feeds), "onnx.reference"
