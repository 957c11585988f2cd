"""Survival metrics against scikit-survival and lifelines.

Neither library can be installed here, so three kinds of evidence stand in for running them:
- their own test cases, inputs and expected values copied literally (each cites repository, file and test; read at
  sebp/scikit-survival 0d71616 and CamDavidsonPilon/lifelines ad023a0);
- small cases computed by hand, the working in the comments;
- plain O(n^2) transcriptions of each definition (below: brute_*), one sample pair at a time, that the fast
  versions must agree with on random data made of heavy ties (integer times, scores rounded to tenths).
"""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from trainyard_trainer.risk_metrics import (
    CensoringWeightsUndefined,
    _concordance,
    auc_by_year,
    calibration_by_quartile,
    censoring_survival,
    evaluate_risk,
    harrell_c_index,
    kaplan_meier,
    uno_c_index,
)


# ---------------------------------------------------------------------------------------------------------------
# The definitions, transcribed one pair at a time


def brute_concordance(time, event, risk, weight=None, tol=1e-8):
    """sksurv's _estimate_concordance_index written from its definition: (C, concordant, discordant, tied_risk)."""
    time, event, risk = np.asarray(time, float), np.asarray(event, bool), np.asarray(risk, float)
    weight = np.ones(len(time)) if weight is None else np.asarray(weight, float)
    num = den = 0.0
    con = dis = tie = 0
    for i in range(len(time)):
        if not event[i]:
            continue
        # partners: followed longer, or censored at the same time (it outlived the event)
        partner = (time > time[i]) | ((time == time[i]) & ~event)
        tied = np.abs(risk[partner] - risk[i]) <= tol
        n_con = int(((risk[partner] < risk[i]) & ~tied).sum())
        num += weight[i] * (n_con + 0.5 * tied.sum())
        den += weight[i] * partner.sum()
        con, tie = con + n_con, tie + int(tied.sum())
        dis += int(partner.sum()) - n_con - int(tied.sum())
    return (num / den if den > 0 else float("nan")), con, dis, tie


def brute_censoring_g(train_time, train_event, t):
    """G(t): product over the train times u <= t of 1 - (censored at u) / (at risk at u - events at u)."""
    g = 1.0
    for u in sorted(set(train_time)):
        if u > t:
            break
        at_risk = sum(1 for v in train_time if v >= u)
        d = sum(1 for v, e in zip(train_time, train_event) if v == u and e)
        c = sum(1 for v, e in zip(train_time, train_event) if v == u and not e)
        if c:
            g *= 1 - c / (at_risk - d)
    return g


def brute_uno(train_time, train_event, time, event, risk, tau, tol=1e-8):
    time, event = np.asarray(time, float), np.asarray(event, bool)
    weight = np.zeros(len(time))
    for i in range(len(time)):
        if event[i] and (tau is None or time[i] < tau):
            weight[i] = 1 / brute_censoring_g(list(train_time), list(train_event), time[i]) ** 2
    return brute_concordance(time, event, risk, weight, tol)[0]


def brute_kaplan_meier(time, event):
    times, survival, s = sorted(set(time)), [], 1.0
    for u in times:
        at_risk = sum(1 for v in time if v >= u)
        d = sum(1 for v, e in zip(time, event) if v == u and e)
        s *= 1 - d / at_risk
        survival.append(s)
    return np.array(times, float), np.array(survival)


def brute_auc(time, event, score, year):
    cases = [s for t, e, s in zip(time, event, score) if e and t <= year]
    controls = [s for t, s in zip(time, score) if t > year]
    if not cases or not controls:
        return None
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in cases for b in controls)
    return wins / (len(cases) * len(controls))


def lifelines_naive_cindex(event_times, predicted_event_times, event_observed):
    """lifelines/utils/concordance.py: _naive_concordance_summary_statistics + _concordance_ratio, literally
    (predicted scores there are survival times: higher = later event)."""
    def valid_comparison(time_a, time_b, event_a, event_b):
        if time_a == time_b:
            return event_a != event_b
        if event_a and event_b:
            return True
        if event_a and time_a < time_b:
            return True
        if event_b and time_b < time_a:
            return True
        return False

    def concordance_value(time_a, time_b, pred_a, pred_b, event_a, event_b):
        if pred_a == pred_b:
            return (0, 1)
        if pred_a < pred_b:
            return (time_a < time_b) or (time_a == time_b and event_a and not event_b), 0
        return (time_a > time_b) or (time_a == time_b and not event_a and event_b), 0

    num_pairs = num_correct = num_tied = 0.0
    for a, time_a in enumerate(event_times):
        for b in range(a + 1, len(event_times)):
            if valid_comparison(time_a, event_times[b], event_observed[a], event_observed[b]):
                num_pairs += 1.0
                crct, ties = concordance_value(time_a, event_times[b], predicted_event_times[a],
                                               predicted_event_times[b], event_observed[a], event_observed[b])
                num_correct += crct
                num_tied += ties
    return (num_correct + num_tied / 2) / num_pairs if num_pairs else float("nan")


def tied_data(seed, n=120, max_time=6, event_rate=0.5):
    """Integer times 0..max_time (many tied events and censorings), scores rounded to tenths (many tied risks)."""
    rng = np.random.default_rng(seed)
    time = rng.integers(0, max_time + 1, n).astype(float)
    event = rng.random(n) < event_rate
    risk = np.round(rng.random(n) - 0.05 * time, 1)  # a little signal, so C is not always near 0.5
    return time, event, risk


# ---------------------------------------------------------------------------------------------------------------
# Harrell's C: scikit-survival's published cases


SKSURV_TIME = [1, 5, 6, 11, 34, 45, 46, 50]
SKSURV_ESTIMATE = [5, 8, 11, 34, 12, 3, 9, 12]
SKSURV_TIME_TIED = [1, 5, 6, 11, 11, 34, 45, 45, 50]
SKSURV_ESTIMATE_TIED = [5, 8, 11, 19, 34, 12, 3, 9, 12]


