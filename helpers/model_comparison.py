"""Comparing models (notebook 06): the architecture table, the spread of accuracies over seeds,
the ablation, and paired tests on one test set (McNemar, bootstrap).

One test set of 10,000 digits measures an accuracy to about +-0.06 points at 99.6% (one
standard error), and a model trained again with another seed lands elsewhere by about as much:
these functions say how much of a difference between two numbers is evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from helpers.outputs import producer
from helpers.settings import SEED

# The models of the comparison, from the simplest to the largest, and how tables name them.
COMPARED_MODELS = {
    "numpy_mlp": "NumPy MLP (from scratch)",
    "keras_mlp": "Keras MLP",
    "baseline_cnn": "Baseline CNN",
    "improved_cnn": "Improved CNN",
    "ensemble": "Improved CNN, ensemble of seeds",
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
                "file size (kB)": round(record["model_file_bytes"] / 1000, 1),
            }
        )
    return pd.DataFrame(rows).set_index("model")


def spread(values: Sequence[float]) -> dict[str, float]:
    """Mean, sample standard deviation, lowest and highest of repeated measurements."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"a spread needs at least 2 values, got {values.tolist()}")
    return {
        "runs": int(len(values)),
        "mean": round(float(values.mean()), 6),
        "std": round(float(values.std(ddof=1)), 6),
        "min": round(float(values.min()), 6),
        "max": round(float(values.max()), 6),
    }


def ablation_summary(scores: Mapping[str, Sequence[float]], reference: str = "all"):
    """One row per variant: the spread of its validation accuracies over seeds, the
    difference of its mean to ``reference``'s (in points) and Welch's t-test p-value for it
    (small: a difference the seeds' spread does not explain)."""
    if reference not in scores:
        raise KeyError(f"no {reference!r} variant to compare with; got {sorted(scores)}")
    base = np.asarray(scores[reference], dtype=float)
    rows = []
    for name, values in scores.items():
        values = np.asarray(values, dtype=float)
        summary = spread(values)
        p_value = np.nan
        if name != reference:
            p_value = float(stats.ttest_ind(values, base, equal_var=False).pvalue)
        rows.append(
            {
                "variant": name,
                "seeds": summary["runs"],
                "mean": summary["mean"],
                "std": summary["std"],
                "min": summary["min"],
                "max": summary["max"],
                "vs all (points)": round(100 * (values.mean() - base.mean()), 2),
                "p-value": p_value,
            }
        )
    return pd.DataFrame(rows).set_index("variant")


def correct_predictions(labels, probabilities) -> np.ndarray:
    """Whether each prediction (the most probable class) is right: booleans (N,)."""
    labels, probabilities = np.asarray(labels), np.asarray(probabilities)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(
            f"expected probabilities shaped ({len(labels)}, classes), got {probabilities.shape}"
        )
    return probabilities.argmax(axis=1) == labels


def _paired(correct_a, correct_b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(correct_a, dtype=bool), np.asarray(correct_b, dtype=bool)
    if a.shape != b.shape or a.ndim != 1 or len(a) == 0:
        raise ValueError(
            f"paired tests need one right/wrong per test image for both models, "
            f"got shapes {a.shape} and {b.shape}"
        )
    return a, b


def mcnemar(correct_a, correct_b) -> dict[str, float]:
    """McNemar's exact test of two models on the same test images.

    Only the images on which they disagree count: ``a_only`` right for A and wrong for B,
    ``b_only`` the reverse. If the models were equally good, each disagreement would go either
    way with probability 1/2; the p-value is the two-sided binomial probability of a split at
    least as lopsided as the one seen.
    """
    a, b = _paired(correct_a, correct_b)
    a_only, b_only = int(np.sum(a & ~b)), int(np.sum(~a & b))
    p_value = 1.0 if a_only + b_only == 0 else stats.binomtest(a_only, a_only + b_only).pvalue
    return {"a_only": a_only, "b_only": b_only, "p_value": round(float(p_value), 6)}


def bootstrap_difference(
    correct_a, correct_b, *, confidence: float = 0.95, resamples: int = 2_000, seed: int = SEED
) -> tuple[float, float]:
    """A paired bootstrap interval of accuracy(A) - accuracy(B), in fractions: the test images
    are resampled with replacement, the same images for both models."""
    a, b = _paired(correct_a, correct_b)

    def difference(x, y, axis=-1):
        return x.mean(axis=axis) - y.mean(axis=axis)

    result = stats.bootstrap(
        (a.astype(float), b.astype(float)),
        difference,
        paired=True,
        vectorized=True,
        confidence_level=confidence,
        n_resamples=resamples,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    interval = result.confidence_interval
    return round(float(interval.low), 6), round(float(interval.high), 6)


def paired_comparison(name_a: str, correct_a, name_b: str, correct_b) -> dict:
    """A against B on the same test images: both accuracies, McNemar's test and the 95%
    bootstrap interval of the difference, ready for the metrics file."""
    a, b = _paired(correct_a, correct_b)
    low, high = bootstrap_difference(a, b)
    return {
        "a": name_a,
        "b": name_b,
        "accuracy_a": round(float(a.mean()), 6),
        "accuracy_b": round(float(b.mean()), 6),
        **mcnemar(a, b),
        "difference_interval_95": [low, high],
    }
