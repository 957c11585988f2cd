"""Exports written at the end of a run when `training.export` lists formats: the best checkpoint's model to
<run_dir>/exports/model.<ext> (+ .json sidecar), each checked against PyTorch (export.py). A failed export is a
warning, not a failed run: the checkpoint is still there and `python -m trainyard_trainer export` can retry."""
import os

from .export import export_checkpoint

EXTENSIONS = {"torchscript": "torchscript.pt", "onnx": "onnx"}


def export_best(r):
    formats = r.config["training"].get("export") or []
    best = os.path.join(r.spec.run_dir, "checkpoints", "best", "checkpoint.pt")
    for fmt in formats:
        out = os.path.join(r.spec.run_dir, "exports", f"model.{EXTENSIONS.get(fmt, fmt)}")
        try:
            report = export_checkpoint(best, fmt, out, inputs=r.task.export_example(r))
        except Exception as e:  # noqa: BLE001 - any export failure is reported the same way
            r.events.log(f"export {fmt} of the best checkpoint failed: {type(e).__name__}: {e}", level="warning")
            continue
        diff = report["max_abs_diff"]
        check = f"max |diff| {diff:.2g} vs PyTorch ({report['verified_with']})" if diff is not None else \
            f"graph checked with {report['verified_with']}, outputs not compared (no ONNX runtime)"
        r.events.log(f"exported the best model as {fmt} to {out}: {check}")
