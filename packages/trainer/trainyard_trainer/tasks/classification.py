"""Image classification: multilabel (a sigmoid per class, BCE) and multiclass (one softmax, cross-entropy).

This is the one place where the two differ in the trainer: the output activation, the loss, and which metric
definitions apply. The model is gen2a (models.py): a backbone fused with the metadata MLP.
"""
import numpy as np
import torch

from .. import models
from ..losses import class_weighted_loss
from ..metrics import evaluate_predictions, tuned_thresholds, undefined_classes


class ClassificationTask:
    family = "classification"

    def __init__(self, name):
        self.name = name
        self.multiclass = name == "multiclass"
        # multilabel decision thresholds per class, chosen at each validation evaluation when tuned
        self.thresholds = None

    # --- data and model

    def load(self, spec, data):
        """Multi-hot targets are all classification needs; RunData checked them."""

    def build_model(self, config, classes, metadata_dim, log=lambda message: None, load_weights=True):
        return models.build_model(config, len(classes), metadata_dim, log=log, load_weights=load_weights)

    def stages(self, config, model):
        return models.model_stages(config, model)

    def backbone_prefix(self, model):
        return "backbone."

    def prepare(self, r):
        r.loss_fn = class_weighted_loss(self.multiclass, r.config["training"]["class_weights"],
                                        r.data.targets[r.data.train_idx], r.device)

    def probabilities(self, logits):
        """The one home of the sigmoid / softmax choice (training, evaluation and export all come here)."""
        return torch.softmax(logits, dim=1) if self.multiclass else torch.sigmoid(logits)

    # --- training and evaluation

    def train_step(self, r, net, images, targets, metadata, idx, n_drawn, take):
        with torch.no_grad():
            x = r.augment.train(images, r.generator, n_drawn=n_drawn, take=take)
        if r.precision.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with r.precision.autocast():
            logits = net(x, metadata)
        return r.loss_fn(logits.float(), targets), {}

    def eval_batch(self, r, net, images, targets, metadata, idx):
        x = r.augment.eval(images)
        if r.precision.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with r.precision.autocast():
            logits = net(x, metadata).float()
        loss = float(r.loss_fn(logits, targets)) * len(idx)
        return loss, (self.probabilities(logits).cpu().numpy(), targets.cpu().numpy())

    def score(self, r, shards, n, indices, prefix):
        """shards: [(positions, (probs, targets))] from every rank and batch -> (values, curves, events)."""
        c = len(r.spec.classes)
        probs, targets = np.zeros((n, c), np.float32), np.zeros((n, c), np.float32)
        for positions, (p, t) in shards:
            probs[positions], targets[positions] = p, t
        for name in undefined_classes(targets >= 0.5, r.spec.classes):
            r.warn_once(f"undefined:{prefix}:{name}",
                        f"class {name} has a single label value in the {prefix} split: its AUC/AP are undefined "
                        f"and it is left out of the macro means")
        thresholds, tuned = self.decision_thresholds(r, targets, probs, prefix)
        values, curves = evaluate_predictions(targets, probs, r.spec.classes, self.name, prefix=prefix,
                                              thresholds=thresholds, report_thresholds=tuned)
        return values, curves, []

    def decision_thresholds(self, r, targets, probs, prefix):
        """(thresholds, tuned): training.decision_threshold.value, or per class from the validation split (a val
        evaluation chooses them; test uses the last val evaluation's, which train.py runs on the best weights)."""
        dt = r.config["training"]["decision_threshold"]
        if self.multiclass or dt["tune"] == "none":
            return float(dt["value"]), False
        if prefix == "val" or self.thresholds is None:
            self.thresholds = tuned_thresholds(targets, probs, dt["tune"], default=float(dt["value"]))
        return self.thresholds, True

    def thresholds_from_val(self, config):
        """Whether the test split's decisions need a validation pass on the tested weights first."""
        return not self.multiclass and config["training"]["decision_threshold"]["tune"] != "none"

    # --- export (export.py)

    def exportable(self, state):
        model = models.build_model(state["config"], len(state["classes"]), state["metadata_dim"], load_weights=False)
        model.load_state_dict(state["model"])
        norm = state["normalization"]
        return ExportedClassifier(model, norm["mean"], norm["std"], self).eval()

    def example_inputs(self, state, batch=4, seed=0):
        g = torch.Generator().manual_seed(seed)
        size = int(state["image_size"])
        image = torch.rand(batch, 3, size, size, generator=g)
        if state["metadata_dim"]:
            return image, torch.randn(batch, state["metadata_dim"], generator=g)
        return (image,)

    def export_example(self, r):
        """The run-end export checks on the task's example batch (random images and metadata)."""
        return None

    def export_signature(self, state):
        size = state["image_size"]
        return {
            "input_names": ["image", "metadata"] if state["metadata_dim"] else ["image"],
            "output_names": ["probabilities"],
            "inputs": {"image": f"float32 [N, 3, {size}, {size}] RGB in [0, 1]",
                       **({"metadata": f"float32 [N, {state['metadata_dim']}] (see metadata_encoder)"}
                          if state["metadata_dim"] else {})},
            "output": "probabilities float32 [N, C] (" + ("softmax" if self.multiclass else "sigmoid") + ")",
            "dynamic_batch": True,
        }


class ExportedClassifier(torch.nn.Module):
    """Normalisation + the trained network + the output activation, in one module."""

    def __init__(self, model, mean, std, task):
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1))
        self.probabilities = task.probabilities  # traced into the graph

    def forward(self, image, metadata=None):
        return self.probabilities(self.model((image - self.mean) / self.std, metadata))
