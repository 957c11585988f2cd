"""Detection metrics, the one home: COCO-style AP exactly as pycocotools' COCOeval computes bbox AP, plus
precision / recall at the score threshold and the image-level "findings" AUC.

What matches pycocotools (cocoeval.py: evaluateImg, accumulate, summarize) for area range "all", no crowd boxes:
- IoU of xyxy boxes without the +1 of old VOC code (maskUtils.iou on xywh);
- per image and class, detections sorted by score (stable), truncated to max_detections (COCO's maxDet applies
  per image *and class* in evaluateImg), greedy matching in score order, each detection taking the unmatched
  ground truth of highest IoU >= threshold (threshold capped at 1 - 1e-10; among equal IoUs the last box wins,
  as `if ious[d, g] < iou: continue` leaves it);
- per class, detections of all images sorted by score (stable: image order, then per image) and accumulated;
  precision made monotone from the right, sampled at 101 recall points with searchsorted(side="left"), 0 past
  the highest recall reached; IoU thresholds 0.50:0.05:0.95;
- a class without ground truth in the evaluated images has no AP (COCO's -1): absent from the per-class keys and
  from every mean; a class with ground truth but no detection has AP 0.
mAP50-95 is the mean over classes of each class's AP averaged over the ten thresholds (the same number as
COCO's mean over every defined precision entry, since each class contributes the same count).

Beyond COCO (its own definitions, documented here):
- precision / recall at the score threshold: detections with score >= threshold (after the max_detections cap),
  matched greedily at IoU >= 0.5 as above; precision = TP / (TP + FP), 0 when no box reaches the threshold
  (as scikit-learn's zero_division=0 and YOLO's reports do); recall = TP / ground-truth boxes. Overall values
  pool every class (micro); per class under precision/<class> and recall/<class> (recall only where it has
  ground truth).
- findings_auc: ROC AUC of "the image has at least one ground-truth box", scored by its highest detection
  score (0 with none); absent when the split holds only one kind of image.

Speed: matching is a Python loop only over (image, class) pairs that have ground truth, and inside them only
over detections that overlap some ground truth by IoU >= 0.5; everything else is array work.
"""
import numpy as np
from sklearn.metrics import roc_auc_score

from .metrics import downsample

IOU_THRESHOLDS = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
RECALL_POINTS = np.linspace(0.0, 1.0, int(np.round((1.0 - 0.0) / 0.01)) + 1, endpoint=True)
_EPS = np.spacing(1)


def box_iou(a, b):
    """IoU matrix [len(a), len(b)] of xyxy boxes, COCO's definition (no +1)."""
    a, b = np.asarray(a, np.float64).reshape(-1, 4), np.asarray(b, np.float64).reshape(-1, 4)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(w, 0, None) * np.clip(h, 0, None)
    union = area_a[:, None] + area_b[None, :] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(union > 0, inter / union, 0.0)


def _check(detections, truths, n_classes):
    if len(detections) != len(truths):
        raise ValueError(f"{len(detections)} images of detections but {len(truths)} of ground truth")
    for i, (d, t) in enumerate(zip(detections, truths)):
        if len(d) != 3 or len(t) != 2:
            raise ValueError(f"image {i}: detections must be (boxes, scores, labels) and truths (boxes, labels)")
        boxes, scores, labels = (np.asarray(x) for x in d)
        gboxes, glabels = (np.asarray(x) for x in t)
        k, g = len(scores), len(glabels)
        if boxes.reshape(-1, 4).shape[0] != k or len(labels) != k:
            raise ValueError(f"image {i}: {boxes.shape} detection boxes, {k} scores and {len(labels)} labels disagree")
        if gboxes.reshape(-1, 4).shape[0] != g:
            raise ValueError(f"image {i}: {gboxes.shape} ground-truth boxes for {g} labels")
        for what, arr in (("detection boxes", boxes), ("scores", scores), ("ground-truth boxes", gboxes)):
            if arr.size and not np.all(np.isfinite(arr)):
                raise ValueError(f"image {i}: {what} hold a non-finite value")
        for what, lab in (("detection", labels), ("ground-truth", glabels)):
            if lab.size and (lab.min() < 0 or lab.max() >= n_classes):
                raise ValueError(f"image {i}: a {what} label is outside 0..{n_classes - 1}")