# sebp/scikit-survival tests/test_metrics.py, ConcordanceIndexCases (test_concordance_index): event, time, estimate,
# expected (cindex, concordant, discordant, tied_risk; tied_time, the fifth, is not computed here). data_whas500
# reads a 500-row file and is left out.
HARRELL_CASES = {
    "data_no_censoring_all_correct": (
        [True] * 8, SKSURV_TIME, list(range(8))[::-1], (1.0, 28, 0, 0)),
    "data_no_censoring_all_wrong": (
        [True] * 8, SKSURV_TIME, list(range(8)), (0.0, 0, 28, 0)),
    "data_no_ties": (
        [False, True, True, False, False, True, False, False], SKSURV_TIME, SKSURV_ESTIMATE,
        (0.2307692, 3, 10, 0)),
    "data_with_tied_time": (
        [False, True, True, False, True, False, True, False, False], SKSURV_TIME_TIED, SKSURV_ESTIMATE_TIED,
        (0.4, 8, 12, 0)),
    "data_with_tied_time2": (
        [False, True, True, False, False, False, True, False, False], SKSURV_TIME_TIED, SKSURV_ESTIMATE_TIED,
        (0.2, 3, 12, 0)),
    "data_with_tied_event": (
        [False, True, False, True, True, False, True, False, False], SKSURV_TIME_TIED, SKSURV_ESTIMATE_TIED,
        (0.5294118, 9, 8, 0)),
    "data_with_tied_risk": (
        [False, True, True, False, True, True, False, False], SKSURV_TIME, [5, 15, 11, 34, 12, 3, 9, 12],
        (0.59375, 9, 6, 1)),
    # data_with_almost_tied_risk: estimate[4] += 4.5e-9, estimate[-1] -= 4.5e-9: 9e-9 apart, within tied_tol 1e-8
    "data_with_almost_tied_risk": (
        [False, True, True, False, True, True, False, False], SKSURV_TIME,
        [5, 15, 11, 34, 12 + 4.5e-9, 3, 9, 12 - 4.5e-9], (0.59375, 9, 6, 1)),
    "data_with_tied_event_and_time": (
        [True, False, False, False, True, False, True, True, False, False, False, True],
        [34, 11, 11, 5, 1, 89, 13, 45, 7, 13, 9, 13],
        [1, 19, 13, 13, 15, 14, 19, 23, 11, 10, 11, 1], (0.5681818, 12, 9, 1)),
}


@pytest.mark.parametrize("name", HARRELL_CASES)
def test_harrell_matches_scikit_survival_published_cases(name):
    event, time, estimate, (cindex, concordant, discordant, tied_risk) = HARRELL_CASES[name]
    assert harrell_c_index(time, event, estimate) == pytest.approx(cindex, abs=1e-6)
    _, _, counts = _concordance(np.asarray(time, float), np.asarray(event), np.asarray(estimate, float),
                                np.ones(len(time)), 1e-8)
    assert counts == (concordant, discordant, tied_risk)
    assert brute_concordance(time, event, estimate) == pytest.approx((cindex, concordant, discordant, tied_risk),
                                                                     abs=1e-6)


def test_no_comparable_pair_is_nan_where_scikit_survival_raises():
    # sebp/scikit-survival tests/test_metrics.py, fixture no_comparable_pairs (test_concordance_index_no_comparable,
    # test_uno_c_no_comparable raise NoComparablePairException): the only event is the latest time, 3563.
    y = [(False, 849.0), (False, 28.0), (False, 55.0), (False, 727.0), (False, 505.0), (False, 1558.0),
         (False, 1292.0), (False, 1737.0), (False, 944.0), (False, 750.0), (False, 2513.0), (False, 472.0),
         (False, 2417.0), (False, 538.0), (False, 49.0), (False, 723.0), (True, 3563.0), (False, 1090.0),
         (False, 1167.0), (False, 587.0), (False, 1354.0), (False, 910.0), (False, 398.0), (False, 854.0),
         (False, 3534.0), (False, 280.0), (False, 183.0), (False, 883.0), (False, 32.0), (False, 144.0)]
    event, time = [e for e, _ in y], [t for _, t in y]
    scores = np.random.default_rng(0).standard_normal(len(y))
    assert np.isnan(harrell_c_index(time, event, scores))
    assert np.isnan(uno_c_index(time, event, time, event, scores, tau=None))
    # ConcordanceIndexFailureCases data_all_censored / data_min_samples raise in sksurv; nan here
    assert np.isnan(harrell_c_index([10, 12], [False, False], [12, 13]))
    assert np.isnan(harrell_c_index([10], [True], [12]))
    assert np.isnan(harrell_c_index([], [], []))


# ---------------------------------------------------------------------------------------------------------------
# Harrell's C: lifelines' cases (its scores are predicted survival times, so risk = -score)


def test_lifelines_ties_in_time_case():
    # CamDavidsonPilon/lifelines lifelines/tests/utils/test_concordance.py,
    # test_both_concordance_index_function_deal_with_ties_the_same_way: 1.0
    actual_times, predicted_times, obs = np.array([1, 1, 2]), np.array([1, 2, 3]), np.ones(3)
    assert harrell_c_index(actual_times, obs, -predicted_times) == 1.0


def test_lifelines_shift_case():
    # lifelines/tests/utils/test_concordance.py, test_concordance_index_returns_same_after_shifting: lifelines only
    # asserts the four are equal. By hand, all observed, pairs i < j in time: T_ = 2 1 4 6 5 3; a pair is concordant
    # when T_i < T_j: from 2: 4 6 5 3 (4); from 1: 4 6 5 3 (4); from 4: 6 5 (2); from 6: none; from 5: none; 10 of 15.
    T = np.array([1, 2, 3, 4, 5, 6])
    T_ = np.array([2, 1, 4, 6, 5, 3])
    ones = np.ones(6, dtype=int)
    values = [harrell_c_index(T, ones, -T_), harrell_c_index(T - 5, ones, -(T_ - 5)),
              harrell_c_index(T, ones, -(T_ - 5)), harrell_c_index(T - 5, ones, -T_)]
    assert values == [pytest.approx(10 / 15, abs=1e-12)] * 4


def test_lifelines_zeros_and_itself_cases():
    # lifelines/tests/utils/test_utils.py, test_concordance_index: zeros are exactly 0.5, the times themselves 1.0,
    # with and without censoring (random data there; seeded here). Its last two checks (random scores within 0.05 of
    # 0.5) hold for any correct implementation and are left out.
    rng = np.random.default_rng(1)
    size = 1000
    T = rng.normal(size=size)
    C = rng.choice([0, 1], size=size)
    Z = np.zeros_like(T)
    ones = np.ones(size)
    assert harrell_c_index(T, ones, -Z) == 0.5
    assert harrell_c_index(T, C, -Z) == 0.5
    assert harrell_c_index(T, ones, -T) == 1.0
    assert harrell_c_index(T, C, -T) == 1.0


