"""Run an exported ``.tflite`` digit classifier with LiteRT, the TensorFlow Lite runtime
(notebook 08, the predict command and the drawing app).

LiteRT alone is enough: TensorFlow is imported only where LiteRT has no wheel (Windows), for
its built-in interpreter.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from helpers.cores import usable_cores
from helpers.deploy.quiet import native_stderr_muted
from helpers.outputs import MissingOutputError, producer
from helpers.settings import relative_to_repo

EXPORT_MODES = ("float32", "dynamic_range", "int8")


def _interpreter_class():
    try:  # LiteRT; it has no wheel for Windows
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        Interpreter = tf.lite.Interpreter
    return Interpreter


def default_threads() -> int:
    """The CPU threads an interpreter uses: TensorFlow's limit when one is set
    (``TF_NUM_INTRAOP_THREADS``, as grading sets it to share the cores among kernels), else
    every core this process may run on. LiteRT alone would use one."""
    configured = os.environ.get("TF_NUM_INTRAOP_THREADS", "").strip()
    if configured.isdecimal() and int(configured) > 0:
        return int(configured)
    return usable_cores()


def as_image_batch(images) -> np.ndarray:
    """Images (N, 28, 28) or (N, 28, 28, 1) in [0, 1] -> float32 (N, 28, 28, 1)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[3] != 1:
        raise ValueError(f"expected images shaped (N, H, W) or (N, H, W, 1), got {images.shape}")
    if len(images) == 0:
        raise ValueError("expected at least one image, got none")
    return images


class TFLiteClassifier:
    """A ``.tflite`` digit classifier run by LiteRT, with int8 inputs and outputs handled.

    The model must take (N, 28, 28, 1) images and end with a softmax over 10 classes, as the
    course's models do. ``threads``: the CPU threads LiteRT uses (:func:`default_threads`).
    """

    def __init__(self, path, batch_size: int = 256, threads: int | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise MissingOutputError(
                f"{relative_to_repo(self.path)} not found: run "
                f"{producer('exports', self.path.name)} first "
                "(or `make run`) to export the TensorFlow Lite model."
            )
        self.batch_size = batch_size
        self.threads = default_threads() if threads is None else threads
        if self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")
        try:
            self.interpreter = _interpreter_class()(
                model_path=str(self.path), num_threads=self.threads
            )
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
        images = as_image_batch(images)
        probabilities = np.concatenate(
            [
                self._run(images[start : start + self.batch_size])
                for start in range(0, len(images), self.batch_size)
            ]
        )
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def mean_latency_ms(self, images, warmup: int = 5) -> float:
        """Mean milliseconds to classify one image at a time (after ``warmup`` calls)."""
        images = as_image_batch(images)
        for image in images[:warmup]:
            self.predict_proba(image[None])
        start = time.perf_counter()
        for image in images:
            self.predict_proba(image[None])
        return (time.perf_counter() - start) * 1000 / len(images)
