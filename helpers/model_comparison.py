"""Comparing models (notebook 06): the architecture table and the ablation."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.outputs import producer

# The models of the comparison, from the simplest to the largest, and how tables name them.
COMPARED_MODELS = {
    "numpy_mlp": "NumPy MLP (from scratch)",
    "keras_mlp": "Keras MLP",
    "baseline_cnn": "Baseline CNN",
    "improved_cnn": "Improved CNN",
    "resnet10": "ResNet-10",
}
RECORD_KEYS = (
    "params",
    "macs_per_image",
    "seconds_per_epoch",
    "epochs",
    "test_accuracy",
    "test_errors",
    "model_file_bytes",
)


def _record(metrics: Mapping, name: str) -> Mapping:
    record = metrics.get(name)
    if not isinstance(record, Mapping):
        run = producer("sections", name)
        raise KeyError(f"metrics have no record of {name!r}: run {run} first")
    missing = [key for key in RECORD_KEYS if key not in record]
    if missing:
        raise KeyError(f"the record of {name!r} lacks {', '.join(missing)}")
    return record


def comparison_table(metrics: Mapping, models: Mapping[str, str] = COMPARED_MODELS) -> pd.DataFrame:
    """One row per model: size, cost, training time and test scores, read from the metrics."""
    rows = []
    for name, label in models.items():
        record = _record(metrics, name)
        rows.append(
            {
                "model": label,
                "parameters": int(record["params"]),
                "MACs per image": int(record["macs_per_image"]),
                "s per epoch": float(record["seconds_per_epoch"]),
                "epochs": int(record["epochs"]),
                "test accuracy": float(record["test_accuracy"]),
                "test errors": int(record["test_errors"]),
                "file size (kB)": round(record["model_file_bytes"] / 1000, 1),  # as formatting
            }
        )
    return pd.DataFrame(rows).set_index("model")


def ablation_table(variants: Mapping[str, Mapping[str, float]], reference: str = "all"):
    """Validation accuracy and loss of each variant and its difference to ``reference``."""
    if reference not in variants:
        raise KeyError(f"no {reference!r} variant to compare with; got {sorted(variants)}")
    base = variants[reference]["val_accuracy"]
    table = pd.DataFrame(
        [
            {
                "variant": name,
                "val_accuracy": scores["val_accuracy"],
                "val_loss": scores["val_loss"],
                "vs all (points)": round(100 * (scores["val_accuracy"] - base), 2),
            }
            for name, scores in variants.items()
        ]
    )
    return table.set_index("variant")
