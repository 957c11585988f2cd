"""Detection metrics against pycocotools' COCOeval.

pycocotools cannot be installed here, so its bbox evaluation is reproduced below as `coco_reference`: a slow,
plain transcription of COCOeval's evaluate (computeIoU, evaluateImg), accumulate and summarize for one area range
("all") and one maxDets, following cocoeval.py and maskApi.c's bbIou step by step with Python loops and dicts
(annotations as a COCO ground-truth file and a results file would hold them). The fast implementation must agree
with it on random data built to hit ties, truncation, absent classes and empty images. Beside it: values that
pycocotools printed for published inputs, and hand-computed cases whose numbers are derived in the comments.
"""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from trainyard_trainer.detection_metrics import _descending_stable, evaluate_detections
from trainyard_trainer.metrics import downsample

ONE = 1 / (1 + np.spacing(1))  # COCO's "precision 1": tp / (tp + fp + eps)


# ---------------------------------------------------------------------------------------------------------------
# The reference: COCOeval (iouType "bbox"), areaRng "all" only, maxDets [max_det], useCats 1, iscrowd 0.


def coco_reference(detections, truths, n_classes, max_det=100):
    """Returns {"map50_95", "map50", "map75", ("ap", k), ("ap50", k), ("curve", k): (recall, precision)} with
    COCO's -1 entries left out, the way detectron2 reads per-class AP out of COCOeval.eval["precision"]."""
    iou_thrs = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
    rec_thrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
    area_all = [0 ** 2, 1e5 ** 2]
    img_ids = list(range(len(truths)))
    cat_ids = list(range(n_classes))

    # Annotations as COCO holds them: bbox [x, y, w, h]; ids from 1 (0 means "unmatched" in dtMatches).
    gts, dts = {}, {}
    next_id = 1
    for img, (boxes, labels) in enumerate(truths):
        for box, label in zip(np.asarray(boxes, dtype=float).reshape(-1, 4), np.asarray(labels).reshape(-1)):
            x0, y0, x1, y1 = (float(v) for v in box)
            w, h = x1 - x0, y1 - y0
            gts.setdefault((img, int(label)), []).append(
                {"id": next_id, "bbox": [x0, y0, w, h], "area": w * h, "iscrowd": 0, "ignore": 0})
            next_id += 1
    next_id = 1  # loadRes numbers results from 1 as well
    for img, (boxes, scores, labels) in enumerate(detections):
        for box, score, label in zip(np.asarray(boxes, dtype=float).reshape(-1, 4), np.asarray(scores).reshape(-1),
                                     np.asarray(labels).reshape(-1)):
            x0, y0, x1, y1 = (float(v) for v in box)
            w, h = x1 - x0, y1 - y0
            dts.setdefault((img, int(label)), []).append(
                {"id": next_id, "bbox": [x0, y0, w, h], "area": w * h, "score": float(score), "iscrowd": 0})
            next_id += 1

    def bb_iou(d, g):
        # maskApi.c bbIou for one pair, not crowd
        da = d[2] * d[3]
        ga = g[2] * g[3]
        w = min(d[2] + d[0], g[2] + g[0]) - max(d[0], g[0])
        if w <= 0:
            return 0.0
        h = min(d[3] + d[1], g[3] + g[1]) - max(d[1], g[1])
        if h <= 0:
            return 0.0
        i = w * h
        u = da + ga - i
        return i / u

    def compute_iou(img, cat):
        gt = gts.get((img, cat), [])
        dt = dts.get((img, cat), [])
        if len(gt) == 0 and len(dt) == 0:
            return []
        order = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in order]
        if len(dt) > max_det:
            dt = dt[0:max_det]
        if len(dt) == 0 or len(gt) == 0:  # maskUtils.iou returns [] when either side is empty
            return []
        return np.array([[bb_iou(d["bbox"], g["bbox"]) for g in gt] for d in dt])

    ious = {(img, cat): compute_iou(img, cat) for img in img_ids for cat in cat_ids}

    def evaluate_img(img, cat):
        gt = gts.get((img, cat), [])
        dt = dts.get((img, cat), [])
        if len(gt) == 0 and len(dt) == 0:
            return None
        for g in gt:
            g["_ignore"] = 1 if (g["ignore"] or g["area"] < area_all[0] or g["area"] > area_all[1]) else 0
        gt_order = np.argsort([g["_ignore"] for g in gt], kind="mergesort")
        gt = [gt[i] for i in gt_order]
        dt_order = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in dt_order[0:max_det]]
        iscrowd = [int(g["iscrowd"]) for g in gt]
        iou = ious[img, cat][:, gt_order] if len(ious[img, cat]) > 0 else ious[img, cat]
        n_t, n_g, n_d = len(iou_thrs), len(gt), len(dt)
        gtm = np.zeros((n_t, n_g))
        dtm = np.zeros((n_t, n_d))
        gt_ig = np.array([g["_ignore"] for g in gt])
        dt_ig = np.zeros((n_t, n_d))
        if not len(iou) == 0:
            for t_i, t in enumerate(iou_thrs):
                for d_i, d in enumerate(dt):
                    best = min([t, 1 - 1e-10])
                    m = -1
                    for g_i, g in enumerate(gt):
                        if gtm[t_i, g_i] > 0 and not iscrowd[g_i]:
                            continue  # taken
                        if m > -1 and gt_ig[m] == 0 and gt_ig[g_i] == 1:
                            break  # matched a regular box; the ignored ones come after
                        if iou[d_i, g_i] < best:
                            continue
                        best = iou[d_i, g_i]
                        m = g_i
                    if m == -1:
                        continue
                    dt_ig[t_i, d_i] = gt_ig[m]
                    dtm[t_i, d_i] = gt[m]["id"]
                    gtm[t_i, m] = d["id"]
        outside = np.array([d["area"] < area_all[0] or d["area"] > area_all[1] for d in dt]).reshape((1, len(dt)))
        dt_ig = np.logical_or(dt_ig, np.logical_and(dtm == 0, np.repeat(outside, n_t, 0)))
        return {"dtScores": [d["score"] for d in dt], "dtMatches": dtm, "gtIgnore": gt_ig, "dtIgnore": dt_ig}

    eval_imgs = {(cat, img): evaluate_img(img, cat) for cat in cat_ids for img in img_ids}

    # accumulate
    n_t, n_r, n_k = len(iou_thrs), len(rec_thrs), len(cat_ids)
    precision = -np.ones((n_t, n_r, n_k))
    out = {}
    for k in cat_ids:
        E = [eval_imgs[k, img] for img in img_ids]
        E = [e for e in E if e is not None]
        if len(E) == 0:
            continue
        dt_scores = np.concatenate([e["dtScores"][0:max_det] for e in E])
        inds = np.argsort(-dt_scores, kind="mergesort")
        dtm = np.concatenate([e["dtMatches"][:, 0:max_det] for e in E], axis=1)[:, inds]
        dt_ig = np.concatenate([e["dtIgnore"][:, 0:max_det] for e in E], axis=1)[:, inds]
        gt_ig = np.concatenate([e["gtIgnore"] for e in E])
        npig = np.count_nonzero(gt_ig == 0)
        if npig == 0:
            continue
        tps = np.logical_and(dtm, np.logical_not(dt_ig))
        fps = np.logical_and(np.logical_not(dtm), np.logical_not(dt_ig))
        tp_sum = np.cumsum(tps, axis=1).astype(dtype=np.float64)
        fp_sum = np.cumsum(fps, axis=1).astype(dtype=np.float64)
        for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
            tp = np.array(tp)
            fp = np.array(fp)
            nd = len(tp)
            rc = tp / npig
            pr = tp / (fp + tp + np.spacing(1))
            q = np.zeros((n_r,))
            pr = pr.tolist()
            q = q.tolist()
            for i in range(nd - 1, 0, -1):
                if pr[i] > pr[i - 1]:
                    pr[i - 1] = pr[i]
            inds_r = np.searchsorted(rc, rec_thrs, side="left")
            try:
                for ri, pi in enumerate(inds_r):
                    q[ri] = pr[pi]
            except IndexError:
                pass
            precision[t, :, k] = np.array(q)
            if t == 0:
                out["curve", k] = (rc.tolist(), pr)

    # summarize: the means over entries > -1
    def mean_defined(s):
        return float(np.mean(s[s > -1])) if len(s[s > -1]) else -1

    if np.any(precision > -1):
        out["map50_95"] = mean_defined(precision)
        out["map50"] = mean_defined(precision[np.where(.5 == iou_thrs)[0]])
        out["map75"] = mean_defined(precision[np.where(.75 == iou_thrs)[0]])
    for k in cat_ids:
        if np.all(precision[:, :, k] > -1):
            out["ap", k] = mean_defined(precision[:, :, k])
            out["ap50", k] = mean_defined(precision[0, :, k])
    return out


