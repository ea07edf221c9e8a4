"""Summaries of the raw dataset for notebook 01 (the counts and mean images are its exercises)."""

from __future__ import annotations

import numpy as np

from helpers.data import NUM_CLASSES


def describe_array(name: str, array: np.ndarray) -> str:
    """One line: shape, dtype, value range and memory of an array."""
    return (
        f"{name:<8} shape={str(array.shape):<16} dtype={array.dtype}  "
        f"range=[{array.min()}, {array.max()}]  memory={array.nbytes / 2**20:.1f} MiB"
    )


def samples_per_class(labels: np.ndarray, per_class: int, rng: np.random.Generator):
    """Random indices, ``per_class`` of each class, ordered class by class."""
    return np.concatenate(
        [
            rng.choice(np.flatnonzero(labels == c), per_class, replace=False)
            for c in range(NUM_CLASSES)
        ]
    )
