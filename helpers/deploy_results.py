"""The numbers notebook 08 measures: the exported models compared, sample pictures classified.

One record per exported file (a *variant*: a model in one export mode) goes to
``metrics.json`` under ``"export"``; :func:`export_table` lays the records out for reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.drawn_digits import DigitImageError
from helpers.export import TFLiteClassifier
from helpers.predict import predict_image
from helpers.settings import relative_to_repo

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
RECORD_KEYS = ("model", "mode", "file", "bytes", "test_accuracy", "latency_ms")


def variant_record(model_name: str, mode: str, path, labels, predicted, latency_ms: float) -> dict:
    """The metrics record of one exported file: its size, test accuracy and latency.

    ``predicted`` are the digits the exported model chose for the images labelled ``labels``;
    ``latency_ms`` is the mean time to classify one image.
    """
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    if labels.shape != predicted.shape or labels.ndim != 1 or len(labels) == 0:
        raise ValueError(
            f"expected one predicted digit per label, got {predicted.shape} and {labels.shape}"
        )
    path = Path(path)
    return {
        "model": model_name,
        "mode": mode,
        "file": relative_to_repo(path),
        "bytes": path.stat().st_size,
        "test_accuracy": round(float(np.mean(predicted == labels)), 6),
        "latency_ms": round(float(latency_ms), 4),
    }


def export_table(variants: Sequence[Mapping], keras_accuracy: Mapping[str, float]) -> pd.DataFrame:
    """One row per variant (model, mode): size in KB and how many times smaller than the
    model's float32 file, test accuracy and its change from the Keras model's (in percentage
    points), latency per image."""
    if not variants:
        raise ValueError("no exported variants to tabulate")
    frame = pd.DataFrame([{key: variant[key] for key in RECORD_KEYS} for variant in variants])
    missing = sorted(set(frame["model"]) - set(keras_accuracy))
    if missing:
        raise ValueError(f"no Keras accuracy for {missing}: evaluate those Keras models first")
    float32 = frame[frame["mode"] == "float32"].set_index("model")["bytes"]
    without_float32 = sorted(set(frame["model"]) - set(float32.index))
    if without_float32:
        raise ValueError(f"no float32 export of {without_float32} to compare the sizes with")
    table = pd.DataFrame(
        {
            "model": frame["model"],
            "mode": frame["mode"],
            "size (KB)": (frame["bytes"] / 1024).round(1),
            "x smaller": (frame["model"].map(float32) / frame["bytes"]).round(2),
            "test accuracy (%)": (100 * frame["test_accuracy"]).round(2),
            "vs Keras (points)": (
                100 * (frame["test_accuracy"] - frame["model"].map(keras_accuracy))
            ).round(2),
            "latency (ms/image)": frame["latency_ms"].round(3),
        }
    )
    return table.set_index(["model", "mode"])


def expected_digit(path) -> int | None:
    """The digit a sample's file name starts with (``seven_black_on_white.png`` -> 7), or None."""
    first_word = Path(path).stem.split("_")[0].lower()
    return DIGIT_WORDS.index(first_word) if first_word in DIGIT_WORDS else None


def predict_samples(paths: Iterable, classifier: TFLiteClassifier) -> pd.DataFrame:
    """The digit and confidence for each picture, and the digit its file name announces.

    A picture without a digit, or not a picture, gets no digit and the reason in ``note``.
    """
    rows = []
    for path in paths:
        row = {"file": Path(path).name, "expected": expected_digit(path)}
        try:
            prediction = predict_image(path, classifier)
        except DigitImageError as exc:
            row.update(digit=None, confidence=np.nan, note=str(exc))
        else:
            row.update(digit=prediction.digit, confidence=round(prediction.confidence, 4), note="")
        rows.append(row)
    if not rows:
        raise ValueError("no pictures given")
    table = pd.DataFrame(rows, columns=["file", "expected", "digit", "confidence", "note"])
    table[["expected", "digit"]] = table[["expected", "digit"]].astype("Int64")
    table["correct"] = (table["digit"] == table["expected"]).fillna(False).astype(bool)
    return table