def plain_precision_recall(detections, truths, n_classes, score_threshold, max_det):
    """TP, detections and ground truths per class at IoU 0.5 for the kept detections >= score_threshold."""
    tp, n_det, n_gt = [0] * n_classes, [0] * n_classes, [0] * n_classes
    for (boxes, scores, labels), (gboxes, glabels) in zip(detections, truths):
        boxes, scores, labels = np.asarray(boxes, float).reshape(-1, 4), np.asarray(scores, float), np.asarray(labels)
        gboxes, glabels = np.asarray(gboxes, float).reshape(-1, 4), np.asarray(glabels)
        for k in range(n_classes):
            mine = [i for i in range(len(scores)) if labels[i] == k]
            mine = [mine[i] for i in np.argsort([-scores[i] for i in mine], kind="mergesort")][:max_det]
            mine = [i for i in mine if scores[i] >= score_threshold]
            gt = [j for j in range(len(glabels)) if glabels[j] == k]
            n_gt[k] += len(gt)
            n_det[k] += len(mine)
            taken = set()
            for i in mine:
                best, m = 0.5, None
                for j in gt:
                    if j in taken:
                        continue
                    x0, y0 = max(boxes[i, 0], gboxes[j, 0]), max(boxes[i, 1], gboxes[j, 1])
                    x1, y1 = min(boxes[i, 2], gboxes[j, 2]), min(boxes[i, 3], gboxes[j, 3])
                    inter = max(0.0, x1 - x0) * max(0.0, y1 - y0)
                    union = ((boxes[i, 2] - boxes[i, 0]) * (boxes[i, 3] - boxes[i, 1])
                             + (gboxes[j, 2] - gboxes[j, 0]) * (gboxes[j, 3] - gboxes[j, 1]) - inter)
                    iou = inter / union if inter > 0 else 0.0
                    if iou >= best:
                        best, m = iou, j
                if m is not None:
                    taken.add(m)
                    tp[k] += 1
    return tp, n_det, n_gt


