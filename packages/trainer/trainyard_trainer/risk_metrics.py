"""Survival metrics for the risk task: C-indices, Kaplan-Meier, AUC by year and calibration by quartile.

time is follow-up in years (any finite number; 0 is allowed), event is 1 where the event was seen at that time and
0 where the sample was censored there. A higher risk score means an earlier event.

harrell_c_index(time, event, risk) -> float
  scikit-survival's concordance_index_censored (its first return value), rule for rule: a pair (i, j) is comparable
  when event_i == 1 and time_i < time_j, or time_i == time_j with event_j == 0 (the censored one outlived the event;
  two events at the same time are not comparable). Concordant when risk_i > risk_j; |risk_i - risk_j| <= tied_tol
  (1e-8) is a tie and counts 0.5. lifelines' concordance_index (with scores = -risk) uses the same pairs and differs
  only there: its ties are exact equality. Where sksurv raises (no comparable pair, all censored, fewer than two
  samples), nan is returned.
kaplan_meier(time, event) -> (times, survival)
  the product-limit estimate at each distinct time (censored-only times included, where it does not drop), as
  sksurv's kaplan_meier_estimator: S(t) = prod over t_k <= t of (1 - d_k / n_k), n_k = samples with time >= t_k.
censoring_survival(train_time, train_event) -> CensoringSurvival, called as G(t)
  sksurv's CensoringDistributionEstimator: the Kaplan-Meier estimate of the censoring time (event flipped), where a
  tie of events and censorings at one time puts the events first (they leave the risk set of the censoring
  distribution: 1 - c_k / (n_k - d_k)). G is 1 before the first train time. Beyond the last train time it is 0 when
  the last train time ends in censoring (G reached 0 there) and unknown otherwise: asking for it raises
  CensoringWeightsUndefined, as sksurv's predict_proba raises. A train split without any event is refused too.
uno_c_index(train_time, train_event, time, event, risk, tau) -> float
  sksurv's concordance_index_ipcw: Harrell's pairs, each comparable pair weighted by 1 / G(time_i)^2 with G from the
  train split, and only events with time_i < tau weighted (the rest weigh 0; their partners may lie beyond tau).
  Where sksurv raises because G is 0 or unknown at a test event time before tau, CensoringWeightsUndefined (a
  ValueError) says which times and the tau that would avoid them; evaluate_risk turns it into a warning. nan where
  no comparable pair has weight (sksurv: NoComparablePairException, or "all samples are censored" when no test
  event lies before tau).
auc_by_year(time, event, scores, years) -> {year: auc or None}
  cases: event == 1 and time <= year; controls: time > year (whatever happened later); samples censored by the
  year are left out. AUC = sklearn's roc_auc_score (Mann-Whitney, ties 0.5). This is NOT sksurv's
  cumulative_dynamic_auc, which weights each case by 1 / G(time_i); the two agree where every case of the year has
  the same G (no censoring before the last case), which is what the tests check against its published values.
calibration_by_quartile(time, event, predicted, year, groups) -> [{"predicted", "observed", "n"}, ...]
  samples grouped by predicted risk into `groups` equal-count groups (see the function for the tie rule); per group
  the mean prediction and the observed risk 1 - S(year) from the group's Kaplan-Meier curve.
evaluate_risk(...) -> (values, curves, warnings): the keys and curves the dashboard shows; see the function.

Speed: the C-indices are O(n log^2 n) with array operations (a suffix "how many scores below x" count, answered
over dyadic blocks of the time order, one sort per level); Kaplan-Meier is one np.unique; AUC is sklearn's.
"""
import numpy as np
from sklearn.metrics import roc_auc_score

TIED_TOL = 1e-8  # sksurv's default tied_tol for both C-indices


class CensoringWeightsUndefined(ValueError):
    """The train split cannot weight the test events: G(t) is 0 or unknown there, or the train split has no event."""


# ---------------------------------------------------------------------------------------------------------------
# Concordance