def test_lifelines_overflow_case():
    # lifelines/tests/utils/test_concordance.py, test_concordance_index_will_not_overflow: 65537 samples have
    # 2,147,516,416 pairs, past int32
    a, b = np.arange(65536), np.arange(65537)
    assert harrell_c_index(a, np.ones(len(a)), -a) == 1.0
    assert harrell_c_index(b, np.ones(len(b)), -b) == 1.0
    assert harrell_c_index(b, np.ones(len(b)), -b[::-1]) == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_lifelines_naive_definition_agrees_with_scikit_survival_rules(seed):
    # lifelines' pairs (ties in time comparable only with exactly one event) are sksurv's; its ties in score are
    # exact, sksurv's within 1e-8: scores on a 0.1 grid make the two rules the same
    time, event, risk = tied_data(seed, n=80)
    expected = lifelines_naive_cindex(time, -risk, event)
    assert harrell_c_index(time, event, risk) == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Harrell's C: by hand, and against the transcription


def test_harrell_by_hand():
    # time 1 2 2 3, event 1 1 0 0, risk .9 .5 .5 .1
    # i = 0 (event at 1): partners 1, 2, 3 (later); .9 beats .5, .5, .1: 3 concordant
    # i = 1 (event at 2): partner 3 (later): .5 > .1, concordant; partner 2 (censored at the same time 2): tie, 0.5
    # sample 2 is censored and 3 censored: no pairs of their own. (3 + 1 + 0.5) / 5 = 0.9
    assert harrell_c_index([1, 2, 2, 3], [1, 1, 0, 0], [.9, .5, .5, .1]) == pytest.approx(0.9, abs=1e-12)
    # the same with both samples at time 2 events: they are not comparable to each other; 4 / 4
    assert harrell_c_index([1, 2, 2, 3], [1, 1, 1, 0], [.9, .5, .5, .1]) == pytest.approx(1.0, abs=1e-12)
    # an event at time 0 is an ordinary earliest event: partners 1 and 2, risk .2 beats .1, loses to .3: 1 / 2
    assert harrell_c_index([0, 1, 2], [1, 0, 0], [.2, .1, .3]) == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("seed, kwargs", [
    (0, {}), (1, {"max_time": 2}), (2, {"event_rate": 0.9}), (3, {"event_rate": 0.1}), (4, {"n": 7}),
    (5, {"n": 2}), (6, {"n": 300, "max_time": 30}),
])
def test_harrell_matches_the_transcription_on_tied_data(seed, kwargs):
    time, event, risk = tied_data(seed, **kwargs)
    expected = brute_concordance(time, event, risk)
    _, _, counts = _concordance(time, event, risk, np.ones(len(time)), 1e-8)
    assert counts == expected[1:]
    got = harrell_c_index(time, event, risk)
    assert (np.isnan(got) and np.isnan(expected[0])) or got == pytest.approx(expected[0], abs=1e-12)


def test_harrell_matches_the_transcription_on_continuous_data():
    rng = np.random.default_rng(7)
    time = rng.exponential(3, 500)
    event = rng.random(500) < 0.3
    risk = -time + rng.normal(0, 2, 500)
    assert harrell_c_index(time, event, risk) == pytest.approx(brute_concordance(time, event, risk)[0], abs=1e-12)


def test_the_transcription_can_tell_a_wrong_tie_rule():
    # If the random data never made tied times matter, the agreement above would prove little: counting tied
    # events as comparable pairs must move the reference's value.
    time, event, risk = tied_data(0)
    wrong = brute_concordance(time + 1e-3 * np.arange(len(time)), event, risk)[0]  # ties broken by input order
    assert abs(wrong - brute_concordance(time, event, risk)[0]) > 1e-3


# ---------------------------------------------------------------------------------------------------------------
# Kaplan-Meier and the censoring distribution


SKSURV_KM_TIME = [1, 2, 2, 3, 7, 6, 5, 5, 3, 9, 11, 13, 17, 13, 6, 23]
SKSURV_KM_X = [1, 2, 3, 5, 6, 7, 9, 11, 13, 17, 23]


def _events(first=True, last=True):
    event = [True] * len(SKSURV_KM_TIME)
    event[0], event[-1] = first, last
    return event


# sebp/scikit-survival tests/test_nonparametric.py, SimpleDataKMCases (TestKaplanMeier.test_simple): time, event,
# true_x, true_y
KM_CASES = {
    "data_all_uncensored": (_events(), [0.9375, 0.8125, 0.6875, 0.5625, 0.4375, 0.375, 0.3125, 0.25, 0.125,
                                        0.0625, 0]),
    "data_all_censored": ([False] * len(SKSURV_KM_TIME), [1.0] * 11),
    "data_first_censored": (_events(first=False), [1, 0.866666666666667, 0.733333333333333, 0.6, 0.466666666666667,
                                                   0.4, 0.333333333333333, 0.266666666666667, 0.133333333333333,
                                                   0.0666666666666667, 0]),
    "data_last_censored": (_events(last=False), [0.9375, 0.8125, 0.6875, 0.5625, 0.4375, 0.375, 0.3125, 0.25, 0.125,
                                                 0.0625, 0.0625]),
    "data_first_and_last_censored": (_events(first=False, last=False),
                                     [1, 0.866666666666667, 0.733333333333333, 0.6, 0.466666666666667, 0.4,
                                      0.333333333333333, 0.266666666666667, 0.133333333333333, 0.0666666666666667,
                                      0.0666666666666667]),
}


@pytest.mark.parametrize("name", KM_CASES)
def test_kaplan_meier_matches_scikit_survival_published_cases(name):
    event, true_y = KM_CASES[name]
    x, y = kaplan_meier(SKSURV_KM_TIME, event)
    assert x.tolist() == SKSURV_KM_X
    np.testing.assert_allclose(y, true_y, atol=1e-6)


