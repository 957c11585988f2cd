"""A Cox proportional-hazards head: one log-risk score s(x), trained with the negative log partial likelihood
(Breslow's handling of tied times) over the batch:

  loss = -1/E * sum_{i: event} [ s_i - log sum_{j: t_j >= t_i} exp(s_j) ]
The per-year risks need a baseline: Breslow's cumulative hazard H0 at years 1..K, fitted on each validation
evaluation's outputs (observe) and kept as a buffer, so a checkpoint carries the baseline of its own evaluation:
P(event by year k) = 1 - exp(-H0(k) * exp(s)).
"""
import numpy as np
import torch
import torch.nn as nn

from . import RiskModel


def cox_partial_likelihood(score, time, event):
    """Mean negative log partial likelihood with Breslow ties; 0 (with a gradient path) for a batch without events."""
    score, time, event = score.float(), time.float(), event.float()
    order = torch.argsort(time, descending=True)
    s, t, e = score[order], time[order], event[order]
    # log sum over the risk set {j: t_j >= t_i}: a running logsumexp in descending time, taken at the last index
    # of each group of tied times so that ties share one risk set
    running = torch.logcumsumexp(s, dim=0)
    last_of_tie = torch.searchsorted(-t, -t, right=True) - 1
    log_risk = running[last_of_tie]
    events = e.sum()
    if events < 1:
        return score.sum() * 0.0
    return -((s - log_risk) * e).sum() / events


def breslow_baseline(score, time, event, years):
    """Breslow's baseline cumulative hazard H0 at each of `years`: sum over event times t <= k of
    d(t) / sum_{j: t_j >= t} exp(s_j)."""
    score, time, event = (np.asarray(a, dtype=np.float64) for a in (score, time, event))
    shift = score.max() if len(score) else 0.0
    risk = np.exp(score - shift)
    order = np.argsort(-time, kind="stable")
    at_risk = np.cumsum(risk[order])
    t_sorted = time[order]
    out = []
    event_times = np.unique(time[event > 0.5])
    denominators = at_risk[np.searchsorted(-t_sorted, -event_times, side="right") - 1] if len(event_times) else []
    deaths = np.array([np.sum((time == u) & (event > 0.5)) for u in event_times])
    increments = deaths / np.asarray(denominators) if len(event_times) else np.zeros(0)
    for k in years:
        out.append(float(increments[event_times <= k].sum()) / np.exp(shift))
    return out


class CoxModel(RiskModel):
    def __init__(self, encoder, max_followup):
        super().__init__(encoder, max_followup)
        self.log_risk = nn.Linear(encoder.out_features, 1)
        self.register_buffer("baseline_hazard", torch.zeros(max_followup))

    def head(self, features):
        return self.log_risk(features).squeeze(1)

    def loss(self, output, time, event):
        return cox_partial_likelihood(output, time, event)

    def risks(self, output):
        h0 = self.baseline_hazard.to(output.dtype)
        return 1 - torch.exp(-h0.unsqueeze(0) * torch.exp(output.unsqueeze(1)))

    def score(self, output):
        return output

    def observe(self, output, time, event):
        h0 = breslow_baseline(output, time, event, range(1, self.max_followup + 1))
        self.baseline_hazard.copy_(torch.tensor(h0, dtype=self.baseline_hazard.dtype))