def harrell_c_index(time, event, risk, tied_tol=TIED_TOL):
    """Harrell's C (sksurv's concordance_index_censored); nan when no pair is comparable."""
    time, event = _survival_arrays(time, event)
    risk = _scores(risk, len(time), "risk", ndim=1)
    num, den, _ = _concordance(time, event, risk, np.ones(len(time)), tied_tol)
    return num / den if den > 0 else float("nan")


def uno_c_index(train_time, train_event, time, event, risk, tau, tied_tol=TIED_TOL):
    """Uno's IPCW C (sksurv's concordance_index_ipcw) truncated at tau (None: no truncation); nan when no comparable
    pair carries weight. Raises CensoringWeightsUndefined where G of the train split cannot weight a test event."""
    train_time, train_event = _survival_arrays(train_time, train_event, "train_time", "train_event")
    time, event = _survival_arrays(time, event)
    risk = _scores(risk, len(time), "risk", ndim=1)
    g = censoring_survival(train_time, train_event)
    weighted = event if tau is None else event & (time < float(tau))
    before = "" if tau is None else f" before tau = {float(tau):g}"
    t = time[weighted]
    beyond = t > g.times[-1]
    if beyond.any() and g.survival[-1] > 0:
        raise CensoringWeightsUndefined(
            f"{int(beyond.sum())} test event time(s){before} lie beyond the train split's last time "
            f"{g.times[-1]:g} (up to {t.max():g}), where its censoring survival G(t) is unknown; "
            f"pass tau <= {g.times[-1]:g} or a train split followed as long as the test split")
    gt = g(t)
    if (gt == 0).any():
        zero_from = float(g.times[np.argmax(g.survival == 0)])
        raise CensoringWeightsUndefined(
            f"the censoring survival G(t) of the train split is 0 from time {zero_from:g} on (its last samples are "
            f"censored), so {int((gt == 0).sum())} test event time(s){before} cannot be weighted by 1 / G(t)^2; "
            f"pass tau <= {zero_from:g}")
    weight = np.zeros(len(time))
    weight[weighted] = 1.0 / gt ** 2
    num, den, _ = _concordance(time, event, risk, weight, tied_tol)
    return num / den if den > 0 else float("nan")


def _concordance(time, event, risk, weight, tied_tol):
    """(sum of w_i * (concordant_i + 0.5 * tied_i), sum of w_i * comparable_i, (concordant, discordant, tied_risk))
    over the events i; the counts are unweighted, as sksurv's second to fourth return values."""
    n = len(time)
    if n < 2 or not event.any():
        return 0.0, 0.0, (0, 0, 0)
    # Time order with the events of a time before its censored samples: the partners of an event are then exactly
    # the positions from the first censored sample at its time onwards (sksurv's mask in _iter_comparable).
    order = np.lexsort((~event, time))
    t, e, r, w = time[order], event[order], risk[order], weight[order]
    first = np.searchsorted(t, t, side="left")
    past = np.searchsorted(t, t, side="right")
    events_before = np.concatenate([[0], np.cumsum(e)])
    ev = np.flatnonzero(e)
    start = first[ev] + (events_before[past[ev]] - events_before[first[ev]])
    partners = n - start
    # Thresholds as ranks in the risk order: "risk_j < risk_i - tol" is "rank_j < below", "risk_j <= risk_i + tol"
    # is "rank_j < upto" (rank: position in a stable sort by risk, so equal risks fall on the same side).
    by_risk = np.argsort(r, kind="stable")
    sorted_r = r[by_risk]
    rank = np.empty(n, dtype=np.int64)
    rank[by_risk] = np.arange(n)
    below = np.searchsorted(sorted_r, r[ev] - tied_tol, side="left")
    upto = np.searchsorted(sorted_r, r[ev] + tied_tol, side="right")
    in_prefix = _count_in_prefix(rank, start, np.concatenate([below, upto]).reshape(2, -1))
    concordant = below - in_prefix[0]  # everything below the threshold minus what lies before the suffix
    not_discordant = upto - in_prefix[1]
    tied = not_discordant - concordant
    discordant = partners - not_discordant
    num = float(np.sum(w[ev] * (concordant + 0.5 * tied)))
    den = float(np.sum(w[ev] * partners))
    counts = (int(concordant.sum()), int(discordant.sum()), int(tied.sum()))
    return num, den, counts


