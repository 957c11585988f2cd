"""Detection metrics: COCO box AP, precision / recall at a score threshold, image-level findings AUC, PR curves.

evaluate_detections(detections, truths, classes, prefix, score_threshold, max_detections) -> (values, curves)
  detections: one (boxes [k, 4] x0 y0 x1 y1, scores [k], labels [k]) per image
  truths:     one (boxes [g, 4] x0 y0 x1 y1, labels [g]) per image

What the AP keys match: pycocotools' COCOeval with iouType "bbox", areaRng "all", maxDets [max_detections],
every ground truth iscrowd 0, list position = image id, class index = category id. Step by step:
- Boxes are turned into COCO's [x, y, w, h] (w = x1 - x0, h = y1 - y0) and the IoU is computed the way
  pycocotools' bbIou does it: min(x + w) - max(x) per axis, no +1, 0 when either is <= 0 (boxes that only
  touch), else intersection / (area_d + area_g - intersection), in float64.
- Per (image, class) the detections are ordered by score, stably (mergesort: ties keep input order), and only
  the first max_detections are kept, as computeIoU / evaluateImg do. The cap is per image AND class.
- Per IoU threshold np.linspace(.5, .95, 10) (0.8999999999999999 for "0.90", so an IoU of exactly 0.9 matches
  there; 0.5 and 0.75 are exact), each detection in that order takes, among the ground truths not yet matched at
  that threshold, the one with the highest IoU >= the threshold (>=: cocoeval skips only `ious < iou`); among
  equal IoUs the LAST in input order, because an equal IoU later in the list replaces the match.
- Per class, every image's kept detections sorted by score (stable: ties in image order, then rank), TP / FP
  cumulated, precision tp / (tp + fp + eps) made monotone from the right, read at the 101 recall thresholds
  np.linspace(0, 1, 101) with searchsorted 'left' (0 past the highest recall reached).
- map50_95 / map50 / map75 are the means COCOeval.summarize prints (over every precision sample of the classes
  that have ground truth). ap/<class> and ap50/<class> are the same means for one class (summarize's per-class
  form, as detectron2 reports it). A class without ground truth in the split is -1 in COCO: its keys are
  omitted and it is left out of the means; a class with ground truth and no detection has AP 0.
Where it deliberately differs from COCOeval: ground truths (and unmatched detections) with an area above
1e10 px^2 are not set aside as COCO's "all" range would (no image has such boxes); nothing else.

Not COCO (defined here):
- precision / recall (overall, micro over classes, and per class): the kept detections with score >=
  score_threshold, matched exactly as above at IoU 0.5 (greedy matching is prefix-stable, so the detections
  above the threshold get the same matches as in the full AP matching). precision = TP / (TP + FP) and is
  OMITTED when no detection reaches the threshold (undefined, never 0 / 0); recall = TP / ground truths and is
  omitted without ground truth. Per-class keys only for classes with ground truth, like the AP keys; the overall
  precision counts every detection, so detections of a class absent from the split are false positives there.
- findings_auc: ROC AUC of "the image has at least one ground-truth box", scored by the image's highest
  detection score (0 without detections); omitted when every image is of one kind.
- curves: ("pr50", class, [[recall, precision], ...]) per class with ground truth: COCO's accumulated curve
  at IoU 0.5 (detections in score order, precision made monotone from the right: the curve the 101 samples of
  ap50 are read from), one point per recall level reached (its first detection, where searchsorted 'left' reads
  it; the false positives that follow only repeat or lower it), downsampled with metrics.downsample, rounded to
  5 decimals. Empty (no points) for a class with ground truth and no detection.

Speed: all images are handled at once with array operations (one sort for the per-(image, class) order, IoU
over the (detection, ground truth) pairs that share an image and class, and the greedy matching stepped by rank
within (image, class) so that each step handles every image and all ten thresholds together).
"""
import numpy as np
from sklearn.metrics import roc_auc_score

from .metrics import downsample