def test_kaplan_meier_matches_lifelines_g3_against_r():
    # CamDavidsonPilon/lifelines lifelines/tests/test_estimation.py, TestKaplanMeierFitter.
    # test_kmf_survival_curve_output_against_R, on lifelines/datasets/g3.csv (17 rows, inlined): R's survfit
    # printed 0.909 0.779 (RIT at 25, 53) and 0.833 0.667 0.5 0.333 (Control at 9, 19, 32, 34), 3 digits.
    # Exactly: RIT 25: 10/11; 28 50 51 censored, 7 at risk at 53: 10/11 * 6/7 = 60/77. Control: 5/6 4/6 3/6 2/6.
    rit_time = [53, 28, 69, 58, 54, 25, 51, 61, 57, 57, 50]
    rit_event = [True, False, False, False, False, True, False, False, False, False, False]
    control_time = [34, 32, 9, 19, 50, 48]
    control_event = [True, True, True, True, False, False]
    for time, event, at, r_printed, exact in [
            (rit_time, rit_event, [25, 53], [0.909, 0.779], [10 / 11, 60 / 77]),
            (control_time, control_event, [9, 19, 32, 34], [0.833, 0.667, 0.5, 0.333], [5 / 6, 4 / 6, 3 / 6, 2 / 6])]:
        x, y = kaplan_meier(time, event)
        got = y[np.searchsorted(x, at)]
        np.testing.assert_allclose(got, exact, atol=1e-12)
        np.testing.assert_allclose(got, r_printed, atol=5e-4)  # to R's 3 printed digits (lifelines: rtol 1e-2)


def test_censoring_distribution_matches_scikit_survival_published_case():
    # sebp/scikit-survival tests/test_nonparametric.py, TestKaplanMeier.test_censoring_distribution
    event = np.array([1, 0, 0, 1, 0, 1, 0, 1, 1, 0], dtype=bool)
    time = np.array([1, 2, 3, 3, 3, 4, 5, 5, 6, 7])
    g = censoring_survival(time, event)
    expected = [1.0, 0.8888889, 0.6349206, 0.6349206, 0.4232804, 0.4232804, 0.0000000]
    np.testing.assert_allclose(g(np.arange(1, 8)), expected, atol=1e-6)