def _count_in_prefix(rank, end, thresholds):
    """counts[k, q] = #{p < end[q] : rank[p] < thresholds[k, q]}, rank a permutation of 0..n-1 over positions.

    [0, end) is split into the dyadic blocks of its set bits (bit L of end: the block of 2^L positions just below
    end with the lower bits cleared); at level L the positions are sorted by (block, rank), so one searchsorted per
    query answers "how many in this block rank below x". One sort per level: O(n log^2 n) in all."""
    n = len(rank)
    counts = np.zeros(thresholds.shape, dtype=np.int64)
    pos = np.arange(n, dtype=np.int64)
    for level in range(int(n).bit_length()):
        hit = np.flatnonzero((end >> level) & 1)
        if len(hit) == 0:
            continue
        keys = np.sort((pos >> level) * n + rank)
        block = (end[hit] >> level) - 1
        found = np.searchsorted(keys, block * n + thresholds[:, hit], side="left")
        counts[:, hit] += found - (block << level)  # the block starts at block << level in the sorted keys
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Kaplan-Meier


def kaplan_meier(time, event):
    """(distinct times ascending, S(t) just after each): the product-limit estimate, as sksurv's
    kaplan_meier_estimator returns it."""
    time, event = _survival_arrays(time, event)
    times, at_risk, deaths, _ = _counts(time, event)
    return times, np.cumprod(1.0 - _ratio(deaths, at_risk))


class CensoringSurvival:
    """G(t) = P(censoring time > t) estimated on a train split; call it with times (see the module docstring)."""

    def __init__(self, times, survival):
        self.times = times
        self.survival = survival

    def __call__(self, t):
        t = np.asarray(t, dtype=np.float64)
        beyond = t > self.times[-1]
        if beyond.any() and self.survival[-1] > 0:
            raise CensoringWeightsUndefined(
                f"G(t) is unknown beyond the train split's last time {self.times[-1]:g} (it ends with an event), "
                f"asked at {int(beyond.sum())} time(s) up to {t.max():g}")
        idx = np.searchsorted(self.times, t, side="right") - 1
        return np.where(idx >= 0, self.survival[np.maximum(idx, 0)], 1.0)


def censoring_survival(train_time, train_event):
    """The censoring distribution's Kaplan-Meier estimate on the train split (sksurv's
    CensoringDistributionEstimator)."""
    train_time, train_event = _survival_arrays(train_time, train_event, "train_time", "train_event")
    if not train_event.any():
        # sksurv's fit refuses it too ("all samples are censored")
        raise CensoringWeightsUndefined(f"the train split has no event among its {len(train_time)} samples; "
                                        "its censoring distribution is not estimated")
    times, at_risk, deaths, censored = _counts(train_time, train_event)
    return CensoringSurvival(times, np.cumprod(1.0 - _ratio(censored, at_risk - deaths)))


def _counts(time, event):
    """Per distinct time: (times, at risk just before it, events at it, censored at it)."""
    times, inverse, total = np.unique(time, return_inverse=True, return_counts=True)
    deaths = np.bincount(inverse[event], minlength=len(times))
    at_risk = len(time) - np.cumsum(total) + total
    return times, at_risk, deaths, total - deaths


def _ratio(count, at_risk):
    # 0 where nothing happened, so that an empty risk set (0 / 0) leaves the curve where it is, as sksurv does
    return np.divide(count, at_risk, out=np.zeros(len(count)), where=count != 0)


def _survival_at(times, survival, t):
    """S(t) of a Kaplan-Meier curve: 1 before its first time; its last value carried on after its last time (the
    product-limit estimate does not move without events; R's survfit and lifelines read it so)."""
    idx = np.searchsorted(times, t, side="right") - 1
    return 1.0 if idx < 0 else float(survival[idx])