def _flatten(detections, truths, max_detections):
    """Every detection kept (top max_detections per image and class) as arrays, in COCO's accumulation order
    within a class: image, then score descending (stable)."""
    img, cls, score, boxes, order = [], [], [], [], []
    for i, (b, s, lab) in enumerate(detections):
        s = np.asarray(s, np.float64).reshape(-1)
        if not len(s):
            continue
        img.append(np.full(len(s), i))
        cls.append(np.asarray(lab, np.int64).reshape(-1))
        score.append(s)
        boxes.append(np.asarray(b, np.float64).reshape(-1, 4))
        order.append(np.arange(len(s)))
    if not img:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 4)))
    img, cls, score, boxes, order = (np.concatenate(x) for x in (img, cls, score, boxes, order))
    # group by (image, class), score descending, stable in the given order
    key = np.lexsort((order, -score, cls, img))
    img, cls, score, boxes = img[key], cls[key], score[key], boxes[key]
    start = np.r_[0, np.flatnonzero((np.diff(img) != 0) | (np.diff(cls) != 0)) + 1]
    rank = np.arange(len(img)) - np.repeat(start, np.diff(np.r_[start, len(img)]))
    keep = rank < max_detections
    return img[keep], cls[keep], score[keep], boxes[keep]


def _match(d_boxes, g_boxes, thresholds):
    """Greedy COCO matching of score-sorted detections to ground truth: matched[t, d] (bool), and the matched
    ground-truth index per (t, d) (-1 when unmatched)."""
    ious = box_iou(d_boxes, g_boxes)
    n_t, n_d, n_g = len(thresholds), len(d_boxes), len(g_boxes)
    gt_matched = np.zeros((n_t, n_g), bool)
    match = np.full((n_t, n_d), -1)
    caps = np.minimum(thresholds, 1 - 1e-10)[:, None]
    reverse = np.arange(n_g)[::-1]
    for d in np.flatnonzero(ious.max(axis=1, initial=0) >= caps.min()):
        row = ious[d]
        ok = (row[None, :] >= caps) & ~gt_matched
        # the highest IoU, the last ground truth among equals (cocoeval's `< iou: continue`)
        cand = np.where(ok, row[None, :], -1.0)[:, reverse]
        best = n_g - 1 - cand.argmax(axis=1)
        hit = ok.any(axis=1)
        match[hit, d] = best[hit]
        gt_matched[np.flatnonzero(hit), best[hit]] = True
    return match >= 0, match