# Exactly as pycocotools' Params.setDetParams builds them: the float values decide ties at the thresholds.
IOU_THRESHOLDS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
RECALL_THRESHOLDS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
MATCH_THRESHOLDS = np.minimum(IOU_THRESHOLDS, 1 - 1e-10)  # cocoeval's `iou = min([t, 1 - 1e-10])`
IOU_50 = 0  # index of 0.5 in IOU_THRESHOLDS
IOU_75 = 5  # index of 0.75 (exactly 0.75 in the linspace, as summarize's `iouThr == p.iouThrs` needs)


def evaluate_detections(detections, truths, classes, prefix="val", score_threshold=0.25, max_detections=100):
    """Returns (values, curves); see the module docstring for every key and the COCO rules they follow."""
    classes = list(classes)
    n_classes = len(classes)
    if isinstance(max_detections, bool) or not isinstance(max_detections, (int, np.integer)) or max_detections < 1:
        raise ValueError(f"max_detections must be a positive integer, got {max_detections!r}")
    try:
        score_threshold = float(score_threshold)
    except (TypeError, ValueError):
        score_threshold = float("nan")
    if not np.isfinite(score_threshold):
        raise ValueError(f"score_threshold must be a finite number, got {score_threshold!r}")
    det, gt = _collect(detections, truths, n_classes)
    n_images = len(truths)

    keep, by_score = _cap_per_image_class(det, n_classes, int(max_detections))
    det_tp = _match(det, gt, keep, n_classes)

    values, curves = {}, []
    gt_per_class = np.bincount(gt["label"], minlength=n_classes)
    precision = -np.ones((len(IOU_THRESHOLDS), len(RECALL_THRESHOLDS), n_classes))  # -1: class without GT
    kept_by_score = by_score[keep[by_score]]
    by_class = kept_by_score[np.argsort(det["label"][kept_by_score], kind="stable")]
    class_bounds = np.searchsorted(det["label"][by_class], np.arange(n_classes + 1), side="left")
    for k, name in enumerate(classes):
        n_gt = int(gt_per_class[k])
        if n_gt == 0:
            continue
        idx = by_class[class_bounds[k]:class_bounds[k + 1]]
        q, recall50, precision50 = _class_precision(det_tp[:, idx], n_gt)
        precision[:, :, k] = q
        curves.append(("pr50", name, _curve_points(recall50, precision50)))

    if np.any(precision > -1):
        values[f"{prefix}/map50_95"] = float(np.mean(precision[precision > -1]))
        for key, t in (("map50", IOU_50), ("map75", IOU_75)):
            s = precision[t]
            values[f"{prefix}/{key}"] = float(np.mean(s[s > -1]))
        for k, name in enumerate(classes):
            if gt_per_class[k] > 0:
                values[f"{prefix}/ap50/{name}"] = float(np.mean(precision[IOU_50, :, k]))
                values[f"{prefix}/ap/{name}"] = float(np.mean(precision[:, :, k]))

    _precision_recall(values, prefix, classes, det, det_tp, keep, gt_per_class, score_threshold)
    _findings_auc(values, prefix, det, gt, n_images)
    return values, curves