# ---------------------------------------------------------------------------------------------------------------
# Discrimination and calibration by year


def auc_by_year(time, event, scores, years):
    """{year: AUC of cases (event by the year) against controls (followed beyond it), or None}; scores [n] for every
    year or [n, len(years)], column j for years[j]."""
    time, event = _survival_arrays(time, event)
    years = list(years)
    scores = _scores(scores, len(time), "scores", columns=len(years))
    out = {}
    for j, year in enumerate(years):
        s = scores if scores.ndim == 1 else scores[:, j]
        case = event & (time <= year)
        control = time > year
        if not case.any() or not control.any():
            out[year] = None
            continue
        keep = case | control
        out[year] = float(roc_auc_score(case[keep], s[keep]))
    return out


def calibration_by_quartile(time, event, predicted, year, groups=4):
    """[{"predicted": mean prediction, "observed": 1 - Kaplan-Meier S(year), "n": size}, ...] per risk group, lowest
    predicted risk first.

    A sample's group is floor(groups * (samples with a strictly lower prediction) / n): equal counts (within one)
    without ties, and equal predictions always in one group (the one their first rank falls in), so groups can be
    fewer than asked when predictions tie heavily; empty groups are not listed. A group whose follow-up ends before
    the year keeps the Kaplan-Meier value of its last time (see _survival_at)."""
    time, event = _survival_arrays(time, event)
    predicted = _scores(predicted, len(time), "predicted", ndim=1)
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"groups must be a positive integer, got {groups!r}")
    n = len(time)
    if n == 0:
        return []
    lower = np.searchsorted(np.sort(predicted), predicted, side="left")
    group = lower * int(groups) // n
    out = []
    for g in range(int(groups)):
        members = group == g
        if not members.any():
            continue
        times, survival = kaplan_meier(time[members], event[members])
        out.append({"predicted": float(predicted[members].mean()),
                    "observed": 1.0 - _survival_at(times, survival, year),
                    "n": int(members.sum())})
    return out


# ---------------------------------------------------------------------------------------------------------------
# The task's evaluation


def evaluate_risk(time, event, scores, train_time, train_event, max_followup, prefix="val", cindex_scores=None):
    """(values, curves, warnings) for one split.

    scores: [n, max_followup], column k - 1 = P(event by year k), or [n] (a Cox log-risk, used for every year).
    cindex_scores: [n] for both C-indices; default the last column of 2-D scores, or the 1-D scores.
    values: {prefix}/c_index, {prefix}/c_index_uno (tau = max_followup), {prefix}/auc_year/{k} for each year k with
    cases and controls, {prefix}/auc_year_mean (mean of those); a metric that is undefined is left out (never 0 or
    0.5) and a warning says which and why.
    curves: ("auc_by_year", "all", [[k, auc], ...]) over the defined years (left out when none is), and for 2-D scores
    ("calibration", f"year{max_followup}", [[mean predicted, observed], ...]) per risk quartile at year max_followup
    (1-D Cox scores are not probabilities). Points are Python floats rounded to 5 digits."""
    if isinstance(max_followup, bool) or not isinstance(max_followup, (int, np.integer)) or max_followup < 1:
        raise ValueError(f"max_followup must be a positive whole number of years, got {max_followup!r}")
    max_followup = int(max_followup)
    time, event = _survival_arrays(time, event)
    train_time, train_event = _survival_arrays(train_time, train_event, "train_time", "train_event")
    scores = _scores(scores, len(time), "scores", columns=max_followup)
    if cindex_scores is None:
        cindex_scores = scores if scores.ndim == 1 else scores[:, -1]
    cindex_scores = _scores(cindex_scores, len(time), "cindex_scores", ndim=1)
    split = f"the {prefix} split"
    values, curves, warnings = {}, [], []

    c = harrell_c_index(time, event, cindex_scores)
    if np.isnan(c):
        warnings.append(f"c_index is left out: {split} has no comparable pair ({_no_pair_reason(time, event)})")
    else:
        values[f"{prefix}/c_index"] = float(c)
    try:
        c_uno = uno_c_index(train_time, train_event, time, event, cindex_scores, tau=max_followup)
    except CensoringWeightsUndefined as err:
        warnings.append(f"c_index_uno is left out: {err}")
    else:
        if np.isnan(c_uno):
            reason = _no_pair_reason(time, event & (time < max_followup))
            warnings.append(f"c_index_uno is left out: {split} has no comparable pair with an event before "
                            f"tau = {max_followup} years ({reason})")
        else:
            values[f"{prefix}/c_index_uno"] = float(c_uno)

    aucs = auc_by_year(time, event, scores, range(1, max_followup + 1))
    defined = {}
    for k, auc in aucs.items():
        if auc is not None:
            values[f"{prefix}/auc_year/{k}"] = defined[k] = auc
        elif not (event & (time <= k)).any():
            warnings.append(f"year {k} has no cases in {split} (no event within {k} years): its AUC is left out")
        else:
            warnings.append(f"year {k} has no controls in {split} (no case followed beyond {k} years): "
                            "its AUC is left out")
    if defined:
        values[f"{prefix}/auc_year_mean"] = float(np.mean(list(defined.values())))
        curves.append(("auc_by_year", "all", [[float(k), round(auc, 5)] for k, auc in defined.items()]))

    if scores.ndim == 2 and len(time):
        groups = calibration_by_quartile(time, event, scores[:, -1], max_followup)
        curves.append(("calibration", f"year{max_followup}",
                       [[round(g["predicted"], 5), round(g["observed"], 5)] for g in groups]))
    return values, curves, warnings


