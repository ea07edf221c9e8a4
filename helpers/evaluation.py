"""Scores of a classifier (notebook 05): accuracy and loss, per-class scores, mistakes,
calibration (the confusion matrix is its exercise), and the record of a final model that
``reports/metrics.json`` keeps.

Inputs are integer labels ``y_true`` and ``y_pred`` shaped (N,), or ``probabilities`` shaped
(N, classes) whose rows are softmax outputs; the predicted label is the most probable class
and the confidence is its probability.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support

from helpers.data import NUM_CLASSES


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
    count = np.histogram(bin_of, bins=np.arange(n_bins + 1))[0]
    filled = count > 0

    def mean_per_bin(values: np.ndarray) -> np.ndarray:
        totals = np.bincount(bin_of, weights=values, minlength=n_bins)
        return np.divide(totals, count, out=np.full(n_bins, np.nan), where=filled)

    mean_confidence = mean_per_bin(confidence)
    accuracy = mean_per_bin(correct.astype(float))
    gaps = np.abs(accuracy[filled] - mean_confidence[filled])
    ece = float(np.sum(count[filled] / len(y_true) * gaps))
    return CalibrationBins(edges, mean_confidence, accuracy, count, ece)

def accuracy_and_loss(labels: np.ndarray, probabilities: np.ndarray) -> tuple[float, float]:
    """Accuracy of the most probable class and mean cross-entropy ``-log p(true class)``."""
    labels, probabilities = np.asarray(labels), np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(
            f"expected probabilities shaped ({len(labels)}, classes), got {probabilities.shape}"
        )
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    true_class = np.clip(probabilities[np.arange(len(labels)), labels], 1e-7, 1.0)
    return accuracy, float(-np.mean(np.log(true_class)))


def final_record(
    labels, probabilities, *, params, macs, epochs, best_epoch, seconds, model_path
) -> dict:
    """The metrics-file fields every final model has, from its test predictions and costs
    (:func:`model_record` fills them in for a Keras model)."""
    accuracy, loss = accuracy_and_loss(labels, probabilities)
    record = {
        "test_accuracy": round(accuracy, 6),
        "test_loss": round(loss, 6),
        "test_errors": int(round((1 - accuracy) * len(labels))),
        "params": int(params),
        "macs_per_image": int(macs),
        "epochs": epochs,
        "best_epoch": best_epoch,
        "train_seconds": round(seconds, 1),
        "seconds_per_epoch": round(seconds / max(epochs, 1), 2),
    }
    if model_path is not None:
        record["model_file_bytes"] = Path(model_path).stat().st_size
    return record


def model_record(
    model,
    training,
    labels: np.ndarray,
    probabilities: np.ndarray,
    model_path: Path | None = None,
) -> dict:
    """Everything measured about one final model, ready for the metrics file.

    ``training`` is the :class:`helpers.training.TrainingResult` of its run.
    """
    from helpers.architecture import total_multiply_accumulates  # needs Keras: imported here

    return final_record(
        labels,
        probabilities,
        params=model.count_params(),
        macs=total_multiply_accumulates(model),
        epochs=training.epochs,
        best_epoch=training.best_epoch,
        seconds=training.train_seconds,
        model_path=model_path,
    )


def ensemble_record(
    model, member_trainings: list, labels, probabilities, model_path: Path | None = None
) -> dict:
    """:func:`model_record` for an ensemble: its training cost is that of all its members
    (``member_trainings``, their :class:`~helpers.training.TrainingResult`), trained in turn."""
    from helpers.architecture import total_multiply_accumulates  # needs Keras: imported here

    if len(member_trainings) < 2:
        raise ValueError("an ensemble record needs the training results of its members")
    epochs = member_trainings[0].epochs
    return final_record(
        labels,
        probabilities,
        params=model.count_params(),
        macs=total_multiply_accumulates(model),
        epochs=epochs,
        best_epoch=epochs,
        seconds=sum(result.train_seconds for result in member_trainings),
        model_path=model_path,
    )