def _collect(detections, truths, n_classes):
    """Concatenates the per-image arrays (image order kept: it decides COCO's tie order) and checks them.
    Arrays are taken as they come and converted once after concatenation (per-image conversions of 5,000
    float32 arrays cost more than the whole matching)."""
    detections, truths = list(detections), list(truths)
    if len(detections) != len(truths):
        raise ValueError(f"detections has {len(detections)} images but truths has {len(truths)}; "
                         "pass one entry per image to both, [] boxes for an image without any")
    d_boxes, d_scores, d_labels, d_counts = [], [], [], []
    for i, entry in enumerate(detections):
        if not isinstance(entry, (tuple, list)) or len(entry) != 3:
            raise ValueError(f"detections[{i}]: expected (boxes [k, 4], scores [k], labels [k])")
        boxes = _shaped(entry[0], f"detections[{i}] boxes", 2)
        scores = _shaped(entry[1], f"detections[{i}] scores", 1)
        labels = _shaped(entry[2], f"detections[{i}] labels", 1)
        if not (len(scores) == len(labels) == len(boxes)):
            raise ValueError(f"detections[{i}]: {len(boxes)} boxes, {len(scores)} scores and {len(labels)} labels; "
                             "each detection needs one of each")
        d_boxes.append(boxes)
        d_scores.append(scores)
        d_labels.append(labels)
        d_counts.append(len(boxes))
    g_boxes, g_labels, g_counts = [], [], []
    for i, entry in enumerate(truths):
        if not isinstance(entry, (tuple, list)) or len(entry) != 2:
            raise ValueError(f"truths[{i}]: expected (boxes [g, 4], labels [g])")
        boxes = _shaped(entry[0], f"truths[{i}] boxes", 2)
        labels = _shaped(entry[1], f"truths[{i}] labels", 1)
        if len(labels) != len(boxes):
            raise ValueError(f"truths[{i}]: {len(boxes)} boxes but {len(labels)} labels; each box needs one label")
        g_boxes.append(boxes)
        g_labels.append(labels)
        g_counts.append(len(boxes))
    det = _table(d_boxes, d_labels, d_counts, "detections", n_classes)
    det["score"] = _numeric(d_scores, (0,), "detections", "scores")
    bad = np.flatnonzero(~np.isfinite(det["score"]))
    if len(bad):
        image, row = _locate(det["offsets"], bad[0])
        raise ValueError(f"detections[{image}] scores row {row} is {det['score'][bad[0]]}; scores must be finite")
    gt = _table(g_boxes, g_labels, g_counts, "truths", n_classes)
    return det, gt


def _shaped(value, what, ndim):
    array = np.asarray(value)
    if array.size == 0:  # [], tensor([]), zeros((0, 4)): no box
        return array.reshape((0, 4) if ndim == 2 else (0,))
    if ndim == 2 and (array.ndim != 2 or array.shape[1] != 4):
        raise ValueError(f"{what}: expected shape [n, 4] (x0, y0, x1, y1), got {list(array.shape)}")
    if ndim == 1 and array.ndim != 1:
        raise ValueError(f"{what}: expected shape [n], got {list(array.shape)}")
    return array


def _numeric(arrays, empty_shape, what, field):
    if not arrays:
        return np.zeros(empty_shape)
    try:
        return np.concatenate(arrays).astype(np.float64)
    except (TypeError, ValueError):
        for i, array in enumerate(arrays):  # the slow path only to name the image
            try:
                array.astype(np.float64)
            except (TypeError, ValueError) as e:
                raise ValueError(f"{what}[{i}] {field}: not numbers ({e})") from None
        raise


def _table(boxes, labels, counts, what, n_classes):
    offsets = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
    box = _numeric(boxes, (0, 4), what, "boxes")
    label = _numeric(labels, (0,), what, "labels")
    table = {"offsets": offsets, "image": np.repeat(np.arange(len(counts)), counts)}
    bad = np.flatnonzero(~np.all(np.isfinite(box), axis=1))
    if len(bad):
        image, row = _locate(offsets, bad[0])
        raise ValueError(f"{what}[{image}] boxes row {row} is {box[bad[0]].tolist()}; coordinates must be finite")
    bad = np.flatnonzero((box[:, 2] < box[:, 0]) | (box[:, 3] < box[:, 1]))
    if len(bad):
        image, row = _locate(offsets, bad[0])
        raise ValueError(f"{what}[{image}] boxes row {row} is {box[bad[0]].tolist()}: x1 < x0 or y1 < y0; "
                         "boxes are x0, y0, x1, y1 with x1 >= x0 and y1 >= y0")
    bad = np.flatnonzero(~np.isfinite(label) | (label != np.round(label)) | (label < 0) | (label >= n_classes))
    if len(bad):
        image, row = _locate(offsets, bad[0])
        raise ValueError(f"{what}[{image}] labels row {row} is {label[bad[0]]}; labels must be whole class indices "
                         f"0..{n_classes - 1} into the {n_classes} classes")
    table["label"] = label.astype(np.int64)
    # COCO's [x, y, w, h] and the box ends as bbIou recomputes them (x + w), so IoUs equal pycocotools' to the bit.
    x, y, w, h = box[:, 0], box[:, 1], box[:, 2] - box[:, 0], box[:, 3] - box[:, 1]
    table.update(x=x, y=y, xe=x + w, ye=y + h, area=w * h)
    return table


