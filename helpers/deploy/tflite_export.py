"""Export a Keras model to TensorFlow Lite (notebook 08), and the records that compare the
exported files.

Three exports (notebook 08 compares their size, accuracy and latency):

- ``float32``: the same weights and arithmetic as Keras, in a ``.tflite`` file.
- ``dynamic_range``: weights stored as int8 (about 4x smaller); activations stay float.
- ``int8``: weights and activations in int8, input and output too. The converter calibrates
  the activation ranges on a few hundred training images the caller passes in.

Keras 3 models are exported as a SavedModel first, then converted: that is what
``TFLiteConverter.from_keras_model`` does in TensorFlow 2.21 too, but it prints the
SavedModel's signature, which ``write_out(..., verbose=False)`` keeps quiet. The SavedModel
calls the model with ``training=False``: ``model.export`` calls it without, and Keras's random
augmentation layers (notebook 06 puts them inside its models) then default to augmenting,
which the converter cannot translate.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import keras
import numpy as np
import pandas as pd
import tensorflow as tf

from helpers.deploy.classifier import EXPORT_MODES, as_image_batch
from helpers.deploy.quiet import native_stderr_muted
from helpers.settings import relative_to_repo


def _export_for_inference(model, saved_model_dir: str) -> None:
    """Write ``model`` as a SavedModel whose one signature runs it in inference mode.

    Quietly: in Jupyter, TensorFlow's logger is at INFO and would print the temporary folder.
    """
    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serve",
        lambda images: model(images, training=False),
        input_signature=[keras.InputSpec(shape=(None, *model.input_shape[1:]), dtype="float32")],
    )
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        archive.write_out(saved_model_dir, verbose=False)
    finally:
        logger.setLevel(level)


def convert_saved_model(saved_model_dir, mode: str, representative_images=None) -> bytes:
    """The ``.tflite`` flatbuffer of a SavedModel in one of :data:`EXPORT_MODES`.

    ``representative_images`` (float32 in [0, 1], a few hundred training images) calibrate
    the ``int8`` mode, which requires them; the other modes do not use them.
    """
    _check_mode(mode, representative_images)
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model_dir))
    if mode != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "int8":
        calibration = as_image_batch(representative_images)
        converter.representative_dataset = lambda: ([image[None]] for image in calibration)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with native_stderr_muted():  # the converter logs its passes from C++
        return converter.convert()


def _check_mode(mode: str, representative_images) -> None:
    if mode not in EXPORT_MODES:
        raise ValueError(f"unknown export mode {mode!r}; choose one of: {', '.join(EXPORT_MODES)}")
    if mode == "int8" and representative_images is None:
        raise ValueError("the int8 export needs representative_images to calibrate activations")


def tflite_files(model, paths: Mapping[str, Path], representative_images=None) -> dict[str, int]:
    """Write ``model`` as TensorFlow Lite in each mode of ``paths`` (``{mode: path}``); the size
    of each file in bytes.

    The model is written as a SavedModel once, then converted once per mode (writing it
    costs about as much as a conversion).
    """
    for mode in paths:
        _check_mode(mode, representative_images)
    sizes = {}
    with tempfile.TemporaryDirectory() as saved_model_dir:
        _export_for_inference(model, saved_model_dir)
        for mode, path in paths.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(convert_saved_model(saved_model_dir, mode, representative_images))
            sizes[mode] = path.stat().st_size
    return sizes


def tflite_bytes(model, mode: str, representative_images=None) -> bytes:
    """The ``.tflite`` flatbuffer of a Keras model in one of :data:`EXPORT_MODES`
    (:func:`convert_saved_model`)."""
    _check_mode(mode, representative_images)
    with tempfile.TemporaryDirectory() as saved_model_dir:
        _export_for_inference(model, saved_model_dir)
        return convert_saved_model(saved_model_dir, mode, representative_images)


def export_tflite(model, path, mode: str, representative_images=None) -> int:
    """Write ``model`` to ``path`` as TensorFlow Lite in one mode (:func:`tflite_files`); the
    size in bytes."""
    return tflite_files(model, {mode: path}, representative_images)[mode]


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


def export_table(variants: Sequence[Mapping]) -> pd.DataFrame:
    """One row per variant (model, mode): size in kB, test accuracy and latency per image
    (how they compare is notebook 08's exercise)."""
    if not variants:
        raise ValueError("no exported variants to tabulate")
    frame = pd.DataFrame([{key: variant[key] for key in RECORD_KEYS} for variant in variants])
    table = pd.DataFrame(
        {
            "model": frame["model"],
            "mode": frame["mode"],
            "size (kB)": (frame["bytes"] / 1000).round(1),
            "test accuracy (%)": (100 * frame["test_accuracy"]).round(2),
            "latency (ms/image)": frame["latency_ms"].round(3),
        }
    )
    return table.set_index(["model", "mode"])
