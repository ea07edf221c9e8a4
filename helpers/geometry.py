"""Where the ink of a digit is: its bounding box and its centre of mass.

MNIST digits fit a 20x20 box and have their centre of mass at the centre of the 28x28 image;
notebook 01 measures that and notebook 08 uses it to prepare drawn digits the same way.
"""

from __future__ import annotations

import numpy as np


def ink_bounding_box(image: np.ndarray, threshold: float = 0) -> tuple[int, int, int, int] | None:
    """``(top, bottom, left, right)`` (inclusive) of pixels above ``threshold``; None if blank."""
    image = np.asarray(image)
    if image.ndim != 2:
        raise ValueError(f"expected one 2-D image, got shape {image.shape}")
    ink = image > threshold
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted ``(row, column)`` centre of a 2-D image; ValueError when it is blank."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"expected one 2-D image, got shape {image.shape}")
    total = image.sum()
    if total <= 0:
        raise ValueError("the image has no ink: its centre of mass is undefined")
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def box_sizes(images: np.ndarray) -> np.ndarray:
    """Height and width of the ink box of each image: an (N, 2) int array (0, 0 when blank)."""
    sizes = np.zeros((len(images), 2), dtype=int)
    for i, image in enumerate(images):
        box = ink_bounding_box(image)
        if box is not None:
            top, bottom, left, right = box
            sizes[i] = bottom - top + 1, right - left + 1
    return sizes


def centres_of_mass(images: np.ndarray) -> np.ndarray:
    """The centre of mass of every image in a batch (N, H, W): an (N, 2) float array."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 3:
        raise ValueError(f"expected images shaped (N, height, width), got {images.shape}")
    totals = images.sum(axis=(1, 2))
    if np.any(totals <= 0):
        raise ValueError("at least one image has no ink: its centre of mass is undefined")
    rows = np.arange(images.shape[1], dtype=np.float64)
    cols = np.arange(images.shape[2], dtype=np.float64)
    row_centres = (images.sum(axis=2) @ rows) / totals
    col_centres = (images.sum(axis=1) @ cols) / totals
    return np.stack([row_centres, col_centres], axis=1)