def _locate(offsets, flat):
    image = int(np.searchsorted(offsets, flat, side="right") - 1)
    return image, int(flat - offsets[image])


def _cap_per_image_class(det, n_classes, max_detections):
    """keep[d]: d is among the first max_detections of its (image, class) by score (stable); and the stable
    by-score order of all detections (ties in input order), from which every per-group order is a subsequence."""
    by_score = _descending_stable(det["score"])
    group = det["image"] * n_classes + det["label"]
    in_group = by_score[np.argsort(group[by_score], kind="stable")]  # (image, class), then score, then input order
    rank = np.empty(len(in_group), dtype=np.int64)
    if len(in_group):
        g = group[in_group]
        first = np.ones(len(g), dtype=bool)
        first[1:] = g[1:] != g[:-1]
        position = np.arange(len(g))
        rank[in_group] = position - np.maximum.accumulate(np.where(first, position, 0))
    det["group"], det["rank"], det["in_group"] = group, rank, in_group
    return rank < max_detections, by_score


def _descending_stable(values):
    """np.argsort(-values, kind="stable") (ties in index order, as COCO's mergesort), three times faster on
    500,000 scores: an unstable sort, then each run of equal values put in index order by a nearly-sorted
    integer key (cheap for the stable sort)."""
    order = np.argsort(-values)
    v = values[order]
    run = np.zeros(len(v), dtype=np.int64)
    np.cumsum(v[1:] != v[:-1], out=run[1:])
    return order[np.argsort(run * len(v) + order, kind="stable")]


def _match(det, gt, keep, n_classes):
    """det_tp[t, d]: kept detection d is matched at IOU_THRESHOLDS[t] (cocoeval's greedy evaluateImg rule)."""
    n_t = len(IOU_THRESHOLDS)
    det_tp = np.zeros((n_t, len(det["score"])), dtype=bool)
    gt_group = gt["image"] * n_classes + gt["label"]
    gt_order = np.argsort(gt_group, kind="stable")  # within a group: input order, the order COCO scans them
    gt_sorted = gt_group[gt_order]
    # Kept detections in (rank, image, class) order: every detection of one rank forms one matching step, and a
    # step never holds two detections of one (image, class), so its matches cannot collide.
    cand = det["in_group"][keep[det["in_group"]]]
    lo = np.searchsorted(gt_sorted, det["group"][cand], side="left")
    n_pairs = np.searchsorted(gt_sorted, det["group"][cand], side="right") - lo
    cand, lo, n_pairs = cand[n_pairs > 0], lo[n_pairs > 0], n_pairs[n_pairs > 0]
    if not len(cand):
        return det_tp
    step_order = np.argsort(det["rank"][cand], kind="stable")
    cand, lo, n_pairs = cand[step_order], lo[step_order], n_pairs[step_order]
    pair_det = np.repeat(cand, n_pairs)
    starts = np.cumsum(n_pairs) - n_pairs
    pair_gt = gt_order[np.repeat(lo - starts, n_pairs) + np.arange(len(pair_det))]
    iou = _pair_iou(det, gt, pair_det, pair_gt)

    taken = np.zeros((n_t, len(gt_order)), dtype=bool)
    pair_rank = det["rank"][pair_det]
    step_bounds = np.flatnonzero(np.diff(pair_rank)) + 1
    thresholds = MATCH_THRESHOLDS[:, None]
    for a, b in zip(np.concatenate([[0], step_bounds]), np.concatenate([step_bounds, [len(pair_det)]])):
        d, g, v = pair_det[a:b], pair_gt[a:b], iou[a:b]
        seg_first = np.ones(len(d), dtype=bool)
        seg_first[1:] = d[1:] != d[:-1]
        seg_start = np.flatnonzero(seg_first)
        seg_id = np.cumsum(seg_first) - 1
        ok = (v >= thresholds) & ~taken[:, g]  # [T, pairs]
        score = np.where(ok, v, -1.0)
        best = np.maximum.reduceat(score, seg_start, axis=1)
        is_best = ok & (score == best[:, seg_id])
        # among equal best IoUs the last ground truth in input order wins, as cocoeval's `< iou: continue` does
        last = np.maximum.reduceat(np.where(is_best, np.arange(len(d)), -1), seg_start, axis=1)
        t_idx, s_idx = np.nonzero(last >= 0)
        p = last[t_idx, s_idx]
        taken[t_idx, g[p]] = True
        det_tp[t_idx, d[p]] = True
    return det_tp


