"""Export of the best model to TorchScript and ONNX, checked against the PyTorch model."""
import json
import os
import subprocess
import sys

import pytest
import torch

from fixtures import PACKAGE_ROOT, base_config, cli, make_run, of_type, run_inprocess
from trainyard_trainer.checkpoints import load
from trainyard_trainer.export import example_inputs, exportable

ONE_EPOCH = {"phases": [{"name": "all", "epochs": 1, "lr": 3e-3, "train": ["all"]}]}


def trained_checkpoint(tmp_path, metadata_dim=4, training=None):
    spec = make_run(tmp_path, config=base_config(training={**ONE_EPOCH, **(training or {})}), metadata_dim=metadata_dim)
    code, events = run_inprocess(spec)
    assert code == 0, events[-1]
    return str(tmp_path / "runs/rtest/checkpoints/best/checkpoint.pt"), events


def export_via_cli(tmp_path, fmt, filename):
    """Trains a tiny run, exports its best checkpoint through the CLI; (checkpoint, output path, report)."""
    checkpoint, _ = trained_checkpoint(tmp_path)
    out = tmp_path / filename
    proc = cli("export", "--checkpoint", checkpoint, "--format", fmt, "-o", str(out))
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    return checkpoint, out, json.loads(stdout)


def test_torchscript_export_matches_pytorch_through_the_cli(tmp_path):
    checkpoint, out, report = export_via_cli(tmp_path, "torchscript", "model.pt")
    assert report["verified_with"] == "torch.jit.load" and report["max_abs_diff"] < 1e-5
    # independent check: the saved file gives the probabilities of the checkpoint's model
    state = load(checkpoint)
    inputs = example_inputs(state, batch=3, seed=7)
    scripted = torch.jit.load(str(out))
    with torch.no_grad():
        got, expected = scripted(*inputs), exportable(state)(*inputs)
    assert got.shape == (3, 3) and torch.allclose(got, expected, atol=1e-5)
    assert float(got.min()) >= 0 and float(got.max()) <= 1  # sigmoid outputs
    sidecar = json.loads((tmp_path / "model.pt.json").read_text())
    assert sidecar["classes"] == ["melanoma", "nevus", "other"] and "metadata" in sidecar["inputs"]


def test_onnx_export_has_image_and_metadata_inputs(tmp_path):
    onnx = pytest.importorskip("onnx")
    _, out, report = export_via_cli(tmp_path, "onnx", "model.onnx")
    graph = onnx.load(str(out)).graph
    assert [i.name for i in graph.input] == ["image", "metadata"] and [o.name for o in graph.output] == ["probabilities"]
    if report["max_abs_diff"] is None:  # no ONNX runtime here: the graph was checked, outputs not compared
        assert "onnx.checker" in report["verified_with"] and "trainyard check-onnx" in report["note"]
        for name in ("image.npy", "metadata.npy", "expected.npy"):  # the batch another runtime compares with
            assert (tmp_path / "model.onnx.check" / name).exists()
    else:
        assert report["max_abs_diff"] < 1e-4


def test_exports_at_run_end_and_image_only_multiclass(tmp_path):
    checkpoint, events = trained_checkpoint(tmp_path, metadata_dim=0,
                                            training={"export": ["torchscript"], "task": "multiclass"})
    exports = tmp_path / "runs/rtest/exports"
    assert os.path.isfile(exports / "model.torchscript.pt")
    assert any("exported the best model as torchscript" in e["message"] for e in of_type(events, "log"))
    scripted = torch.jit.load(str(exports / "model.torchscript.pt"))
    with torch.no_grad():
        probs = scripted(torch.rand(2, 3, 24, 24))
    assert torch.allclose(probs.sum(dim=1), torch.ones(2), atol=1e-5)  # softmax for a single-label task


def test_export_of_a_non_checkpoint_fails_cleanly(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"junk")
    proc = cli("export", "--checkpoint", str(tmp_path / "junk.pt"), "--format", "onnx", "-o", str(tmp_path / "x.onnx"))
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1 and stdout == "" and "cannot export" in stderr
    assert not os.path.exists(tmp_path / "x.onnx")



NOISY_LIBRARY = """
import os, sys
import trainyard_trainer.models as models
from trainyard_trainer.cli import main
real = models.build_model
def noisy(*args, **kwargs):  # as torch >= 2.9's ONNX exporter does: progress on stdout, from Python and from C
    print("[torch.onnx] Obtain model graph ...")
    os.write(1, b"C-level progress\\n")
    return real(*args, **kwargs)
models.build_model = noisy
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["export", "inspect"])
def test_library_prints_go_to_stderr_not_into_the_json_report(tmp_path, command):
    checkpoint, _ = trained_checkpoint(tmp_path)
    args = ["--checkpoint", checkpoint] + (["--format", "torchscript", "-o", str(tmp_path / "m.pt")]
                                           if command == "export" else [])
    proc = subprocess.run([sys.executable, "-c", NOISY_LIBRARY, command, *args], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=PACKAGE_ROOT), timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)  # stdout is exactly one JSON document
    assert report["ok"] and report["classes"] == ["melanoma", "nevus", "other"]
    assert "[torch.onnx] Obtain model graph" in proc.stderr and "C-level progress" in proc.stderr
