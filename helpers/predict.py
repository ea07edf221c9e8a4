"""Recognise the digit in a picture with the exported TensorFlow Lite model.

From the command line, one line per picture::

    python -m helpers.predict data/samples/*.png [--model PATH]

prints ``path: 7 (98.3%)``, ``path: no digit found`` or ``path: error: <message>``; the exit
code is 0 when every picture got a digit, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.drawn_digits import DigitImageError, NoDigitFound, prepare_digit
from helpers.export import TFLiteClassifier
from helpers.model_store import MissingModelError
from helpers.settings import active_profile

DEFAULT_MODEL_FILE = "best_cnn_int8.tflite"  # written by notebooks/08_deploy.ipynb


@dataclass(frozen=True)
class Prediction:
    """The most likely digit, its probability, and the probabilities of all ten digits."""

    digit: int
    confidence: float
    probabilities: list[float]


def default_model_path() -> Path:
    """The exported int8 model of the best CNN, in the active profile's models folder."""
    return active_profile().models_dir / DEFAULT_MODEL_FILE


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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.predict",
        description="Recognise the handwritten digit in each picture.",
    )
    parser.add_argument("images", nargs="+", help="picture files (PNG, JPEG, ...)")
    parser.add_argument(
        "--model",
        type=Path,
        help=f"a .tflite classifier (default: the profile's models/{DEFAULT_MODEL_FILE})",
    )
    args = parser.parse_args(argv)
    try:
        classifier = TFLiteClassifier(args.model or default_model_path())
    except (MissingModelError, ValueError) as exc:
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