def _pair_iou(det, gt, d, g):
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.minimum(det["xe"][d], gt["xe"][g]) - np.maximum(det["x"][d], gt["x"][g])
        h = np.minimum(det["ye"][d], gt["ye"][g]) - np.maximum(det["y"][d], gt["y"][g])
        inter = w * h
        iou = inter / (det["area"][d] + gt["area"][g] - inter)
    return np.where((w > 0) & (h > 0), iou, 0.0)


def _class_precision(tps, n_gt):
    """COCO accumulate for one class: tps [T, n] in score order -> (precision at the 101 recall thresholds [T, R],
    recall and monotone precision at IoU 0.5 per detection)."""
    n = tps.shape[1]
    q = np.zeros((len(IOU_THRESHOLDS), len(RECALL_THRESHOLDS)))
    if n == 0:
        return q, np.zeros(0), np.zeros(0)
    tp = np.cumsum(tps, axis=1, dtype=np.float64)
    # fp + tp is the detection count so far, an exact integer in float64: the same bits as COCO's fp + tp
    seen = np.arange(1, n + 1, dtype=np.float64)
    recall = tp / n_gt
    precision = tp / (seen + np.spacing(1))
    precision = np.maximum.accumulate(precision[:, ::-1], axis=1)[:, ::-1]
    for t in range(len(IOU_THRESHOLDS)):
        inds = np.searchsorted(recall[t], RECALL_THRESHOLDS, side="left")
        reached = inds < n
        q[t, reached] = precision[t, inds[reached]]
    return q, recall[IOU_50], precision[IOU_50]


def _curve_points(recall, precision):
    """The first point of each recall level reached (where COCO reads the interpolated precision for that
    level; the later points of a level only repeat or lower it), downsampled, rounded like metrics.py's curves."""
    if not len(recall):
        return []
    first = np.ones(len(recall), dtype=bool)
    first[1:] = recall[1:] != recall[:-1]
    keep = np.flatnonzero(first)
    return [[round(float(recall[i]), 5), round(float(precision[i]), 5)] for i in downsample(keep)]


def _precision_recall(values, prefix, classes, det, det_tp, keep, gt_per_class, score_threshold):
    n_classes = len(classes)
    shown = keep & (det["score"] >= score_threshold)
    n_det = np.bincount(det["label"][shown], minlength=n_classes)
    n_tp = np.bincount(det["label"][shown & det_tp[IOU_50]], minlength=n_classes)
    if n_det.sum() > 0:
        values[f"{prefix}/precision"] = float(n_tp.sum() / n_det.sum())
    if gt_per_class.sum() > 0:
        values[f"{prefix}/recall"] = float(n_tp.sum() / gt_per_class.sum())
    for k, name in enumerate(classes):
        if gt_per_class[k] == 0:
            continue
        if n_det[k] > 0:
            values[f"{prefix}/precision/{name}"] = float(n_tp[k] / n_det[k])
        values[f"{prefix}/recall/{name}"] = float(n_tp[k] / gt_per_class[k])


def _findings_auc(values, prefix, det, gt, n_images):
    has_findings = np.bincount(gt["image"], minlength=n_images) > 0
    if n_images == 0 or has_findings.all() or not has_findings.any():
        return
    image_score = np.zeros(n_images)
    counts = np.diff(det["offsets"])
    nonempty = np.flatnonzero(counts > 0)
    if len(nonempty):
        image_score[nonempty] = np.maximum.reduceat(det["score"], det["offsets"][nonempty])
    values[f"{prefix}/findings_auc"] = float(roc_auc_score(has_findings.astype(np.int64), image_score))