def _no_pair_reason(time, event):
    if not event.any():
        return "every sample is censored" if len(time) else "it is empty"
    return "no sample was followed beyond an event time"


# ---------------------------------------------------------------------------------------------------------------
# Input checks


def _survival_arrays(time, event, time_name="time", event_name="event"):
    time = np.asarray(time, dtype=np.float64)
    raw = np.asarray(event)
    if time.ndim != 1 or raw.ndim != 1:
        raise ValueError(f"{time_name} and {event_name} must be 1-D, got shapes {list(time.shape)} and "
                         f"{list(raw.shape)}")
    if len(time) != len(raw):
        raise ValueError(f"{time_name} has {len(time)} samples but {event_name} has {len(raw)}; pass one of each "
                         "per sample")
    bad = ~np.isfinite(time)
    if bad.any():
        raise ValueError(f"{time_name}: {int(bad.sum())} of {len(time)} values are NaN or infinite (first at index "
                         f"{int(np.argmax(bad))}); every sample needs a finite follow-up time")
    if raw.dtype == bool:
        return time, raw
    as_float = raw.astype(np.float64)
    bad = (as_float != 0) & (as_float != 1)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{event_name}: {int(bad.sum())} of {len(raw)} values are not 0 or 1 (first {raw[i]!r} at "
                         f"index {i}); use 1 for an event, 0 for censoring")
    return time, as_float == 1


def _scores(scores, n, name, ndim=None, columns=None):
    """Scores as float64 [n] or [n, columns], finite."""
    scores = np.asarray(scores, dtype=np.float64)
    if ndim == 1 and scores.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one score per sample), got shape {list(scores.shape)}")
    if scores.ndim not in (1, 2) or (scores.ndim == 2 and scores.shape[1] != columns):
        raise ValueError(f"{name} must have shape [{n}] or [{n}, {columns}], got {list(scores.shape)}")
    if len(scores) != n:
        raise ValueError(f"{name} has {len(scores)} rows but there are {n} samples")
    nan = np.isnan(scores)
    inf = np.isinf(scores)
    if nan.any() or inf.any():
        raise ValueError(f"{name}: {int(nan.sum())} NaN and {int(inf.sum())} infinite value(s) among {scores.size}; "
                         "every score must be finite (check the model's outputs for those samples)")
    return scores