def random_split(seed, n_images=40, n_classes=4, absent=(), ties=True, det_range=(0, 12)):
    """Boxes on an integer grid (so equal IoUs and IoUs exactly at thresholds happen), detections that copy,
    shift or miss the ground truth, wrong classes, scores rounded to tenths for ties; some images without
    ground truth and some without detections; classes in `absent` never get ground truth."""
    rng = np.random.default_rng(seed)
    present = [k for k in range(n_classes) if k not in absent]
    detections, truths = [], []
    for _ in range(n_images):
        n_gt = int(rng.choice([0, 0, 1, 2, 3, 5]))
        x0 = rng.integers(0, 40, n_gt)
        y0 = rng.integers(0, 40, n_gt)
        gboxes = np.stack([x0, y0, x0 + rng.integers(2, 12, n_gt), y0 + rng.integers(2, 12, n_gt)], 1).astype(float)
        glabels = rng.choice(present, n_gt)
        n_det = int(rng.integers(*det_range))
        boxes, labels = [], []
        for _ in range(n_det):
            if n_gt and rng.random() < 0.6:
                j = rng.integers(n_gt)
                boxes.append(gboxes[j] + rng.integers(-2, 3, 4) * (rng.random() < 0.6))
                labels.append(glabels[j] if rng.random() < 0.8 else rng.integers(n_classes))
            else:
                a, b = rng.integers(0, 40, 2)
                boxes.append([a, b, a + rng.integers(1, 12), b + rng.integers(1, 12)])
                labels.append(rng.integers(n_classes))
        boxes = np.array(boxes, dtype=float).reshape(-1, 4)
        boxes[:, 2] = np.maximum(boxes[:, 2], boxes[:, 0])
        boxes[:, 3] = np.maximum(boxes[:, 3], boxes[:, 1])
        scores = rng.random(n_det)
        if ties:
            scores = np.round(scores, 1)
        detections.append((boxes, scores, np.array(labels, dtype=np.int64)))
        truths.append((gboxes, glabels.astype(np.int64)))
    return detections, truths


def expected_curve(recall, precision):
    # the first point of each recall level, as searchsorted 'left' reads the curve, then downsampled
    points = [[round(float(r), 5), round(float(p), 5)] for i, (r, p) in enumerate(zip(recall, precision))
              if i == 0 or r != recall[i - 1]]
    return downsample(points)


# ---------------------------------------------------------------------------------------------------------------
# Agreement with the reference


