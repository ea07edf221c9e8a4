"""Scores of a classifier from NumPy arrays: confusion matrix, per-class scores, mistakes and
calibration.

Inputs are integer labels ``y_true`` and ``y_pred`` shaped (N,), or ``probabilities`` shaped
(N, classes) whose rows are softmax outputs; the predicted label is the most probable class
and the confidence is its probability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

NUM_CLASSES = 10


def _as_labels(labels, name: str, num_classes: int) -> np.ndarray:
    """``labels`` as a 1-D int64 array, checked to lie in 0..num_classes-1."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must hold integer class labels, got dtype {labels.dtype}")
    outside = np.unique(labels[(labels < 0) | (labels >= num_classes)])
    if outside.size:
        raise ValueError(f"{name} has labels outside 0..{num_classes - 1}: {outside.tolist()[:5]}")
    return labels.astype(np.int64)  # uint8 labels would overflow in label arithmetic


def _as_probabilities(probabilities) -> np.ndarray:
    """``probabilities`` as a float array (N, classes) with values in [0, 1]."""
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 2 or probabilities.shape[1] < 2:
        raise ValueError(
            f"probabilities must be shaped (N, classes) with at least 2 classes, "
            f"got shape {probabilities.shape}"
        )
    if not np.all((probabilities >= 0) & (probabilities <= 1)):
        raise ValueError("probabilities must lie in [0, 1]: pass softmax outputs, not logits")
    return probabilities


def _check_same_length(y_true: np.ndarray, other: np.ndarray, other_name: str) -> None:
    if len(y_true) != len(other):
        raise ValueError(
            f"y_true and {other_name} have different lengths: {len(y_true)} vs {len(other)}"
        )


def _as_confusion_matrix(cm) -> np.ndarray:
    """``cm`` as a square 2-D array of non-negative counts."""
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square 2-D array, got shape {cm.shape}")
    if np.any(cm < 0):
        raise ValueError("cm must hold non-negative counts")
    return cm


def confusion_matrix(y_true, y_pred, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Counts (num_classes, num_classes): ``cm[t, p]`` samples of true class t predicted as p."""
    y_true = _as_labels(y_true, "y_true", num_classes)
    y_pred = _as_labels(y_pred, "y_pred", num_classes)
    _check_same_length(y_true, y_pred, "y_pred")
    cells = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return cells.reshape(num_classes, num_classes)


def row_normalise(cm) -> np.ndarray:
    """Each row of ``cm`` divided by its total, so rows sum to 1; rows without samples stay 0."""
    cm = _as_confusion_matrix(cm)
    row_totals = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, row_totals, out=np.zeros(cm.shape), where=row_totals > 0)


@dataclass(frozen=True)
class ClassScores:
    """Precision, recall, F1 and support of each class, and their macro averages."""

    table: pd.DataFrame  # one row per class; columns precision, recall, f1, support
    macro: dict[str, float]  # unweighted means over classes of precision, recall and f1


def per_class_scores(y_true, y_pred, num_classes: int = NUM_CLASSES) -> ClassScores:
    """Precision, recall, F1 and support of every class 0..num_classes-1.

    A score whose denominator is 0 (a class never predicted, or never present) counts as 0,
    also in the macro averages.
    """
    y_true = _as_labels(y_true, "y_true", num_classes)
    y_pred = _as_labels(y_pred, "y_pred", num_classes)
    _check_same_length(y_true, y_pred, "y_pred")
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=np.arange(num_classes), zero_division=0
    )
    table = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1": f1, "support": support},
        index=pd.RangeIndex(num_classes, name="class"),
    )
    macro = {name: float(table[name].mean()) for name in ("precision", "recall", "f1")}
    return ClassScores(table=table, macro=macro)


class ConfusedPair(NamedTuple):
    """An off-diagonal cell of a confusion matrix."""

    true: int
    predicted: int
    count: int


def most_confused_pairs(cm, top: int = 5) -> list[ConfusedPair]:
    """The ``top`` largest off-diagonal cells of ``cm``, largest count first.

    Ties are ordered by true label, then predicted label; cells with count 0 are left out.
    """
    cm = _as_confusion_matrix(cm)
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    pairs = [
        ConfusedPair(int(true), int(predicted), int(cm[true, predicted]))
        for true, predicted in zip(*np.nonzero(cm), strict=True)
        if true != predicted
    ]
    pairs.sort(key=lambda pair: (-pair.count, pair.true, pair.predicted))
    return pairs[:top]


def misclassified(y_true, probabilities) -> pd.DataFrame:
    """The wrong predictions, most confident first (ties by sample index).

    One row per mistake, indexed by the sample's position in ``y_true`` (index name
    ``sample``), with columns ``true``, ``predicted`` and ``confidence`` (the probability
    given to the wrong prediction).
    """
    probabilities = _as_probabilities(probabilities)
    y_true = _as_labels(y_true, "y_true", probabilities.shape[1])
    _check_same_length(y_true, probabilities, "probabilities")
    y_pred = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(y_pred != y_true)
    order = wrong[np.lexsort((wrong, -confidence[wrong]))]
    return pd.DataFrame(
        {"true": y_true[order], "predicted": y_pred[order], "confidence": confidence[order]},
        index=pd.Index(order, name="sample"),
    )


@dataclass(frozen=True)
class CalibrationBins:
    """Predictions grouped by confidence into equal-width bins (lower, upper]."""

    edges: np.ndarray  # (n_bins + 1,) bin edges from 0 to 1; a confidence of 0 joins bin 0
    confidence: np.ndarray  # (n_bins,) mean confidence in each bin, NaN when the bin is empty
    accuracy: np.ndarray  # (n_bins,) fraction of correct predictions, NaN when empty
    count: np.ndarray  # (n_bins,) number of predictions in each bin
    ece: float  # expected calibration error: count-weighted mean of |accuracy - confidence|


def calibration_bins(y_true, probabilities, n_bins: int = 10) -> CalibrationBins:
    """Mean confidence, accuracy and count per confidence bin, and the expected calibration
    error (ECE): 0 when, in every bin, the accuracy equals the mean confidence."""
    probabilities = _as_probabilities(probabilities)
    y_true = _as_labels(y_true, "y_true", probabilities.shape[1])
    _check_same_length(y_true, probabilities, "probabilities")
    if len(y_true) == 0:
        raise ValueError("calibration needs at least one prediction, got 0")
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y_true
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bin_of = np.searchsorted(edges[1:-1], confidence, side="left")
    count = np.bincount(bin_of, minlength=n_bins)
    filled = count > 0

    def mean_per_bin(values: np.ndarray) -> np.ndarray:
        totals = np.bincount(bin_of, weights=values, minlength=n_bins)
        return np.divide(totals, count, out=np.full(n_bins, np.nan), where=filled)

    mean_confidence = mean_per_bin(confidence)
    accuracy = mean_per_bin(correct.astype(float))
    gaps = np.abs(accuracy[filled] - mean_confidence[filled])
    ece = float(np.sum(count[filled] / len(y_true) * gaps))
    return CalibrationBins(edges, mean_confidence, accuracy, count, ece)
