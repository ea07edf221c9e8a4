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


def model_record(
    model,
    training: TrainingResult,
    labels: np.ndarray,
    probabilities: np.ndarray,
    model_path: Path | None = None,
) -> dict:
    """Everything measured about one final model, ready for the metrics file."""
    accuracy, loss = accuracy_and_loss(labels, probabilities)
    record = {
        "test_accuracy": round(accuracy, 6),
        "test_loss": round(loss, 6),
        "test_errors": int(round((1 - accuracy) * len(labels))),
        "params": int(model.count_params()),
        "macs_per_image": total_multiply_accumulates(model),
        "epochs": training.epochs,
        "best_epoch": training.best_epoch,
        "train_seconds": round(training.train_seconds, 1),
        "seconds_per_epoch": round(training.seconds_per_epoch, 2),
    }
    if model_path is not None:
        record["model_file_bytes"] = Path(model_path).stat().st_size
    return record


def numpy_mlp_record(
    params: dict, history: dict, labels: np.ndarray, probabilities: np.ndarray, model_path: Path
) -> dict:
    """:func:`model_record` for the NumPy MLP: its history has no checkpoint, the last epoch
    is the model, and its file is the ``.npz`` of its parameters."""
    if not history.get("seconds"):
        raise ValueError("history has no epoch times: pass the history train_mlp returned")
    epochs = len(history["seconds"])
    accuracy, loss = accuracy_and_loss(labels, probabilities)
    seconds = float(sum(history["seconds"]))
    return {
        "test_accuracy": round(accuracy, 6),
        "test_loss": round(loss, 6),
        "test_errors": int(round((1 - accuracy) * len(labels))),
        "params": numpy_mlp.count_params(params),
        "macs_per_image": numpy_mlp.multiply_accumulates(params),
        "epochs": epochs,
        "best_epoch": epochs,
        "train_seconds": round(seconds, 1),
        "seconds_per_epoch": round(seconds / epochs, 2),
        "model_file_bytes": Path(model_path).stat().st_size,
    }