@pytest.mark.parametrize("seed, kwargs, max_det", [
    (0, {}, 100),
    (1, {"absent": (2,)}, 100),
    (2, {"ties": False}, 100),
    (3, {}, 3),  # truncation per (image, class)
    (4, {"n_classes": 1, "det_range": (0, 30)}, 7),
    (5, {"n_images": 80, "n_classes": 6, "absent": (0, 5)}, 100),
    (6, {"det_range": (0, 2)}, 100),  # mostly missed ground truth
])
def test_matches_the_cocoeval_reference_on_random_splits(seed, kwargs, max_det):
    n_classes = kwargs.get("n_classes", 4)
    detections, truths = random_split(seed, **kwargs)
    classes = [f"c{k}" for k in range(n_classes)]
    values, curves = evaluate_detections(detections, truths, classes, max_detections=max_det)
    ref = coco_reference(detections, truths, n_classes, max_det)

    expected = {f"val/{key}": ref[key] for key in ("map50_95", "map50", "map75")}
    for k in range(n_classes):
        if ("ap", k) in ref:
            expected[f"val/ap/c{k}"] = ref["ap", k]
            expected[f"val/ap50/c{k}"] = ref["ap50", k]
    got = {key: v for key, v in values.items() if "/map" in key or "/ap" in key}
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == pytest.approx(expected[key], abs=1e-12), key
    for absent in kwargs.get("absent", ()):
        assert f"val/ap/c{absent}" not in values and f"val/recall/c{absent}" not in values
    # map50_95 as the mean of the per-class APs is the same number as COCO's flat mean over every sample
    aps = [v for key, v in values.items() if key.startswith("val/ap/")]
    assert values["val/map50_95"] == pytest.approx(np.mean(aps), abs=1e-12)

    assert [(kind, name) for kind, name, _ in curves] == [("pr50", f"c{k}") for k in range(n_classes)
                                                         if ("ap", k) in ref]
    for _, name, points in curves:
        k = int(name[1:])
        if ("curve", k) in ref:
            assert points == expected_curve(*ref["curve", k])
        else:  # ground truth, no detection
            assert points == []

    tp, n_det, n_gt = plain_precision_recall(detections, truths, n_classes, 0.25, max_det)
    assert values["val/precision"] == pytest.approx(sum(tp) / sum(n_det), abs=1e-12)
    assert values["val/recall"] == pytest.approx(sum(tp) / sum(n_gt), abs=1e-12)
    for k in range(n_classes):
        if n_gt[k] and n_det[k]:
            assert values[f"val/precision/c{k}"] == pytest.approx(tp[k] / n_det[k], abs=1e-12)
        else:
            assert f"val/precision/c{k}" not in values
        if n_gt[k]:
            assert values[f"val/recall/c{k}"] == pytest.approx(tp[k] / n_gt[k], abs=1e-12)

    has_findings = [len(labels) > 0 for _, labels in truths]
    image_score = [max(scores) if len(scores) else 0.0 for _, scores, _ in detections]
    assert values["val/findings_auc"] == pytest.approx(roc_auc_score(has_findings, image_score), abs=1e-12)


