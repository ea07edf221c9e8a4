"""Recognise the digit in a picture with the exported TensorFlow Lite model.

From the command line, one line per picture::

    python -m helpers.deploy.predict data/samples/*.png [--model PATH]

prints ``path: 7 (98.3%)``, ``path: no digit found`` or ``path: error: <message>``; the exit
code is 0 when every picture got a digit, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.deploy.classifier import TFLiteClassifier
from helpers.deploy.drawn_digits import DigitImageError, NoDigitFound, prepare_digit
from helpers.outputs import MissingOutputError, tflite_path
from helpers.settings import active_profile

DEFAULT_MODEL = ("best_cnn", "int8")  # the int8 export of the best CNN (notebook 08)
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Prediction:
    """The most likely digit, its probability, and the probabilities of all ten digits."""

    digit: int
    confidence: float
    probabilities: list[float]


def default_model_path() -> Path:
    """The exported int8 model of the best CNN, in the active profile's models folder."""
    return tflite_path(active_profile(), *DEFAULT_MODEL)


def predict_image(image, classifier: TFLiteClassifier | None = None) -> Prediction:
    """The digit in ``image`` (any picture :func:`prepare_digit` accepts).

    Without ``classifier``, loads the default model (:func:`default_model_path`) for this call;
    pass one to classify many pictures. Raises ``NoDigitFound`` for a blank picture.
    """
    if classifier is None:
        classifier = TFLiteClassifier(default_model_path())
    digit_image = prepare_digit(image)
    probabilities = classifier.predict_proba(digit_image[np.newaxis, :, :, np.newaxis])[0]
    digit = int(np.argmax(probabilities))
    return Prediction(digit, float(probabilities[digit]), [float(p) for p in probabilities])


def result_line(path: str, classifier: TFLiteClassifier) -> tuple[str, bool]:
    """The command line's line for one picture, and whether a digit was predicted."""
    try:
        prediction = predict_image(path, classifier)
    except NoDigitFound:
        return f"{path}: no digit found", False
    except DigitImageError as exc:
        return f"{path}: error: {exc}", False
    except OSError as exc:  # missing file, a folder, no permission
        return f"{path}: error: {exc.strerror or exc}", False
    return f"{path}: {prediction.digit} ({prediction.confidence:.1%})", True


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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.deploy.predict",
        description="Recognise the handwritten digit in each picture.",
    )
    parser.add_argument("images", nargs="+", help="picture files (PNG, JPEG, ...)")
    parser.add_argument(
        "--model",
        type=Path,
        help="a .tflite classifier (default: the profile's models/best_cnn_int8.tflite)",
    )
    args = parser.parse_args(argv)
    try:
        classifier = TFLiteClassifier(args.model or default_model_path())
    except (MissingOutputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    all_predicted = True
    for path in args.images:
        line, predicted = result_line(path, classifier)
        print(line, flush=True)
        all_predicted = all_predicted and predicted
    return 0 if all_predicted else 1


if __name__ == "__main__":
    sys.exit(main())
