"""Export a Keras model to TensorFlow Lite, and run the exported file with LiteRT.

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
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from helpers import native_stderr_muted
from helpers.model_store import MissingModelError
from helpers.settings import relative_to_repo

try:  # LiteRT, the TensorFlow Lite runtime; it has no wheel for Windows
    from ai_edge_litert.interpreter import Interpreter
except ImportError:
    Interpreter = tf.lite.Interpreter

EXPORT_MODES = ("float32", "dynamic_range", "int8")
EXPORTED_BY = "notebooks/08_deploy.ipynb"


def _with_channel(images) -> np.ndarray:
    """Images (N, 28, 28) or (N, 28, 28, 1) in [0, 1] -> float32 (N, 28, 28, 1)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[3] != 1:
        raise ValueError(f"expected images shaped (N, H, W) or (N, H, W, 1), got {images.shape}")
    if len(images) == 0:
        raise ValueError("expected at least one image, got none")
    return images


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


def tflite_bytes(model, mode: str, representative_images=None) -> bytes:
    """The ``.tflite`` flatbuffer of a Keras model in one of :data:`EXPORT_MODES`.

    ``representative_images`` (float32 in [0, 1], a few hundred training images) calibrate
    the ``int8`` mode, which requires them; the other modes do not use them.
    """
    if mode not in EXPORT_MODES:
        raise ValueError(f"unknown export mode {mode!r}; choose one of: {', '.join(EXPORT_MODES)}")
    if mode == "int8" and representative_images is None:
        raise ValueError("the int8 export needs representative_images to calibrate activations")
    with tempfile.TemporaryDirectory() as saved_model_dir:
        _export_for_inference(model, saved_model_dir)
        converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
        if mode != "float32":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if mode == "int8":
            calibration = _with_channel(representative_images)
            converter.representative_dataset = lambda: ([image[None]] for image in calibration)
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        with native_stderr_muted():  # the converter logs its passes from C++
            return converter.convert()


def export_tflite(model, path, mode: str, representative_images=None) -> int:
    """Write ``model`` to ``path`` as TensorFlow Lite (:func:`tflite_bytes`); the size in bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tflite_bytes(model, mode, representative_images))
    return path.stat().st_size


class TFLiteClassifier:
    """A ``.tflite`` digit classifier run by LiteRT, with int8 inputs and outputs handled.

    The model must take (N, 28, 28, 1) images and end with a softmax over 10 classes, as the
    course's models do.
    """

    def __init__(self, path, batch_size: int = 256):
        self.path = Path(path)
        if not self.path.is_file():
            raise MissingModelError(
                f"{relative_to_repo(self.path)} not found: run {EXPORTED_BY} first "
                "(or `make run`) to export the TensorFlow Lite model."
            )
        self.batch_size = batch_size
        try:
            self.interpreter = Interpreter(model_path=str(self.path))
        except ValueError as exc:
            raise ValueError(
                f"{relative_to_repo(self.path)}: not a TensorFlow Lite model ({exc})"
            ) from None
        self._allocate()

    def _allocate(self) -> None:
        """Allocate the tensors for the current input shape and read their details."""
        with native_stderr_muted():  # LiteRT announces its CPU delegate from C++
            self.interpreter.allocate_tensors()
        self._input = self.interpreter.get_input_details()[0]
        self._output = self.interpreter.get_output_details()[0]

    @property
    def input_type(self) -> type:
        """The input tensor's NumPy type: float32, or int8 for a full-integer model."""
        return self._input["dtype"]

    def _run(self, batch: np.ndarray) -> np.ndarray:
        """One invocation on a float32 batch (n, 28, 28, 1) -> float32 outputs (n, 10)."""
        if batch.shape != tuple(self._input["shape"]):  # resize when the batch length changes
            self.interpreter.resize_tensor_input(self._input["index"], batch.shape)
            self._allocate()
        scale, zero_point = self._input["quantization"]
        if scale:  # quantised input: q = x / scale + zero_point
            info = np.iinfo(self.input_type)
            batch = np.clip(np.round(batch / scale + zero_point), info.min, info.max)
        self.interpreter.set_tensor(self._input["index"], batch.astype(self.input_type))
        self.interpreter.invoke()
        outputs = self.interpreter.get_tensor(self._output["index"]).astype(np.float32)
        scale, zero_point = self._output["quantization"]
        return (outputs - zero_point) * scale if scale else outputs

    def predict_proba(self, images) -> np.ndarray:
        """Images (N, 28, 28[, 1]) float in [0, 1] -> class probabilities (N, 10) float32.

        Each row is renormalised to sum to 1, which undoes the rounding of int8 outputs.
        """
        images = _with_channel(images)
        probabilities = np.concatenate(
            [
                self._run(images[start : start + self.batch_size])
                for start in range(0, len(images), self.batch_size)
            ]
        )
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def mean_latency_ms(self, images, warmup: int = 5) -> float:
        """Mean milliseconds to classify one image at a time (after ``warmup`` calls)."""
        images = _with_channel(images)
        for image in images[:warmup]:
            self.predict_proba(image[None])
        start = time.perf_counter()
        for image in images:
            self.predict_proba(image[None])
        return (time.perf_counter() - start) * 1000 / len(images)