def test_the_reference_can_tell_a_wrong_tie_rule():
    # The comparison above would be empty if the random splits never made the tie rules matter: flipping the
    # detection order inside each image (so ties fall the other way) must move the reference's numbers.
    detections, truths = random_split(0)
    flipped = [(b[::-1], s[::-1], lab[::-1]) for b, s, lab in detections]
    a, b = coco_reference(detections, truths, 4), coco_reference(flipped, truths, 4)
    assert a["map50_95"] != b["map50_95"]
    values, _ = evaluate_detections(flipped, truths, ["c0", "c1", "c2", "c3"])
    assert values["val/map50_95"] == pytest.approx(b["map50_95"], abs=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Values pycocotools printed for published inputs


def test_matches_pycocotools_printed_values_for_the_cocoapi_fake_results_subset():
    # Inputs and pycocotools output quoted in torchmetrics' tests/detection/test_map.py (four images of cocoapi's
    # results/instances_val2014_fakebbox100_results.json, boxes there converted to xyxy). pycocotools printed
    # three decimals: AP@[.5:.95] 0.706, AP@.5 0.901, AP@.75 0.846; per class 0.725, 0.800, 0.454, -1 (class 3:
    # a detection but no ground truth), 0.650, 0.900.
    detections = [
        (np.array([[258.15, 41.29, 606.41, 285.07]]), np.array([0.236]), np.array([4])),
        (np.array([[61.00, 22.75, 565.00, 632.42], [12.66, 3.32, 281.26, 275.23]]), np.array([0.318, 0.726]),
         np.array([3, 2])),
        (np.array([[87.87, 276.25, 384.29, 379.43], [0.00, 3.66, 142.15, 316.06], [296.55, 93.96, 314.97, 152.79],
                   [328.94, 97.05, 342.49, 122.98], [356.62, 95.47, 372.33, 147.55], [464.08, 105.09, 495.74, 146.99],
                   [276.11, 103.84, 291.44, 150.72]]),
         np.array([0.546, 0.3, 0.407, 0.611, 0.335, 0.805, 0.953]), np.array([4, 1, 0, 0, 0, 0, 0])),
        (np.array([[0.00, 2.87, 601.00, 421.52]]), np.array([0.699]), np.array([5])),
    ]
    truths = [
        (np.array([[214.15, 41.29, 562.41, 285.07]]), np.array([4])),
        (np.array([[13.00, 22.75, 548.98, 632.42], [1.66, 3.32, 270.26, 275.23]]), np.array([2, 2])),
        (np.array([[61.87, 276.25, 358.29, 379.43], [2.75, 3.66, 162.15, 316.06], [295.55, 93.96, 313.97, 152.79],
                   [326.94, 97.05, 340.49, 122.98], [356.62, 95.47, 372.33, 147.55], [462.08, 105.09, 493.74, 146.99],
                   [277.11, 103.84, 292.44, 150.72]]), np.array([4, 1, 0, 0, 0, 0, 0])),
        (np.array([[13.99, 2.87, 640.00, 421.52]]), np.array([5])),
    ]
    classes = ["c0", "c1", "c2", "c3", "c4", "c5"]
    values, _ = evaluate_detections(detections, truths, classes)
    half = 0.0005 + 1e-9  # a value printed with three decimals is within half a unit of the last place
    assert values["val/map50_95"] == pytest.approx(0.706, abs=half)
    assert values["val/map50"] == pytest.approx(0.901, abs=half)
    assert values["val/map75"] == pytest.approx(0.846, abs=half)
    for name, ap in zip(["c0", "c1", "c2", "c4", "c5"], [0.725, 0.800, 0.454, 0.650, 0.900]):
        assert values[f"val/ap/{name}"] == pytest.approx(ap, abs=half), name
    assert "val/ap/c3" not in values
    ref = coco_reference(detections, truths, 6)
    assert values["val/map50_95"] == pytest.approx(ref["map50_95"], abs=1e-12)


@pytest.mark.parametrize("order, expected", [((0, 1), 1.0), ((1, 0), 0.5)])
def test_equal_scores_keep_input_order_as_pycocotools_does(order, expected):
    # torchmetrics issue #1966 (maintainers: "the exact same behaviour the official implementation would have"):
    # two detections scored 1.0, one exact, one elsewhere. Exact first: precision 1 at every recall -> mAP 1.
    # Miss first: tp [0, 1], rc [0, 1], pr [0, .5] made monotone [.5, .5] -> 0.5 at every recall threshold.
    boxes = np.array([[214.0, 41.0, 562.0, 285.0], [600.0, 300.0, 900.0, 600.0]])[list(order)]
    detections = [(boxes, np.array([1.0, 1.0]), np.array([0, 0]))]
    truths = [(np.array([[214.0, 41.0, 562.0, 285.0]]), np.array([0]))]
    values, _ = evaluate_detections(detections, truths, ["a"])
    assert values["val/map50_95"] == pytest.approx(expected * ONE if expected == 1.0 else expected, abs=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Hand-computed cases


def det(boxes, scores, labels):
    return (np.array(boxes, dtype=float).reshape(-1, 4), np.array(scores, dtype=float), np.array(labels))


def gt(boxes, labels):
    return (np.array(boxes, dtype=float).reshape(-1, 4), np.array(labels))


def test_image_without_ground_truth_and_score_ties_across_images():
    # torchmetrics issue #943's boxes: det [258, 41, 606, 285] vs ground truth [214, 41, 562, 285]:
    # intersection 304 x 244, union (348 + 348 - 304) x 244 -> IoU 304 / 392 = 0.7755: a match at 0.50 ... 0.75
    # (six thresholds), not at 0.80+. The same detection, same score, in an image without ground truth is a false
    # positive; equal scores keep image order, so the true positive ranks first: tp [1, 1], fp [0, 1],
    # rc [1, 1], pr [1, .5] -> 1 at every recall threshold where it matches: AP = 6/10, AP50 = AP75 = 1.
    d = det([[258, 41, 606, 285]], [0.536], [0])
    truths = [gt([[214, 41, 562, 285]], [0]), gt([], [])]
    values, curves = evaluate_detections([d, d], truths, ["a"])
    assert values["val/map50_95"] == pytest.approx(0.6 * ONE, abs=1e-12)
    assert values["val/map50"] == pytest.approx(ONE, abs=1e-12)
    assert values["val/map75"] == pytest.approx(ONE, abs=1e-12)
    assert values["val/precision"] == 0.5 and values["val/recall"] == 1.0
    assert values["val/findings_auc"] == 0.5  # both images score 0.536
    assert curves == [("pr50", "a", [[1.0, 1.0]])]  # recall 1 is reached by the first detection
    # Images swapped: the false positive ranks first: pr [0, .5] -> monotone [.5, .5]: AP 0.5 where matched.
    values, _ = evaluate_detections([d, d], truths[::-1], ["a"])
    assert values["val/map50_95"] == pytest.approx(0.3, abs=1e-12)
    assert values["val/map50"] == pytest.approx(0.5, abs=1e-12)


def test_duplicate_detection_of_one_box_is_a_false_positive():
    # ground truth A [0,0,10,10], B [20,0,30,10]; d1 = A (0.9), d2 = A again (0.8), d3 = B (0.7).
    # Every threshold: d1 -> A, d2 finds A taken (and IoU 0 with B) -> FP, d3 -> B.
    # tp [1, 1, 2], fp [0, 1, 1]: rc [.5, .5, 1], pr [1, .5, 2/3] -> monotone [1, 2/3, 2/3].
    # The 51 recall thresholds 0 ... 0.50 read pr[0] = 1, the 50 above read pr[2] = 2/3:
    # AP = (51 * 1 + 50 * 2/3) / 101 at every threshold.
    truths = [gt([[0, 0, 10, 10], [20, 0, 30, 10]], [0, 0])]
    detections = [det([[0, 0, 10, 10], [0, 0, 10, 10], [20, 0, 30, 10]], [0.9, 0.8, 0.7], [0, 0, 0])]
    values, curves = evaluate_detections(detections, truths, ["a"])
    ap = (51 * ONE + 50 * (2 / 3)) / 101
    for key in ("map50_95", "map50", "map75", "ap/a", "ap50/a"):
        assert values[f"val/{key}"] == pytest.approx(ap, abs=1e-12), key
    assert values["val/precision"] == pytest.approx(2 / 3) and values["val/recall"] == 1.0
    # one point per recall level, at its first detection: (0.5, 1) at d1, (1, 2/3) at d3
    assert curves == [("pr50", "a", [[0.5, 1.0], [1.0, 0.66667]])]


def test_equal_ious_go_to_the_last_ground_truth():
    # ground truth G1 [0,0,10,10], G2 [5,0,15,10]; d1 [5,0,10,10] (0.9) overlaps each by 50 / 100 = IoU 0.5;
    # d2 = G1 (0.8): IoU 1 with G1, 50 / 150 with G2.
    # At 0.5 cocoeval's `< iou: continue` lets G2 (later, equal IoU) replace G1, so d1 -> G2 and d2 -> G1:
    # two TPs, AP50 = 1. (Taking the first box would leave d2 only G2 at 1/3: AP50 = 51/101.)
    # At 0.55 ... 0.95 d1 matches nothing, d2 -> G1: tp [0, 1], rc [0, .5], pr [0, .5] -> monotone [.5, .5];
    # recall thresholds 0 ... 0.5 (51 of them) read .5, the rest 0: AP = 25.5 / 101.
    truths = [gt([[0, 0, 10, 10], [5, 0, 15, 10]], [0, 0])]
    detections = [det([[5, 0, 10, 10], [0, 0, 10, 10]], [0.9, 0.8], [0, 0])]
    values, _ = evaluate_detections(detections, truths, ["a"])
    assert values["val/map50"] == pytest.approx(ONE, abs=1e-12)
    assert values["val/map75"] == pytest.approx(25.5 / 101, abs=1e-12)
    assert values["val/map50_95"] == pytest.approx((ONE + 9 * 25.5 / 101) / 10, abs=1e-12)
    assert values["val/precision"] == 1.0 and values["val/recall"] == 1.0


@pytest.mark.parametrize("box, matched_thresholds", [
    ([0, 0, 10, 5], 1),      # IoU 50 / 100 = 0.5 exactly: matched at 0.50 (>=), not at 0.55
    ([0, 0, 10, 7.5], 6),    # 0.75 exactly: 0.50 ... 0.75
    ([0, 0, 10, 9], 9),      # 0.9: COCO's "0.90" is 0.8999999999999999, so it matches there too
    ([10, 0, 20, 10], 0),    # touching: width 0, IoU 0
])
def test_iou_exactly_at_a_threshold_matches(box, matched_thresholds):
    # one ground truth [0,0,10,10], one detection: AP 1 (tp / (tp + eps)) where matched, 0 elsewhere
    values, _ = evaluate_detections([det([box], [0.9], [0])], [gt([[0, 0, 10, 10]], [0])], ["a"])
    assert values["val/map50_95"] == pytest.approx(ONE * matched_thresholds / 10, abs=1e-12)
    assert values["val/map50"] == pytest.approx(ONE if matched_thresholds >= 1 else 0.0, abs=1e-12)
    assert values["val/map75"] == pytest.approx(ONE if matched_thresholds >= 6 else 0.0, abs=1e-12)
    assert values["val/precision"] == (1.0 if matched_thresholds else 0.0)


def test_class_absent_from_the_split_is_left_out_and_other_class_matches_are_false_positives():
    # classes a, b, c. Image 0: ground truth a at [0,0,10,10]; a "b" detection on it (0.9) and an "a" one (0.8).
    # Image 1: ground truth c, an exact "c" detection (0.7). b has no ground truth: no ap/b, no precision/b,
    # not in the means; a and c each AP 1 -> mAP 1. Its detection still counts as a false positive overall:
    # precision 2 / 3, recall 2 / 2.
    detections = [det([[0, 0, 10, 10], [0, 0, 10, 10]], [0.9, 0.8], [1, 0]), det([[0, 0, 10, 10]], [0.7], [2])]
    truths = [gt([[0, 0, 10, 10]], [0]), gt([[0, 0, 10, 10]], [2])]
    values, curves = evaluate_detections(detections, truths, ["a", "b", "c"])
    assert values["val/map50_95"] == pytest.approx(ONE, abs=1e-12)
    assert not [key for key in values if key.endswith("/b")]
    assert values["val/precision"] == pytest.approx(2 / 3) and values["val/recall"] == 1.0
    assert values["val/precision/a"] == 1.0 and values["val/precision/c"] == 1.0
    assert [name for _, name, _ in curves] == ["a", "c"]
    # only the wrong-class detection: a's ground truth is missed (AP 0), the detection is a false positive
    values, _ = evaluate_detections([det([[0, 0, 10, 10]], [0.9], [1])], [gt([[0, 0, 10, 10]], [0])], ["a", "b"])
    assert values["val/map50_95"] == 0.0 and values["val/ap/a"] == 0.0
    assert values["val/precision"] == 0.0 and values["val/recall"] == 0.0 and values["val/recall/a"] == 0.0
    assert "val/precision/a" not in values  # no detection of a: undefined, omitted


def test_max_detections_caps_each_image_and_class():
    # class a: ground truth [0,0,10,10]; a detections: two misses (0.9, 0.8) then the hit (0.7).
    # class b (no ground truth): three misses at 0.95, which do not count against a's cap.
    misses = [[50, 50, 60, 60], [70, 70, 80, 80]]
    detections = [det(misses + [[0, 0, 10, 10]] + misses + [[90, 90, 99, 99]],
                      [0.9, 0.8, 0.7, 0.95, 0.95, 0.95], [0, 0, 0, 1, 1, 1])]
    truths = [gt([[0, 0, 10, 10]], [0])]
    # cap 2: the hit is cut: AP 0; shown: a's two misses + b's first two -> precision 0 / 4, recall 0
    values, _ = evaluate_detections(detections, truths, ["a", "b"], max_detections=2)
    assert values["val/map50_95"] == 0.0 and values["val/precision"] == 0.0 and values["val/recall"] == 0.0
    # cap 3 (a cap per image would keep only b's three): tp [0, 0, 1], rc [0, 0, 1], pr [0, 0, 1/3]
    # -> monotone 1/3 everywhere: every recall threshold reads 1/3 -> AP 1/3; precision (1 + 0) / (3 + 3)
    values, _ = evaluate_detections(detections, truths, ["a", "b"], max_detections=3)
    assert values["val/map50_95"] == pytest.approx(1 / 3, abs=1e-12)
    assert values["val/precision"] == pytest.approx(1 / 6) and values["val/recall"] == 1.0
    assert values["val/precision/a"] == pytest.approx(1 / 3)


def test_score_threshold_counts_scores_equal_to_it():
    # hit at exactly 0.25 is shown, a miss at 0.2 is not: precision 1 / 1, recall 1; at 0.3 nothing is shown:
    # precision undefined (omitted), recall 0.
    detections = [det([[0, 0, 10, 10], [50, 50, 60, 60]], [0.25, 0.2], [0, 0])]
    truths = [gt([[0, 0, 10, 10]], [0])]
    values, _ = evaluate_detections(detections, truths, ["a"], score_threshold=0.25)
    assert values["val/precision"] == 1.0 and values["val/recall"] == 1.0
    values, _ = evaluate_detections(detections, truths, ["a"], score_threshold=0.3)
    assert "val/precision" not in values and "val/precision/a" not in values
    assert values["val/recall"] == 0.0
    assert values["val/map50"] == pytest.approx(ONE, abs=1e-12)  # AP does not depend on the threshold


def test_findings_auc_ranks_images_by_their_highest_score():
    # findings: 0.9 and 0.3 (max of 0.3, 0.1); none: 0.5 and no detection (0). Pairs (finding > none):
    # 0.9 > 0.5, 0.9 > 0, 0.3 < 0.5, 0.3 > 0 -> 3 / 4.
    box = [[0, 0, 10, 10]]
    detections = [det(box, [0.9], [0]), det(box * 2, [0.3, 0.1], [0, 0]), det(box, [0.5], [0]), det([], [], [])]
    truths = [gt(box, [0]), gt(box, [0]), gt([], []), gt([], [])]
    values, _ = evaluate_detections(detections, truths, ["a"])
    assert values["val/findings_auc"] == 0.75
    # only images with findings: undefined, omitted
    values, _ = evaluate_detections(detections[:2], truths[:2], ["a"])
    assert "val/findings_auc" not in values


def test_empty_inputs():
    assert evaluate_detections([], [], ["a"]) == ({}, [])
    assert evaluate_detections([], [], []) == ({}, [])
    # detections but no ground truth anywhere: no AP, no recall, no AUC; every detection a false positive
    values, curves = evaluate_detections([det([[0, 0, 1, 1]], [0.5], [0]), det([], [], [])],
                                         [gt([], []), gt([], [])], ["a"])
    assert values == {"val/precision": 0.0} and curves == []
    # ground truth but no detection: AP 0, recall 0, precision undefined, an empty curve
    values, curves = evaluate_detections([det([], [], []), det([], [], [])],
                                         [gt([[0, 0, 1, 1]], [0]), gt([], [])], ["a"], prefix="test")
    assert values == {"test/map50_95": 0.0, "test/map50": 0.0, "test/map75": 0.0, "test/ap50/a": 0.0,
                      "test/ap/a": 0.0, "test/recall": 0.0, "test/recall/a": 0.0, "test/findings_auc": 0.5}
    assert curves == [("pr50", "a", [])]


def test_long_curves_are_downsampled_keeping_both_ends():
    detections, truths = random_split(7, n_images=200, n_classes=1, ties=False, det_range=(5, 15))
    _, curves = evaluate_detections(detections, truths, ["a"])
    ((_, _, points),) = curves
    ref = coco_reference(detections, truths, 1)
    recall, precision = ref["curve", 0]
    assert len(set(recall)) > 200 and len(points) == 200
    assert points[0] == [round(recall[0], 5), round(precision[0], 5)]
    last_level = recall.index(recall[-1])  # the highest recall, at the detection that first reached it
    assert points[-1] == [round(recall[-1], 5), round(precision[last_level], 5)]
    assert points == expected_curve(recall, precision)
    assert all(a[0] <= b[0] and a[1] >= b[1] for a, b in zip(points, points[1:]))  # recall up, precision down


def test_accepts_torch_tensors_float32_and_float_labels():
    torch = pytest.importorskip("torch")
    detections, truths = random_split(8)
    values, _ = evaluate_detections(detections, truths, ["c0", "c1", "c2", "c3"])
    as_torch = [(torch.tensor(b), torch.tensor(s), torch.tensor(lab)) for b, s, lab in detections]
    as_float = [(b.astype(np.float32), lab.astype(np.float32)) for b, lab in truths]  # integer grid: exact
    values_t, _ = evaluate_detections(as_torch, as_float, ["c0", "c1", "c2", "c3"])
    assert values_t == values


@pytest.mark.parametrize("detections, truths, message", [
    ([det([], [], [])], [], r"detections has 1 images but truths has 0"),
    ([(np.zeros((1, 3)), [0.5], [0])], [gt([], [])], r"detections\[0\] boxes: expected shape \[n, 4\]"),
    ([det([[0, 0, 1, 1]], [0.5, 0.4], [0])], [gt([], [])], r"detections\[0\]: 1 boxes, 2 scores and 1 labels"),
    ([det([], [], []), det([], [], [])], [gt([], []), gt([[0, 0, 1, 1], [0, np.nan, 1, 1]], [0, 0])],
     r"truths\[1\] boxes row 1 is \[0.0, nan, 1.0, 1.0\]; coordinates must be finite"),
    ([det([[0, 0, 1, 1], [0, 0, 1, 1]], [0.5, 0.4], [0, 3])], [gt([], [])],
     r"detections\[0\] labels row 1 is 3.0; labels must be whole class indices 0..2"),
    ([det([[0, 0, 1, 1]], [0.5], [0.5])], [gt([], [])], r"detections\[0\] labels row 0 is 0.5"),
    ([det([[0, 0, 1, 1]], [0.5], [0])], [gt([[0, 0, 1, 1]], [-1])], r"truths\[0\] labels row 0 is -1.0"),
    ([det([[0, 0, 1, 1]], [np.nan], [0])], [gt([], [])], r"detections\[0\] scores row 0 is nan"),
    ([det([[5, 0, 1, 1]], [0.5], [0])], [gt([], [])], r"detections\[0\] boxes row 0 .*x1 < x0 or y1 < y0"),
    ([(np.zeros((0, 4)), [])], [gt([], [])], r"detections\[0\]: expected \(boxes \[k, 4\], scores \[k\]"),
    ([det([], [], [])], [(np.zeros((0, 4)),)], r"truths\[0\]: expected \(boxes \[g, 4\], labels \[g\]\)"),
    ([det([], [], [])], [(np.zeros((1, 4)), [0, 1])], r"truths\[0\]: 1 boxes but 2 labels"),
])
def test_bad_input_names_what_is_wrong(detections, truths, message):
    with pytest.raises(ValueError, match=message):
        evaluate_detections(detections, truths, ["a", "b", "c"])


def test_the_fast_stable_order_is_mergesort_order():
    # COCO's tie order rests on it: descending, equal scores (0.0 and -0.0 included) in index order
    rng = np.random.default_rng(9)
    for values in (rng.random(1000), np.round(rng.random(20000), 2), np.zeros(7), np.zeros(0),
                   np.array([0.0, -0.0, 0.5, 0.0, -0.0, 0.5])):
        assert np.array_equal(_descending_stable(values), np.argsort(-values, kind="mergesort"))
    assert not np.array_equal(_descending_stable(np.zeros(7)), np.arange(7)[::-1])


@pytest.mark.parametrize("kwargs, message", [({"max_detections": 0}, "max_detections must be a positive integer"),
                                             ({"max_detections": 2.5}, "max_detections"),
                                             ({"score_threshold": float("nan")}, "score_threshold"),
                                             ({"score_threshold": "high"}, "score_threshold")])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        evaluate_detections([], [], ["a"], **kwargs)