def test_kaplan_meier_and_censoring_by_hand():
    # time 1 2 2 3 4, event 1 1 0 1 0
    # S: at 1 5 at risk, 1 event: .8; at 2 4 at risk, 1 event (the censoring at 2 still at risk): .8 * 3/4 = .6;
    #    at 3 2 at risk, 1 event: .3; at 4 a censoring: .3
    x, y = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    assert x.tolist() == [1, 2, 3, 4]
    np.testing.assert_allclose(y, [0.8, 0.6, 0.3, 0.3], atol=1e-12)
    # G, events first at a tie: at 2 4 at risk less the event: 1 - 1/3 = 2/3; at 4 1 at risk, 1 censoring: 0
    g = censoring_survival([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    np.testing.assert_allclose(g([0.5, 1, 2, 2.5, 3, 4, 10]), [1, 1, 2 / 3, 2 / 3, 2 / 3, 0, 0], atol=1e-12)
    # ending with an event, G is unknown past the last time (sksurv's predict_proba raises the same)
    g = censoring_survival([1, 2, 3], [0, 1, 1])
    assert g(3) == pytest.approx(2 / 3)
    with pytest.raises(CensoringWeightsUndefined, match="unknown beyond the train split's last time 3"):
        g(3.5)
    with pytest.raises(CensoringWeightsUndefined, match="no event among its 3 samples"):
        censoring_survival([1, 2, 3], [0, 0, 0])


@pytest.mark.parametrize("seed", range(4))
def test_kaplan_meier_and_censoring_match_the_transcription(seed):
    time, event, _ = tied_data(seed, n=60)
    x, y = kaplan_meier(time, event)
    bx, by = brute_kaplan_meier(list(time), list(event))
    np.testing.assert_array_equal(x, bx)
    np.testing.assert_allclose(y, by, atol=1e-12)
    g = censoring_survival(time, event)
    grid = np.arange(-1, 6.5, 0.5)
    np.testing.assert_allclose(g(grid), [brute_censoring_g(list(time), list(event), t) for t in grid], atol=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Uno's C


UNO_Y_TRAIN = ((2, 4, 6, 8, 10, 11, 15, 19), (False, True, False, True, False, False, False, False))
UNO_Y_TIES = ((1, 5, 6, 10, 11, 34, 45, 46, 50, 56), (0, 1, 1, 0, 1, 0, 1, 0, 0, 1))
UNO_Y_TRUNCATED = ((1, 5, 6, 10, 11, 34, 45, 46, 50, 56), (0, 1, 1, 0, 1, 0, 1, 1, 1, 1))
UNO_Y_TIED_EVENT = ([1, 5, 6, 11, 11, 34, 45, 45, 50, 55],
                    [False, True, False, True, True, False, True, False, False, True])
UNO_Y_TIED_EVENT_AND_TIME = ([34, 11, 11, 5, 1, 89, 13, 45, 7, 13, 9, 13, 90],
                             [True, False, False, False, True, False, True, True, False, False, False, True, True])

# sebp/scikit-survival tests/test_metrics.py, UnoCCases (test_uno_c): (y_train, y_test, estimate, expected, tau),
# y as (time, event); expected (cindex, concordant, discordant, tied_risk). data_whas500 reads a file: left out.
UNO_CASES = {
    "data_no_ties": (UNO_Y_TIES, UNO_Y_TIES, (5, 8, 11, 19, 34, 12, 3, 9, 12, 20),
                     (0.347890360332615, 8, 15, 0), None),
    "data_tied_risk_1": (UNO_Y_TIES, UNO_Y_TIES, (5, 8, 11, 11, 34, 12, 3, 9, 12, 20),
                         (0.365629810028969, 8, 14, 1), None),
    "data_tied_risk_2": (UNO_Y_TIES, UNO_Y_TIES, (5, 8, 11, 11, 34, 12, 11, 9, 12, 20),
                         (0.387865723332956, 7, 14, 2), None),
    "data_truncated_1": (UNO_Y_TRAIN, ((1, 3, 5, 8, 12, 13), (True, False, False, True, True, True)),
                         (5, 8, 13, 11, 9, 4), (0.7543736528146774, 4, 4, 0), 19),
    # sksurv publishes 0.347890361949191; the exact value (rational arithmetic, and brute_uno) is
    # 0.3478903603326147, 1.6e-9 lower, well inside its own 7-decimal assertion
    "data_truncated_2": (UNO_Y_TRUNCATED, UNO_Y_TRUNCATED, (5, 8, 11, 19, 34, 12, 3, 9, 12, 18),
                         (0.347890361949191, 8, 18, 0), 45.25),
    "data_last_time_censored": (UNO_Y_TRAIN, ((1, 3, 5, 7, 12, 13, 20), (True, False, False, True, True, False, False)),
                                (5, 8, 13, 11, 9, 7, 4), (0.8126567565914234, 6, 5, 0), None),
    "data_tied_event": (UNO_Y_TIED_EVENT, UNO_Y_TIED_EVENT, (5, 8, 11, 19, 34, 12, 3, 9, 12, 18),
                        (0.4036321031048623, 11, 10, 0), None),
    "data_tied_event_and_time": (UNO_Y_TIED_EVENT_AND_TIME, UNO_Y_TIED_EVENT_AND_TIME,
                                 (1, 19, 13, 13, 15, 14, 19, 23, 11, 10, 11, 1, 18),
                                 (0.46795357052737824, 14, 12, 1), None),
}


@pytest.mark.parametrize("name", UNO_CASES)
def test_uno_matches_scikit_survival_published_cases(name):
    (train_time, train_event), (time, event), estimate, (cindex, concordant, discordant, tied), tau = UNO_CASES[name]
    assert uno_c_index(train_time, train_event, time, event, estimate, tau) == pytest.approx(cindex, abs=1e-6)
    # sksurv's counts are over every comparable pair, weighted or not (the pairs past tau included)
    _, _, counts = _concordance(np.asarray(time, float), np.asarray(event, bool), np.asarray(estimate, float),
                                np.ones(len(time)), 1e-8)
    assert counts == (concordant, discordant, tied)
    assert brute_uno(train_time, train_event, time, event, estimate, tau) == pytest.approx(cindex, abs=1e-6)


UNO_FAIL_TRAIN_TIME = [2, 4, 6, 8, 10, 11, 15, 19]
UNO_FAIL_TRAIN_EVENT = [False, True, False, True, False, False, False, True]
UNO_FAIL_TEST_TIME = [1, 3, 5, 7, 12, 13, 19]
UNO_FAIL_TEST_EVENT = [True, False, False, True, True, False, True]
UNO_FAIL_ESTIMATE = [5, 8, 13, 11, 9, 7, 4]

# sebp/scikit-survival tests/test_metrics.py, UnoCFailureCases (test_uno_c_failure): sksurv's message, then ours
UNO_FAILURES = {
    # "time must be smaller than largest observed time point:"
    "data_last_time_uncensored_1": (UNO_FAIL_TRAIN_TIME, UNO_FAIL_TRAIN_EVENT, [1, 3, 5, 7, 12, 13, 20],
                                    UNO_FAIL_TEST_EVENT, UNO_FAIL_ESTIMATE,
                                    r"1 test event time\(s\) lie beyond the train split's last time 19 \(up to 20\)"),
    "data_last_time_uncensored_2": (UNO_FAIL_TRAIN_TIME, UNO_FAIL_TRAIN_EVENT, [1, 23, 5, 27, 12],
                                    [True, False, True, True, False], [5, 13, 11, 9, 4],
                                    r"1 test event time\(s\) lie beyond the train split's last time 19 \(up to 27\)"),
    # "censoring survival function is zero at one or more time points"
    "data_zero_prob_1": (UNO_FAIL_TRAIN_TIME, UNO_FAIL_TRAIN_EVENT[:-1] + [False], UNO_FAIL_TEST_TIME,
                         UNO_FAIL_TEST_EVENT, UNO_FAIL_ESTIMATE, r"G\(t\) of the train split is 0 from time 19 on"),
    "data_zero_prob_2": (UNO_FAIL_TRAIN_TIME[:-1] + [18], UNO_FAIL_TRAIN_EVENT[:-1] + [False], UNO_FAIL_TEST_TIME,
                         UNO_FAIL_TEST_EVENT, UNO_FAIL_ESTIMATE, r"G\(t\) of the train split is 0 from time 18 on"),
    "data_zero_prob_3": (UNO_FAIL_TRAIN_TIME[:-1] + [18], UNO_FAIL_TRAIN_EVENT[:-1] + [False],
                         [1, 3, 5, 19, 12, 13, 7], UNO_FAIL_TEST_EVENT, UNO_FAIL_ESTIMATE,
                         r"1 test event time\(s\) cannot be weighted by 1 / G\(t\)\^2; pass tau <= 18"),
}


@pytest.mark.parametrize("name", UNO_FAILURES)
def test_uno_refuses_where_scikit_survival_raises(name):
    train_time, train_event, time, event, estimate, message = UNO_FAILURES[name]
    with pytest.raises(ValueError, match=message):
        uno_c_index(train_time, train_event, time, event, estimate, tau=None)
    # the tau the message suggests (no test event at or past it) makes it defined
    tau = 18 if "18" in message else 19
    assert not np.isnan(uno_c_index(train_time, train_event, time, event, estimate, tau=tau))


def test_uno_with_a_train_split_without_censoring_is_harrell():
    # sebp/scikit-survival tests/test_metrics.py, test_uno_c_all_censored (every train sample an event, G = 1; the
    # censored test sample at 20, past the train's 19, needs no weight)
    train_time, train_event = (2, 4, 6, 8, 10, 11, 15, 19), (True,) * 8
    time, event = (1, 3, 5, 7, 12, 13, 20), (True, False, False, True, True, False, False)
    estimate = (5, 8, 13, 11, 9, 7, 4)
    assert uno_c_index(train_time, train_event, time, event, estimate, tau=None) == harrell_c_index(
        time, event, estimate)


def test_uno_by_hand():
    # train time 1 2 2 3 4, event 1 1 0 1 0: G = 1 before 2, 2/3 from 2 (see test_kaplan_meier_and_censoring_by_hand)
    # test time 1 2 3 3.5, event 1 1 1 0, risk .2 .9 .5 .1, tau 3 (the event at 3 is not < tau: weight 0)
    # i = 0 (t 1, w 1): partners .9 .5 .1: 1 concordant of 3
    # i = 1 (t 2, w 1 / (2/3)^2 = 9/4): partners .5 .1: 2 of 2
    # (1 + 9/4 * 2) / (3 + 9/4 * 2) = 5.5 / 7.5 = 11/15
    train = ([1, 2, 2, 3, 4], [1, 1, 0, 1, 0])
    test = ([1, 2, 3, 3.5], [1, 1, 1, 0], [.2, .9, .5, .1])
    assert uno_c_index(*train, *test, tau=3) == pytest.approx(11 / 15, abs=1e-12)
    # without tau the event at 3 (G 2/3, w 9/4) adds its partner .1, concordant: (5.5 + 9/4) / (7.5 + 9/4) = 31/39
    assert uno_c_index(*train, *test, tau=None) == pytest.approx(31 / 39, abs=1e-12)
    # Harrell on the same test split: (1 + 2 + 1) / 6
    assert harrell_c_index(*test) == pytest.approx(4 / 6, abs=1e-12)


@pytest.mark.parametrize("seed, tau", [(0, 8), (1, 5), (2, 8.5), (3, None), (4, 0.5), (5, 9.5)])
def test_uno_matches_the_transcription_on_tied_data(seed, tau):
    # train times 0..8 and two events at 9 (G > 0 up to 9: a censoring at the last train time would end G at 0),
    # test times 0..9
    train_time, train_event, _ = tied_data(seed, n=90, max_time=8)
    train_time, train_event = np.append(train_time, [9, 9]), np.append(train_event, [True, True])
    time, event, risk = tied_data(seed + 50, n=70, max_time=9, event_rate=0.6)
    expected = brute_uno(train_time, train_event, time, event, risk, tau)
    got = uno_c_index(train_time, train_event, time, event, risk, tau)
    assert (np.isnan(got) and np.isnan(expected)) or got == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# AUC by year


SKSURV_AUC_TIME = [10.88, 19.78, 40.92, 98.7, 70.19, 10.15, 28.95, 29.57, 17.9, 63.78, 36.22, 83.14, 13.69, 99.51,
                   3.19]
SKSURV_AUC_EVENT = [1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 1]
SKSURV_AUC_ESTIMATE = [-1.019, -0.016, 0.132, 0.269, -0.777, -1.077, 0.894, -1.227, -0.417, 0.072, -1.275, -0.91,
                       -0.825, -0.292, -0.045]
SKSURV_AUC_TIME_DEPENDENT_COL0 = [0.566, 0.576, 0.506, 1.871, -0.04, 0.281, 0.335, -1.181, 1.368, -0.192, 0.955,
                                  0.221, 0.057, -0.996, -1.27]


def _tied_score(estimate):
    e = list(estimate)
    e[0] = e[-1]
    return e


def _tied_max(estimate):
    e = list(estimate)
    o = np.argsort(e)
    e[o[0]] = e[o[1]]
    return e


def _tied_min(estimate):
    e = list(estimate)
    o = np.argsort(e)
    e[o[-1]] = e[o[-2]]
    return e


# sebp/scikit-survival tests/test_metrics.py, UnoCAucCases (test_uno_auc): cumulative_dynamic_auc weights each case by
# 1 / G(time_i), so its published AUC(t) is this unweighted AUC where all of t's cases share one G: at t = 15 (cases
# 3.19 10.15 10.88; the train censorings before 10.88, if any, lie before 3.19) and at t = 3.19 (one case). Those are
# the values copied here: (time, event, estimate, t, expected).
AUC_CASES = {
    "data_two_times": (SKSURV_AUC_TIME, SKSURV_AUC_EVENT, SKSURV_AUC_ESTIMATE, 15, 0.3030303),
    "data_min_to_max_times": (SKSURV_AUC_TIME, SKSURV_AUC_EVENT, SKSURV_AUC_ESTIMATE, 3.19, 0.6428571),
    "data_train_test": (SKSURV_AUC_TIME, SKSURV_AUC_EVENT, SKSURV_AUC_ESTIMATE, 15, 0.3030303),
    # y_test["time"][0] = y_test["time"][1]: the case at 10.88 becomes an event at 19.78, a control at 15
    "data_tied_test_time": ([19.78] + SKSURV_AUC_TIME[1:], SKSURV_AUC_EVENT, SKSURV_AUC_ESTIMATE, 15, 0.3750000),
    "data_tied_test_score": (SKSURV_AUC_TIME, SKSURV_AUC_EVENT, _tied_score(SKSURV_AUC_ESTIMATE), 15, 0.4242424),
    "data_tied_test_score_max": (SKSURV_AUC_TIME, SKSURV_AUC_EVENT, _tied_max(SKSURV_AUC_ESTIMATE), 15, 0.3030303),
    "data_tied_test_score_min": (SKSURV_AUC_TIME, SKSURV_AUC_EVENT, _tied_min(SKSURV_AUC_ESTIMATE), 15, 0.3030303),
    "data_time_dependent": (SKSURV_AUC_TIME, SKSURV_AUC_EVENT, SKSURV_AUC_TIME_DEPENDENT_COL0, 15, 0.3636364),
    # data_two_times_int: times * 100 as int, estimate * 1000 as int, t 1500
    "data_two_times_int": ((np.array(SKSURV_AUC_TIME) * 100.0).astype(int), np.array(SKSURV_AUC_EVENT, dtype=int),
                           (np.array(SKSURV_AUC_ESTIMATE) * 1000).astype(int), 1500, 0.3030303),
}


@pytest.mark.parametrize("name", AUC_CASES)
def test_auc_matches_scikit_survival_where_its_weights_are_equal(name):
    time, event, estimate, t, expected = AUC_CASES[name]
    assert auc_by_year(time, event, estimate, [t]) == {t: pytest.approx(expected, abs=1e-6)}
    assert brute_auc(time, event, estimate, t) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("estimate", [
    # UnoCAucCases data_time_dependent_without_censoring and data_time_dependent_with_ties_without_censoring: all
    # events, so sksurv's expected AUC is roc_auc_score(time > t, e) per column (their _compute_roc_auc), with
    # estimate -e.T passed to the metric
    [[1, 6, 18, 56, 32, 3, 99, 7, 67, 541], [6, 9, 11, 5, 3, 12, 56, 56.1, 81, 77],
     [13, 11, 12, 76, 55, 134, 70, 78, 75, 99]],
    [[1, 6, 7, 56, 32, 3, 99, 7, 79, 17], [3, 6, 11, 5, 17, 12, 17, 56.1, 81, 77],
     [13, 11, 12, 17, 17, 134, 70, 78, 13, 99]],
])
def test_auc_matches_scikit_survival_without_censoring(estimate):
    time, times = [7, 9, 11, 12, 13, 15, 28, 39, 41, 76], [10, 14, 40]
    estimate = np.array(estimate, dtype=float)
    expected = [roc_auc_score(np.array(time) > t, e) for t, e in zip(times, estimate)]
    got = auc_by_year(time, [True] * 10, -estimate.T, times)
    assert list(got) == times
    np.testing.assert_allclose(list(got.values()), expected, atol=1e-12)


def test_auc_by_hand():
    # time .5 1.5 2.5 .8 3, event 1 1 0 0 1, score .9 .3 .3 .95 .1
    # year 1: case 0 (.9); controls 1 2 4 (.3 .3 .1); sample 3, censored at .8, is left out (as a control it would
    #   beat the case: 3/4): 1.0
    # year 2: cases 0 1 (.9 .3); controls 2 4 (.3 .1): .9 beats both, .3 ties .3 (0.5) and beats .1: 3.5 / 4
    # year 3: cases 0 1 4 (an event at exactly 3 is a case); no one followed beyond 3: None
    # year 0.1: no case yet: None
    time, event, score = [.5, 1.5, 2.5, .8, 3], [1, 1, 0, 0, 1], [.9, .3, .3, .95, .1]
    assert auc_by_year(time, event, score, [1, 2, 3, 0.1]) == {1: 1.0, 2: 0.875, 3: None, 0.1: None}
    # one column per year: year 2 reads .1 .3 .3 .95 .9: cases .1 .3, controls .3 .9: only the tie .3 = .3 scores,
    # 0.5 / 4
    two_d = np.array([score, [.1, .3, .3, .95, .9]]).T
    assert auc_by_year(time, event, two_d, [1, 2]) == {1: 1.0, 2: 0.125}


@pytest.mark.parametrize("seed", range(3))
def test_auc_matches_the_transcription_on_tied_data(seed):
    time, event, risk = tied_data(seed, n=80)
    years = [0, 1, 2.5, 4, 6]
    scores = np.round(np.random.default_rng(seed).random((80, len(years))), 1)
    got = auc_by_year(time, event, scores, years)
    for j, year in enumerate(years):
        expected = brute_auc(time, event, scores[:, j], year)
        assert got[year] == (None if expected is None else pytest.approx(expected, abs=1e-12))
    assert got[6] is None  # nobody beyond the last time


# ---------------------------------------------------------------------------------------------------------------
# Calibration


def test_calibration_by_hand():
    # predicted .1 .1 .1 .2 .3 .3 .5 .9: samples below each 0 0 0 3 4 4 6 7, group floor(4 * below / 8): 0 0 0 1 2 2 3 3
    # (the three .1 stay together). At year 5:
    # group 0: time 1 2 6, event 1 0 0: S = 1 - 1/3 at 1, censorings after: observed 1/3; predicted .1
    # group 1: time 3, event 1: S(5) = 0: observed 1; predicted .2
    # group 2: time 5 7, event 1 0: at 5 2 at risk, 1 event (at exactly the year: counted): observed .5; predicted .3
    # group 3: time 0 8, event 1 0: an event at time 0, 2 at risk: observed .5; predicted .7
    predicted = [.1, .1, .1, .2, .3, .3, .5, .9]
    time = [1, 2, 6, 3, 5, 7, 0, 8]
    event = [1, 0, 0, 1, 1, 0, 1, 0]
    expected = [{"predicted": .1, "observed": 1 / 3, "n": 3}, {"predicted": .2, "observed": 1.0, "n": 1},
                {"predicted": .3, "observed": .5, "n": 2}, {"predicted": .7, "observed": .5, "n": 2}]
    got = calibration_by_quartile(time, event, predicted, 5)
    assert got == [{k: pytest.approx(v) for k, v in g.items()} for g in expected]
    # the groups do not depend on the input order
    perm = [7, 3, 0, 5, 2, 6, 1, 4]
    assert calibration_by_quartile([time[i] for i in perm], [event[i] for i in perm], [predicted[i] for i in perm],
                                   5) == got
    # all predictions equal: one group; before any event: observed 0
    assert calibration_by_quartile(time, event, [.4] * 8, 5, groups=4)[0]["n"] == 8
    early = calibration_by_quartile([1, 2, 3, 4], [1, 1, 1, 1], [.1, .2, .3, .4], 0.5)
    assert [g["observed"] for g in early] == [0.0] * 4


def test_calibration_groups_are_equal_counts_without_ties():
    rng = np.random.default_rng(3)
    time, event = rng.exponential(3, 103), rng.random(103) < 0.4
    got = calibration_by_quartile(time, event, rng.random(103), 2)
    # floor(4 * rank / 103): ranks 0-25, 26-51, 52-77, 78-102
    assert [g["n"] for g in got] == [26, 26, 26, 25]
    assert [g["predicted"] for g in got] == sorted(g["predicted"] for g in got)


# ---------------------------------------------------------------------------------------------------------------
# evaluate_risk


def risk_split(seed, n=400, max_followup=5):
    """Times up to max_followup + 1 years, ~40% events, 2-D monotone P(event by year k) that follow the hazard."""
    rng = np.random.default_rng(seed)
    hazard = rng.exponential(0.15, n)
    event_time = rng.exponential(1 / hazard)
    censor_time = rng.uniform(0, max_followup + 1, n)
    time = np.round(np.minimum(event_time, censor_time), 2)
    event = (event_time <= censor_time).astype(int)
    years = np.arange(1, max_followup + 1)
    scores = 1 - np.exp(-np.outer(hazard * rng.lognormal(0, 0.3, n), years))
    return time, event, scores


def test_evaluate_risk_keys_values_and_curves():
    time, event, scores = risk_split(0)
    train_time, train_event, _ = risk_split(1, n=800)
    values, curves, warnings = evaluate_risk(time, event, scores, train_time, train_event, 5)
    assert warnings == []
    assert set(values) == {"val/c_index", "val/c_index_uno", "val/auc_year_mean"} | {
        f"val/auc_year/{k}" for k in range(1, 6)}
    assert all(type(v) is float for v in values.values())
    assert values["val/c_index"] == harrell_c_index(time, event, scores[:, -1])
    assert values["val/c_index_uno"] == uno_c_index(train_time, train_event, time, event, scores[:, -1], 5)
    aucs = auc_by_year(time, event, scores, range(1, 6))
    for k in range(1, 6):
        assert values[f"val/auc_year/{k}"] == aucs[k]
    assert values["val/auc_year_mean"] == pytest.approx(np.mean(list(aucs.values())))
    assert 0.6 < values["val/c_index"] < 0.95  # the scores follow the hazard

    kinds = [(kind, name) for kind, name, _ in curves]
    assert kinds == [("auc_by_year", "all"), ("calibration", "year5")]
    auc_points, calibration_points = curves[0][2], curves[1][2]
    assert auc_points == [[float(k), round(aucs[k], 5)] for k in range(1, 6)]
    groups = calibration_by_quartile(time, event, scores[:, -1], 5)
    assert calibration_points == [[round(g["predicted"], 5), round(g["observed"], 5)] for g in groups]
    assert all(type(x) is float for point in auc_points + calibration_points for x in point)
    assert len(calibration_points) == 4


def test_evaluate_risk_cox_scores_and_own_prefix():
    time, event, scores = risk_split(2)
    log_risk = np.log(scores[:, 0])
    values, curves, warnings = evaluate_risk(time, event, log_risk, time, event, 5, prefix="test")
    assert values["test/c_index"] == harrell_c_index(time, event, log_risk)
    assert values["test/auc_year/3"] == auc_by_year(time, event, log_risk, [3])[3]
    assert [kind for kind, _, _ in curves] == ["auc_by_year"]  # no calibration for a log-risk
    # cindex_scores replaces the score the C-indices read
    other = -time
    values, _, _ = evaluate_risk(time, event, log_risk, time, event, 5, cindex_scores=other)
    assert values["val/c_index"] == harrell_c_index(time, event, other)
    assert values["val/auc_year/3"] == auc_by_year(time, event, log_risk, [3])[3]


def test_evaluate_risk_all_censored():
    time = [0.5, 1.5, 2.5, 6.0]
    scores = [[.1, .2, .3], [.2, .3, .4], [.3, .4, .5], [.1, .1, .1]]
    values, curves, warnings = evaluate_risk(time, [0, 0, 0, 0], scores, [1, 2, 3, 4], [1, 0, 1, 0], 3)
    assert values == {}
    assert warnings == [
        "c_index is left out: the val split has no comparable pair (every sample is censored)",
        "c_index_uno is left out: the val split has no comparable pair with an event before tau = 3 years "
        "(every sample is censored)",
        "year 1 has no cases in the val split (no event within 1 years): its AUC is left out",
        "year 2 has no cases in the val split (no event within 2 years): its AUC is left out",
        "year 3 has no cases in the val split (no event within 3 years): its AUC is left out",
    ]
    assert curves == [("calibration", "year3", [[0.1, 0.0], [0.3, 0.0], [0.4, 0.0], [0.5, 0.0]])]


def test_evaluate_risk_single_event_and_year_without_controls():
    # one event at 0 (allowed here), others censored; nobody followed beyond 5 years
    time = [0, 1.5, 2.5, 4.0, 5.0]
    event = np.array([1, 0, 0, 0, 0])  # int arrays are fine
    scores = np.array([[.5] * 5, [.1] * 5, [.2] * 5, [.3] * 5, [.1] * 5])
    train_time, train_event = [0.5, 1, 2, 3, 6, 7], [1, 0, 1, 0, 1, 1]
    values, _, warnings = evaluate_risk(time, event, scores, train_time, train_event, 5)
    assert values["val/c_index"] == 1.0  # the event outranks its 4 partners
    assert values["val/c_index_uno"] == 1.0
    assert [values[f"val/auc_year/{k}"] for k in range(1, 5)] == [1.0] * 4
    assert values["val/auc_year_mean"] == 1.0
    assert warnings == ["year 5 has no controls in the val split (no case followed beyond 5 years): its AUC is "
                        "left out"]


def test_evaluate_risk_ties_in_time_and_score():
    # events tied at 2 are not comparable with each other; the censored one at 2 outlived both
    time, event = [1, 2, 2, 2, 3], [1, 1, 1, 0, 0]
    scores = [[.4, .6], [.3, .5], [.3, .5], [.2, .5], [.1, .1]]
    values, _, _ = evaluate_risk(time, event, scores, time, [1, 1, 1, 0, 1], 2)
    # last column .6 .5 .5 .5 .1: i 0: 4 partners, beats all: 4; i 1, 2: partners 3 (tie) and 4: 1.5 each: 7 / 8
    assert values["val/c_index"] == pytest.approx(7 / 8)


def test_uno_undefined_is_a_warning_not_an_error():
    time, event = [1, 2, 3, 4], [1, 1, 1, 0]
    scores = [[.4, .5, .6], [.3, .4, .5], [.2, .3, .4], [.1, .2, .3]]
    # the train split ends with a censoring at 2: G is 0 from 2 on, and the test has events at 2 and 3 (< tau 3)
    values, _, warnings = evaluate_risk(time, event, scores, [1, 2], [1, 0], 3)
    assert "val/c_index" in values and "val/c_index_uno" not in values
    assert warnings[0].startswith("c_index_uno is left out: the censoring survival G(t) of the train split is 0 "
                                  "from time 2 on")


def test_inputs_as_lists_and_int_arrays():
    time, event, scores = risk_split(4, n=60)
    t_int = np.ceil(time).astype(int)
    as_arrays = evaluate_risk(t_int, event.astype(bool), scores, t_int, event, 5)
    as_lists = evaluate_risk(t_int.tolist(), event.tolist(), scores.tolist(), t_int.tolist(), event.tolist(), 5)
    assert as_arrays == as_lists
    assert harrell_c_index([1, 2, 3], [1, 1, 0], [3, 2, 1]) == 1.0


def test_bad_inputs_say_what_is_wrong():
    time, event, scores = risk_split(5, n=20)
    bad = scores.copy()
    bad[3, 1] = bad[7, 4] = np.nan
    with pytest.raises(ValueError, match=r"scores: 2 NaN and 0 infinite value\(s\) among 100"):
        evaluate_risk(time, event, bad, time, event, 5)
    with pytest.raises(ValueError, match=r"risk: 1 NaN"):
        harrell_c_index([1, 2], [1, 0], [np.nan, 1])
    with pytest.raises(ValueError, match=r"scores must have shape \[20\] or \[20, 5\], got \[20, 4\]"):
        evaluate_risk(time, event, scores[:, :4], time, event, 5)
    with pytest.raises(ValueError, match=r"event: 1 of 3 values are not 0 or 1 \(first 2 at index 1\)"):
        harrell_c_index([1, 2, 3], [1, 2, 0], [1, 2, 3])
    with pytest.raises(ValueError, match=r"time: 1 of 3 values are NaN or infinite"):
        kaplan_meier([1, np.nan, 3], [1, 0, 0])
    with pytest.raises(ValueError, match="time has 3 samples but event has 2"):
        kaplan_meier([1, 2, 3], [1, 0])
    with pytest.raises(ValueError, match="max_followup must be a positive whole number of years"):
        evaluate_risk(time, event, scores, time, event, 0)
