"""Risk prediction: exams of several views with a follow-up time (years) and an event flag; the model gives
P(event by year k) for k = 1 .. training.risk.max_followup (risk_models/: cumulative hazard, Cox).

Arrays beyond the common ones: data.views [M, V] (cache row per view slot, -1 missing), data.survival [M, 2]
(years, event) and, for the synthetic demo, data.oracle [M] (the true log-hazard: its C-index is reported as
<split>/c_index_oracle beside the model's). Metrics (risk_metrics.py): Harrell's and Uno's C-index, AUC per year
and their mean, the AUC-by-year and calibration curves. Each view is augmented independently.
"""
import numpy as np
import torch

from ..augment import IMAGENET_MEAN, IMAGENET_STD
from ..risk_metrics import evaluate_risk, harrell_c_index
from ..risk_models import build_risk_model
from ..spec import SpecError
from .. import models


class RiskTask:
    family = "risk"

    def __init__(self, name):
        self.name = name
        self.model = None

    # --- data and model

    def load(self, spec, data):
        m = len(data.rows)
        if not spec.views_path or not spec.survival_path:
            raise SpecError(f"{spec.path}: training.task risk needs data.views and data.survival; the dataset has no "
                            f"follow-up targets or the spec was written by an older daemon. Re-import the dataset "
                            f"with --time-col C --event-col C.")
        views = _load(spec.views_path, "data.views")
        survival = _load(spec.survival_path, "data.survival")
        n_images = spec.images_shape[0]
        if views.ndim != 2 or views.shape[0] != m or not np.issubdtype(views.dtype, np.integer):
            raise SpecError(f"{spec.views_path} has shape {views.shape} ({views.dtype}), expected integer ({m}, V) = "
                            f"(samples, view slots)")
        names = spec.view_names or [f"view{i}" for i in range(views.shape[1])]
        if len(names) != views.shape[1]:
            raise SpecError(f"{spec.path}: views names {len(names)} view slots but {spec.views_path} has {views.shape[1]}")
        bad = np.argwhere((views < -1) | (views >= n_images))
        if len(bad):
            i, v = bad[0]
            raise SpecError(f"{spec.views_path}: sample {i}, view {names[v]} points to image row {views[i, v]}, outside "
                            f"the cache's {n_images} rows. The cache and the run arrays do not match.")
        empty = np.flatnonzero((views < 0).all(axis=1))
        if len(empty):
            raise SpecError(f"{spec.views_path}: sample {empty[0]} has no view at all ({len(empty)} such samples)")
        if survival.shape != (m, 2):
            raise SpecError(f"{spec.survival_path} has shape {survival.shape}, expected ({m}, 2) = (samples, [years, event])")
        survival = survival.astype(np.float64)
        time, event = survival[:, 0], survival[:, 1]
        bad = np.flatnonzero(~np.isfinite(time) | (time < 0))
        if len(bad):
            raise SpecError(f"{spec.survival_path}: sample {bad[0]} has follow-up {time[bad[0]]!r}; follow-up must be >= 0 years")
        bad = np.flatnonzero(~np.isin(event, [0.0, 1.0]))
        if len(bad):
            raise SpecError(f"{spec.survival_path}: sample {bad[0]} has event {event[bad[0]]!r}; events are 0 or 1")
        if event[data.train_idx].sum() == 0:
            raise SpecError("the training split has no events (every case is censored): there is nothing to learn; "
                            "check dataset.split and the event column")
        self.oracle = None
        if spec.oracle_path:
            oracle = _load(spec.oracle_path, "data.oracle").astype(np.float64)
            if oracle.shape != (m,):
                raise SpecError(f"{spec.oracle_path} has shape {oracle.shape}, expected ({m},)")
            self.oracle = oracle
        data.views = views.astype(np.int64)
        self.views = data.views
        self.view_names = list(names)
        self.time = time.astype(np.float32)
        self.event = event.astype(np.float32)
        self.train_idx = data.train_idx
        self.max_followup = int(spec.config["training"]["risk"]["max_followup"])

    def build_model(self, config, classes, metadata_dim, log=lambda message: None, load_weights=True):
        self.model = build_risk_model(config, len(self.view_names), metadata_dim, log=log, load_weights=load_weights)
        return self.model

    def stages(self, config, model):
        return models.backbone_stages(config["model"]["backbone"], model.encoder.backbone)

    def backbone_prefix(self, model):
        return "encoder.backbone."

    def prepare(self, r):
        r.loss_fn = None
        split = lambda idx: (int(len(idx)), int(self.event[idx].sum()))  # noqa: E731
        (nt, et), (nv, ev) = split(r.data.train_idx), split(r.data.val_idx)
        missing = int((self.views[np.concatenate([r.data.train_idx, r.data.val_idx, r.data.test_idx])] < 0).sum())
        r.events.log(f"risk: {len(self.view_names)} views ({', '.join(self.view_names)}), {self.max_followup} years; "
                     f"events {et}/{nt} train, {ev}/{nv} val; {missing} missing view slots masked")

    # --- training and evaluation

    def _inputs(self, r, images, idx, augment):
        """[B, V, 3, H, W] uint8 -> normalised float views at image_size, and the present-view mask."""
        b, v = images.shape[0], images.shape[1]
        flat = images.flatten(0, 1)
        x = augment(flat)
        if r.precision.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        x = x.view(b, v, *x.shape[1:])
        mask = torch.from_numpy(self.views[idx] >= 0).to(images.device)
        return x, mask

    def _survival(self, idx, device):
        return (torch.from_numpy(self.time[idx]).to(device), torch.from_numpy(self.event[idx]).to(device))

    def train_step(self, r, net, images, targets, metadata, idx, n_drawn, take):
        mine = idx if take is None else idx[take]
        v = images.shape[1]
        # every view of every sample of the global batch gets its own draw, so DDP augments as one process does
        views_take = None if take is None else (np.asarray(take)[:, None] * v + np.arange(v)).reshape(-1)
        with torch.no_grad():
            x, mask = self._inputs(r, images, mine, lambda flat: r.augment.train(
                flat, r.generator, n_drawn=n_drawn * v, take=views_take))
        time, event = self._survival(mine, images.device)
        with r.precision.autocast():
            out = net(x, mask, metadata)
        return self.model.loss(out.float(), time, event), {}

    def eval_batch(self, r, net, images, targets, metadata, idx):
        x, mask = self._inputs(r, images, idx, r.augment.eval)
        time, event = self._survival(idx, images.device)
        with r.precision.autocast():
            out = net(x, mask, metadata).float()
        loss = float(self.model.loss(out, time, event)) * len(idx)
        return loss, out.cpu().numpy()

    def score(self, r, shards, n, indices, prefix):
        first = shards[0][1] if shards else np.zeros((0, 1), np.float32)
        outputs = np.zeros((n,) + first.shape[1:], np.float32)
        for positions, out in shards:
            outputs[positions] = out
        time, event = self.time[indices].astype(np.float64), self.event[indices].astype(np.float64)
        model = self.model
        out_t = torch.from_numpy(outputs)
        if prefix == "val":
            model.observe(out_t, time, event)
        with torch.no_grad():
            risks = model.risks(out_t).double().numpy()
            scores = model.score(out_t).double().numpy()
        values, curves, warnings = evaluate_risk(
            time, event, risks, self.time[self.train_idx].astype(np.float64),
            self.event[self.train_idx].astype(np.float64), self.max_followup, prefix=prefix, cindex_scores=scores)
        for message in warnings:
            r.warn_once(f"risk:{prefix}:{message}", message)
        if self.oracle is not None:
            oracle = harrell_c_index(time, event, self.oracle[indices])
            if np.isfinite(oracle):
                values[f"{prefix}/c_index_oracle"] = float(oracle)
        return values, curves, []

    # --- export (export.py)

    def exportable(self, state):
        views = state.get("views") or ["image"]
        model = build_risk_model(state["config"], len(views), state["metadata_dim"], load_weights=False)
        model.load_state_dict(state["model"])
        norm = state.get("normalization") or {"mean": IMAGENET_MEAN, "std": IMAGENET_STD}
        return ExportedRiskModel(model, norm["mean"], norm["std"]).eval()

    def example_inputs(self, state, batch=4, seed=0):
        g = torch.Generator().manual_seed(seed)
        size, v = int(state["image_size"]), len(state.get("views") or ["image"])
        images = torch.rand(batch, v, 3, size, size, generator=g)
        mask = torch.ones(batch, v)
        if v > 1:
            mask[0, -1] = 0  # one exam with a missing view: the mask is part of what is checked
        inputs = (images, mask)
        if state["metadata_dim"]:
            inputs += (torch.randn(batch, state["metadata_dim"], generator=g),)
        return inputs

    def export_example(self, r):
        return None

    def export_signature(self, state):
        size, views = state["image_size"], state.get("views") or ["image"]
        k = int(state["config"]["training"]["risk"]["max_followup"])
        inputs = {"images": f"float32 [N, {len(views)}, 3, {size}, {size}] RGB in [0, 1], views in the order "
                            f"{', '.join(views)} (zeros where a view is missing)",
                  "view_mask": f"float32 [N, {len(views)}]: 1 where the view is present, 0 where it is missing"}
        if state["metadata_dim"]:
            inputs["metadata"] = f"float32 [N, {state['metadata_dim']}] (see metadata_encoder)"
        return {
            "input_names": list(inputs),
            "output_names": ["risks"],
            "inputs": inputs,
            "output": f"risks float32 [N, {k}]: P(event by year k) for k = 1..{k}, non-decreasing in k",
            "dynamic_batch": True,
        }


class ExportedRiskModel(torch.nn.Module):
    """Normalisation + the trained risk model + its per-year risks, in one module."""

    def __init__(self, model, mean, std):
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 1, 3, 1, 1))

    def forward(self, images, view_mask, metadata=None):
        x = (images - self.mean) / self.std
        return self.model.risks(self.model(x, view_mask, metadata))


def _load(path, field):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise SpecError(f"{field}: cannot read {path} as a .npy array ({e})")
