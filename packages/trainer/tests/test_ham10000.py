"""Optional smoke run on a real dermoscopy sample (HAM10000 at 200x150), skipped when the data is absent."""
import csv
import os

import numpy as np
import pytest

from fixtures import base_config, of_type, run_inprocess, val_metrics, write_spec

# the real datasets live beside the repository when a checkout has them (TRAINYARD_SHARED_DATASETS overrides)
SHARED = os.environ.get("TRAINYARD_SHARED_DATASETS") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "datasets")
HAM = os.path.join(SHARED, "ham10000_200x150")
pytestmark = pytest.mark.skipif(not os.path.isdir(os.path.join(HAM, "images")), reason="HAM10000 not available")


def test_ham10000_sample_trains(tmp_path):
    from PIL import Image
    with open(os.path.join(HAM, "HAM10000_metadata.csv")) as f:
        rows = list(csv.DictReader(f))
    rng = np.random.default_rng(0)
    label = {"mel": 0, "nv": 1}
    picked = []
    for group in (0, 1, 2):
        members = [r for r in rows if label.get(r["dx"], 2) == group]
        picked += [members[i] for i in rng.choice(len(members), 80, replace=False)]
    size = 48
    images = np.stack([np.asarray(Image.open(os.path.join(HAM, "images", r["image_id"] + ".jpg")).convert("RGB")
                                  .resize((size, size), Image.BILINEAR)) for r in picked])
    images.tofile(tmp_path / "images.u8")
    n = len(picked)
    targets = np.zeros((n, 3), dtype=np.float32)
    targets[np.arange(n), [label.get(r["dx"], 2) for r in picked]] = 1
    age = np.array([float(r["age"]) if r["age"] else 50.0 for r in picked], dtype=np.float32)
    metadata = np.stack([(age - 50) / 20, [r["sex"] == "male" for r in picked]], axis=1).astype(np.float32)
    lesion_bucket = np.array([int(r["lesion_id"][4:]) % 10 for r in picked])  # split by lesion, stably
    split = np.where(lesion_bucket < 6, 0, np.where(lesion_bucket < 8, 1, 2)).astype(np.uint8)
    for name, array in (("rows", np.arange(n, dtype=np.int64)), ("targets", targets), ("metadata", metadata),
                        ("split", split)):
        np.save(tmp_path / f"{name}.npy", array)
    config = base_config(dataset={"image_size": 40}, training={"batch_size": 32, "phases": [
        {"name": "heads", "epochs": 1, "lr": 3e-3, "train": ["heads"]},
        {"name": "finetune", "epochs": 3, "lr": 3e-3, "train": ["all"], "schedule": "cosine"}]})
    spec = {"version": 1, "run_id": "ham", "run_dir": str(tmp_path), "config": config,
            "classes": ["melanoma", "nevus", "other"],
            "data": {"images": {"path": str(tmp_path / "images.u8"), "shape": [n, size, size, 3]},
                     "rows": str(tmp_path / "rows.npy"), "targets": str(tmp_path / "targets.npy"),
                     "metadata": str(tmp_path / "metadata.npy"), "split": str(tmp_path / "split.npy"),
                     "metadata_encoder": {"columns": ["age", "sex_male"]}},
            "resume": None}
    write_spec(tmp_path / "spec.json", spec)
    code, events = run_inprocess(str(tmp_path / "spec.json"))
    assert code == 0 and events[-1]["state"] == "completed", events[-1]
    best = max(v["val/auc_macro"] for v in val_metrics(events).values())
    print(f"HAM10000 best val macro AUC {best:.3f}")
    assert best > 0.65  # chance is 0.5
    assert of_type(events, "curve")
