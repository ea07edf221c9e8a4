"""The plumbing every figure of the course shares: a new figure closed in pyplot, saving it as
a PNG, checking image arrays. Private to :mod:`helpers.plots`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

DPI = 110


def new_figure(nrows: int = 1, ncols: int = 1, **subplots_options):
    """A figure and its axes (a 2-D array), closed in pyplot so that only the caller shows it."""
    figure, axes = plt.subplots(nrows, ncols, squeeze=False, **subplots_options)
    plt.close(figure)
    return figure, axes


def finish(figure: Figure, save_to: Path | str | None) -> Figure:
    """Save ``figure`` as a PNG at ``save_to`` when given, and return it."""
    if save_to is not None:
        save_to = Path(save_to)
        save_to.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(save_to, dpi=DPI, bbox_inches="tight")
    return figure


def as_images(images) -> np.ndarray:
    """``images`` as (N, height, width), dropping a trailing channel axis of size 1."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(
            f"images must be shaped (N, height, width) or (N, height, width, 1), got {images.shape}"
        )
    if len(images) == 0:
        raise ValueError("no images to plot")
    return images


def check_one_per_image(values: Sequence, name: str, images: np.ndarray) -> None:
    if len(values) != len(images):
        raise ValueError(f"{name} has {len(values)} entries but there are {len(images)} images")