def evaluate_detections(detections, truths, classes, prefix="val", score_threshold=0.25, max_detections=100):
    """Returns (values, curves) for one split.

    detections: per image (boxes float [k, 4] xyxy, scores [k], labels int [k]); truths: per image
    (boxes [g, 4] xyxy, labels [g]); labels index `classes`. curves: ("pr50", class, [[recall, precision], ...]).
    """
    classes = list(classes)
    _check(detections, truths, len(classes))
    n_img, n_cls = len(truths), len(classes)
    d_img, d_cls, d_score, d_boxes = _flatten(detections, truths, max_detections)
    g_img = np.concatenate([np.full(len(np.asarray(t[1]).reshape(-1)), i) for i, t in enumerate(truths)] or [np.zeros(0, int)]).astype(np.int64)
    g_cls = np.concatenate([np.asarray(t[1], np.int64).reshape(-1) for t in truths] or [np.zeros(0, np.int64)])
    g_boxes = np.concatenate([np.asarray(t[0], np.float64).reshape(-1, 4) for t in truths] or [np.zeros((0, 4))])

    # matching, per (image, class) pair that has ground truth; detections elsewhere are false positives
    n_t = len(IOU_THRESHOLDS)
    matched = np.zeros((n_t, len(d_img)), bool)
    matched50 = np.zeros(len(d_img), bool)  # at the score threshold, for precision / recall
    at_threshold = d_score >= score_threshold
    d_key = d_img * n_cls + d_cls
    g_key = g_img * n_cls + g_cls
    g_order = np.argsort(g_key, kind="stable")
    g_sorted = g_key[g_order]
    d_start = np.searchsorted(d_key, np.unique(g_sorted), side="left")
    d_end = np.searchsorted(d_key, np.unique(g_sorted), side="right")
    g_bounds = np.r_[0, np.flatnonzero(np.diff(g_sorted)) + 1, len(g_sorted)]
    for j, (a, b) in enumerate(zip(d_start, d_end)):
        if a == b:
            continue
        gb = g_boxes[g_order[g_bounds[j]:g_bounds[j + 1]]]
        m, _ = _match(d_boxes[a:b], gb, IOU_THRESHOLDS)
        matched[:, a:b] = m
        sel = np.flatnonzero(at_threshold[a:b])
        if len(sel):
            m50, _ = _match(d_boxes[a:b][sel], gb, IOU_THRESHOLDS[:1])
            matched50[a + sel] = m50[0]

    values, curves = {}, []
    gt_count = np.bincount(g_cls, minlength=n_cls)
    aps, ap50s, ap75s = [], [], []
    t75 = int(np.argmin(np.abs(IOU_THRESHOLDS - 0.75)))
    for c, name in enumerate(classes):
        if gt_count[c] == 0:
            continue
        sel = np.flatnonzero(d_cls == c)
        # COCO's accumulation order: by score, stable over (image, per-image rank) — which `sel` already is
        order = sel[np.argsort(-d_score[sel], kind="mergesort")]
        precision = np.zeros((n_t, len(RECALL_POINTS)))
        for t in range(n_t):
            tp = np.cumsum(matched[t, order]).astype(float)
            fp = np.cumsum(~matched[t, order]).astype(float)
            if not len(tp):
                continue
            rc = tp / gt_count[c]
            pr = tp / (fp + tp + _EPS)
            pr = np.maximum.accumulate(pr[::-1])[::-1]
            idx = np.searchsorted(rc, RECALL_POINTS, side="left")
            ok = idx < len(pr)
            precision[t, ok] = pr[idx[ok]]
        ap = float(precision.mean())
        values[f"{prefix}/ap/{name}"] = ap
        values[f"{prefix}/ap50/{name}"] = float(precision[0].mean())
        aps.append(ap)
        ap50s.append(float(precision[0].mean()))
        ap75s.append(float(precision[t75].mean()))
        curves.append(("pr50", name, downsample([[round(float(r), 5), round(float(p), 5)]
                                                 for r, p in zip(RECALL_POINTS, precision[0])])))
    if aps:
        values[f"{prefix}/map50_95"] = float(np.mean(aps))
        values[f"{prefix}/map50"] = float(np.mean(ap50s))
        values[f"{prefix}/map75"] = float(np.mean(ap75s))

    # precision / recall at the score threshold, IoU 0.5
    tp_c = np.bincount(d_cls[at_threshold & matched50], minlength=n_cls)
    det_c = np.bincount(d_cls[at_threshold], minlength=n_cls)
    for c, name in enumerate(classes):
        if det_c[c] or gt_count[c]:
            values[f"{prefix}/precision/{name}"] = float(tp_c[c] / det_c[c]) if det_c[c] else 0.0
        if gt_count[c]:
            values[f"{prefix}/recall/{name}"] = float(tp_c[c] / gt_count[c])
    if n_img:
        values[f"{prefix}/precision"] = float(tp_c.sum() / det_c.sum()) if det_c.sum() else 0.0
        if gt_count.sum():
            values[f"{prefix}/recall"] = float(tp_c.sum() / gt_count.sum())

    # findings vs no findings, image level
    has_findings = np.bincount(g_img, minlength=n_img) > 0
    if 0 < has_findings.sum() < n_img:
        image_score = np.zeros(n_img)
        np.maximum.at(image_score, d_img, d_score)
        values[f"{prefix}/findings_auc"] = float(roc_auc_score(has_findings, image_score))
    return values, curves
