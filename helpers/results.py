"""The record of a trained model for ``reports/metrics.json``: test scores, size and cost."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from helpers import numpy_mlp
from helpers.architecture import total_multiply_accumulates
from helpers.training import TrainingResult


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


def _record(
    labels, probabilities, *, params, macs, epochs, best_epoch, seconds, model_path
) -> dict:
    """The metrics-file fields every final model has, from its test predictions and costs."""
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
    training: TrainingResult,
    labels: np.ndarray,
    probabilities: np.ndarray,
    model_path: Path | None = None,
) -> dict:
    """Everything measured about one final model, ready for the metrics file."""
    return _record(
        labels,
        probabilities,
        params=model.count_params(),
        macs=total_multiply_accumulates(model),
        epochs=training.epochs,
        best_epoch=training.best_epoch,
        seconds=training.train_seconds,
        model_path=model_path,
    )


def numpy_mlp_record(
    params: dict, history: dict, labels: np.ndarray, probabilities: np.ndarray, model_path: Path
) -> dict:
    """:func:`model_record` for the NumPy MLP: its history has no checkpoint, the last epoch
    is the model, and its file is the ``.npz`` of its parameters."""
    if not history.get("seconds"):
        raise ValueError("history has no epoch times: pass the history train_mlp returned")
    epochs = len(history["seconds"])
    return _record(
        labels,
        probabilities,
        params=numpy_mlp.count_params(params),
        macs=numpy_mlp.multiply_accumulates(params),
        epochs=epochs,
        best_epoch=epochs,
        seconds=float(sum(history["seconds"])),
        model_path=model_path,
    )
