"""Summaries of the raw dataset for notebook 01."""

from __future__ import annotations

import numpy as np

from helpers.data import NUM_CLASSES


def describe_array(name: str, array: np.ndarray) -> str:
    """One line: shape, dtype, value range and memory of an array."""
    return (
        f"{name:<8} shape={str(array.shape):<16} dtype={array.dtype}  "
        f"range=[{array.min()}, {array.max()}]  memory={array.nbytes / 2**20:.1f} MiB"
    )


def class_counts(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """How many examples each class has."""
    return np.bincount(np.asarray(labels), minlength=num_classes)


def mean_images(images: np.ndarray, labels: np.ndarray, num_classes: int = NUM_CLASSES):
    """The average image of each class: (num_classes, H, W) float32."""
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    missing = [c for c in range(num_classes) if not np.any(labels == c)]
    if missing:
        raise ValueError(f"no images of class {missing}: a mean image needs at least one")
    return np.stack(
        [images[labels == c].mean(axis=0, dtype=np.float64) for c in range(num_classes)]
    ).astype(np.float32)


def samples_per_class(labels: np.ndarray, per_class: int, rng: np.random.Generator):
    """Random indices, ``per_class`` of each class, ordered class by class."""
    return np.concatenate(
        [
            rng.choice(np.flatnonzero(labels == c), per_class, replace=False)
            for c in range(NUM_CLASSES)
        ]
    )
