"""Risk models (training.task risk): one interface, one file per model, registered here by model.arch.

Every risk model is a RiskModel: the shared multi-view encoder (encoder.py: one backbone for every view,
view aggregation, the metadata branch fused as gen2a does) followed by the model's own head. A model implements
  head(features [B, F]) -> output             its raw output (logits, a log-risk score)
  loss(output, time, event) -> scalar         time in years [B], event 0/1 [B]
  risks(output) -> [B, K]                     P(event by year k) for k = 1 .. max_followup, monotone in k
  score(output) -> [B]                        the score the C-indices rank (higher = earlier event)
and may override observe(output, time, event), which sees each validation evaluation (Cox fits its baseline).
A new model is one file beside these two plus a line in MODELS.
"""
import torch.nn as nn

from .. import models
from ..spec import SpecError
from .encoder import MultiViewEncoder


class RiskModel(nn.Module):
    def __init__(self, encoder, max_followup):
        super().__init__()
        self.encoder = encoder
        self.max_followup = max_followup

    def forward(self, images, view_mask, metadata=None):
        """images float [B, V, 3, S, S] (normalised), view_mask [B, V] (1 = present) -> the head's output."""
        return self.head(self.encoder(images, view_mask, metadata))

    def head(self, features):
        raise NotImplementedError

    def loss(self, output, time, event):
        raise NotImplementedError

    def risks(self, output):
        raise NotImplementedError

    def score(self, output):
        raise NotImplementedError

    def observe(self, output, time, event):
        """Called with a whole validation split's outputs (every rank sees the same); default: nothing."""


def _models():
    from .cox import CoxModel
    from .cumulative_hazard import CumulativeHazardModel
    return {"cumulative_hazard": CumulativeHazardModel, "cox": CoxModel}


def build_risk_model(config, views, metadata_dim, log=lambda message: None, load_weights=True):
    """The risk model a config describes, over `views` view slots."""
    m = config["model"]
    registry = _models()
    if m["arch"] not in registry:
        raise SpecError(f"config.model.arch is {m['arch']!r}; risk models are {', '.join(registry)}")
    name = m["backbone"]
    net = models.build_backbone(name, config["dataset"]["image_size"], models.backbone_options(config))
    if load_weights:
        models.load_pretrained(name, net, m["pretrained"], log)
    feature_dim = models.strip_classifier(name, net)
    if config["training"]["gradient_checkpointing"]:
        models.enable_gradient_checkpointing(name, net)
    if not m["metadata"]["enabled"]:
        metadata_dim = 0
    encoder = MultiViewEncoder(net, feature_dim, views, metadata_dim, m["image_head"], m["metadata"]["hidden"],
                               m["fusion"], m["dropout"], m["risk"]["aggregation"])
    return registry[m["arch"]](encoder, int(config["training"]["risk"]["max_followup"]))
