"""Object detection: boxes per image (data.boxes, in cache pixels) and the letterbox geometry per sample
(data.geometry), torchvision detectors (detectors.py), COCO-style mAP (detection_metrics.py), the prediction
gallery's samples and the export with post-processing inside.

Coordinates: the cache holds each image letterboxed at cache size C (source -> cache: x * scale_x + pad_x); the
model sees it at image_size S, so cache pixels are multiplied by S / C. Predictions go back to source pixels for
the samples event, so the dashboard draws them over the original image.
"""
import numpy as np
import torch
import torch.nn as nn

from ..augment import DeviceAugment, resize
from ..detection_metrics import evaluate_detections
from ..detectors import Detector, build_detector, loss_components
from ..spec import SpecError


class DetectionTask:
    family = "detection"

    def __init__(self, name):
        self.name = name

    # --- data and model

    def load(self, spec, data):
        m = len(data.rows)
        c = len(spec.classes)
        cache = spec.images_shape[1]
        if not spec.boxes_path or not spec.geometry_path:
            raise SpecError(f"{spec.path}: training.task detection needs data.boxes and data.geometry; the dataset "
                            f"has no boxes or the spec was written by an older daemon. Re-import with --boxes.")
        boxes = _load(spec.boxes_path, "data.boxes")
        geometry = _load(spec.geometry_path, "data.geometry")
        if boxes.ndim != 2 or boxes.shape[1] != 6:
            raise SpecError(f"{spec.boxes_path} has shape {boxes.shape}, expected (B, 6) = (sample, class, x0, y0, x1, y1)")
        if geometry.shape != (m, 6):
            raise SpecError(f"{spec.geometry_path} has shape {geometry.shape}, expected ({m}, 6) = (samples, "
                            f"[scale_x, scale_y, pad_x, pad_y, source_w, source_h])")
        boxes, geometry = boxes.astype(np.float64), geometry.astype(np.float64)
        bad = np.flatnonzero(~np.all(np.isfinite(boxes), axis=1))
        if len(bad):
            raise SpecError(f"{spec.boxes_path}: box {bad[0]} has a non-finite value {boxes[bad[0]].tolist()}")
        if not np.all(np.isfinite(geometry)) or np.any(geometry[:, :2] <= 0):
            raise SpecError(f"{spec.geometry_path}: every sample needs finite geometry with positive scales")
        sample, label = boxes[:, 0], boxes[:, 1]
        for what, bad in (("sample index", np.flatnonzero((sample < 0) | (sample >= m) | (sample != np.round(sample)))),
                          ("class index", np.flatnonzero((label < 0) | (label >= c) | (label != np.round(label)))),
                          ("inverted or empty extent", np.flatnonzero((boxes[:, 4] <= boxes[:, 2]) | (boxes[:, 5] <= boxes[:, 3]))),
                          ("extent outside the cache image", np.flatnonzero((boxes[:, 2:] < -0.5).any(axis=1) | (boxes[:, 2:] > cache + 0.5).any(axis=1)))):
            if len(bad):
                raise SpecError(f"{spec.boxes_path}: box {bad[0]} ({boxes[bad[0]].tolist()}) has a bad {what} "
                                f"({m} samples, {c} classes, cache {cache} px). Re-create the run so the daemon rewrites it.")
        if np.any(np.diff(sample) < 0):
            raise SpecError(f"{spec.boxes_path}: boxes must be sorted by sample index")
        self.boxes = boxes[:, 2:].astype(np.float32)
        self.labels = label.astype(np.int64)
        self.offsets = np.searchsorted(sample, np.arange(m + 1), side="left")
        self.geometry = geometry
        self.scale = spec.config["dataset"]["image_size"] / cache  # cache pixels -> model input pixels
        self.rows = data.rows
        self.classes = list(spec.classes)

    def truth(self, i):
        """(boxes [G, 4] in model-input pixels, labels [G]) of sample i."""
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.boxes[a:b] * self.scale, self.labels[a:b]

    def build_model(self, config, classes, metadata_dim, log=lambda message: None, load_weights=True):
        if config["model"]["metadata"]["enabled"] and metadata_dim:
            log("detectors use the image only: the run's metadata is not fed to the model")
        return build_detector(config, len(classes), log=log, load_weights=load_weights)

    def stages(self, config, model):
        return model.stages()

    def backbone_prefix(self, model):
        return model.backbone_prefix

    def prepare(self, r):
        # the detector normalises inside (torchvision's transform), so batches stay in [0, 1]; zeros outside
        # the image rather than reflections, which would show objects without their boxes
        r.augment = DeviceAugment(r.config["augment"], int(r.config["dataset"]["image_size"]), normalize=False,
                                  padding="zeros")
        r.loss_fn = None

    # --- training and evaluation

    def _targets(self, idx, device):
        return [tuple(torch.from_numpy(np.ascontiguousarray(a)).to(device) for a in self.truth(int(i))) for i in idx]

    def train_step(self, r, net, images, targets, metadata, idx, n_drawn, take):
        mine = idx if take is None else idx[take]
        truth = self._targets(mine, images.device)
        with torch.no_grad():
            x, truth = r.augment.train_with_boxes(images, r.generator, truth, n_drawn=n_drawn, take=take)
        with r.precision.autocast():
            losses = net(x, truth)
        loss, parts = loss_components({k: v.float() for k, v in losses.items()})
        return loss, parts

    def eval_batch(self, r, net, images, targets, metadata, idx):
        x = r.augment.eval(images)
        truth = self._targets(idx, images.device)
        # torchvision detectors give losses only in training mode: run it so, with BatchNorm statistics frozen
        net.train()
        for module in net.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.eval()
        with r.precision.autocast():
            loss, _ = loss_components({k: v.float() for k, v in net(x, truth).items()})
        net.eval()
        with r.precision.autocast():
            out = net(x)
        preds = [(b.float().cpu().numpy(), s.float().cpu().numpy(), lab.cpu().numpy()) for b, s, lab in out]
        return float(loss) * len(idx), preds

    def score(self, r, shards, n, indices, prefix):
        detections = [None] * n
        for positions, preds in shards:
            for p, d in zip(positions, preds):
                detections[p] = d
        truths = [self.truth(int(i)) for i in indices]
        d = r.config["training"]["detection"]
        values, curves = evaluate_detections(detections, truths, list(r.spec.classes), prefix=prefix,
                                             score_threshold=float(d["score_threshold"]),
                                             max_detections=int(d["max_detections"]))
        events = []
        k = min(int(d["sample_images"]), n)
        if prefix == "val" and k:
            events.append(("samples", {"split": prefix, "items": [self.sample_item(int(indices[p]), detections[p])
                                                                   for p in range(k)]}))
        return values, curves, events

    def to_source(self, i, boxes):
        """Model-input pixels of sample i -> its source image's pixels."""
        sx, sy, px, py, w, h = self.geometry[i]
        b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) / self.scale
        out = np.stack([(b[:, 0] - px) / sx, (b[:, 1] - py) / sy, (b[:, 2] - px) / sx, (b[:, 3] - py) / sy], axis=1)
        return np.clip(out, 0, [w, h, w, h])

    def sample_item(self, i, detection):
        boxes, scores, labels = detection
        classes = self.classes
        truth_boxes, truth_labels = self.truth(i)
        pred = self.to_source(i, boxes)
        true = self.to_source(i, truth_boxes)
        return {
            "row": int(self.rows[i]),
            "boxes": [[*_r(b), round(float(s), 4), classes[int(c)]] for b, s, c in zip(pred, scores, labels)],
            "truth": [[*_r(b), classes[int(c)]] for b, c in zip(true, truth_labels)],
        }

    # --- export (export.py)

    def exportable(self, state):
        model = build_detector(state["config"], len(state["classes"]), load_weights=False)
        model.load_state_dict(state["model"])
        return ExportedDetector(model).eval()

    def example_inputs(self, state, batch=1, seed=0):
        g = torch.Generator().manual_seed(seed)
        size = int(state["image_size"])
        return (torch.rand(1, 3, size, size, generator=g),)

    def export_example(self, r):
        """A real validation image for the run-end export's parity check: a detector finds nothing in noise."""
        i = int(r.data.val_idx[0])
        image = torch.from_numpy(np.ascontiguousarray(r.data.images[r.data.rows[i]])).permute(2, 0, 1)[None]
        return (resize(image.float() / 255.0, int(r.config["dataset"]["image_size"])),)

    def export_signature(self, state):
        size = state["image_size"]
        return {
            "input_names": ["image"],
            "output_names": ["boxes", "scores", "labels"],
            "inputs": {"image": f"float32 [1, 3, {size}, {size}] RGB in [0, 1], the image letterboxed to a square "
                                f"(longer side to {size}, centred, black padding)"},
            "output": "boxes float32 [K, 4] (x0, y0, x1, y1 in input pixels), scores float32 [K], labels int64 [K] "
                      "(index into classes); K = 0 means no findings",
            "dynamic_batch": False,
            "count_output": "scores",
        }


class ExportedDetector(nn.Module):
    """One letterboxed image in, the post-processed detections out (NMS and the score floor inside)."""

    def __init__(self, model: Detector):
        super().__init__()
        self.det = model.det

    def forward(self, image):
        if torch.jit.is_scripting():  # scripted torchvision detectors return (losses, detections)
            d = self.det([image[0]])[1][0]
        else:
            d = self.det([image[0]])[0]
        return d["boxes"], d["scores"], d["labels"] - 1


def _r(box):
    return [round(float(v), 2) for v in box]


def _load(path, field):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise SpecError(f"{field}: cannot read {path} as a .npy array ({e})")
