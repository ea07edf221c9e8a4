"""Figures of the data (notebooks 01 and 02): digits in a grid, class balance, pixel
intensities, and how MNIST framed its digits."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from helpers.plots._figure import as_images, check_one_per_image, finish, new_figure


def plot_digit_grid(
    images,
    labels: Sequence[int] | None = None,
    titles: Sequence[str] | None = None,
    ncols: int = 10,
    cmap: str = "gray_r",
    *,
    title: str | None = None,
    save_to: Path | str | None = None,
) -> Figure:
    """Digits in a grid of ``ncols`` columns, each titled by its label or by ``titles``."""
    images = as_images(images)
    if labels is not None and titles is not None:
        raise ValueError("give labels or titles, not both")
    if labels is not None:
        check_one_per_image(labels, "labels", images)
        titles = [str(label) for label in labels]
    if titles is not None:
        check_one_per_image(titles, "titles", images)
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    title_lines = 0 if titles is None else max(str(text).count("\n") + 1 for text in titles)
    cell_height = 1.0 + 0.2 * title_lines
    figure, axes = new_figure(nrows, ncols, figsize=(1.0 * ncols, cell_height * nrows))
    for position, ax in enumerate(axes.flat):
        ax.axis("off")
        if position < len(images):
            ax.imshow(images[position], cmap=cmap)
            if titles is not None:
                # y given, matplotlib skips its search for tick labels above the axes (there
                # are none): the same picture, drawn in half the time for 100 digits
                ax.set_title(titles[position], fontsize=8, y=1.0)
    if title is not None:
        figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, save_to)


def plot_class_balance(
    counts_by_split: Mapping[str, Sequence[int]],
    normalise: bool = False,
    *,
    title: str = "Images per class",
    save_to: Path | str | None = None,
) -> Figure:
    """Grouped bars of images per class, one colour per split; ``normalise`` shows each
    split's share (%) so that splits of different sizes compare."""
    if not counts_by_split:
        raise ValueError("counts_by_split is empty: give at least one split")
    counts = {split: np.asarray(values) for split, values in counts_by_split.items()}
    lengths = {split: len(values) for split, values in counts.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"every split needs one count per class, got lengths {lengths}")
    classes = np.arange(next(iter(lengths.values())))
    bar_width = 0.8 / len(counts)
    figure, axes = new_figure(figsize=(8, 3.5))
    ax = axes[0, 0]
    for position, (split, values) in enumerate(counts.items()):
        heights = 100 * values / values.sum() if normalise else values
        offset = (position - (len(counts) - 1) / 2) * bar_width
        ax.bar(classes + offset, heights, width=bar_width, label=f"{split} ({values.sum():,})")
    ax.set_xticks(classes)
    ax.set_xlabel("digit")
    ax.set_ylabel("share of the split (%)" if normalise else "images")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return finish(figure, save_to)


def plot_pixel_histogram(
    pixels,
    *,
    title: str = "Pixel intensities of the training images",
    save_to: Path | str | None = None,
) -> Figure:
    """Histogram of 0-255 pixel values on a log scale, so the rare grey levels still show."""
    pixels = np.asarray(pixels).ravel()
    if pixels.size == 0:
        raise ValueError("no pixels to plot")
    counts = np.bincount(pixels.astype(np.int64), minlength=256)
    figure, axes = new_figure(figsize=(8, 3))
    ax = axes[0, 0]
    ax.bar(np.arange(len(counts)), counts, width=1.0, color="tab:blue")
    ax.set_yscale("log")
    ax.set_xlim(-1, len(counts))
    ax.set_xlabel("pixel value (0 = background, 255 = full ink)")
    ax.set_ylabel("pixels (log scale)")
    ax.set_title(title)
    return finish(figure, save_to)


def plot_ink_geometry(
    box_sizes,
    centres,
    *,
    title: str = "How MNIST digits were normalised",
    save_to: Path | str | None = None,
) -> Figure:
    """Left: height and width of each digit's ink box; right: where the centres of mass lie."""
    box_sizes, centres = np.asarray(box_sizes), np.asarray(centres)
    if box_sizes.ndim != 2 or centres.ndim != 2 or len(box_sizes) != len(centres):
        raise ValueError("expected (N, 2) box sizes and (N, 2) centres of the same N")
    figure, axes = new_figure(1, 2, figsize=(10, 3.8))
    left, right = axes[0]
    sides = np.arange(1, 29)
    for offset, column, name in ((-0.2, 0, "height"), (0.2, 1, "width")):
        counts = np.bincount(box_sizes[:, column], minlength=29)[1:29]
        left.bar(sides + offset, counts, width=0.4, label=name)
    left.axvline(20.5, color="tab:red", linestyle="--", label="20-pixel box")
    left.set_yscale("log")
    left.set_xlabel("side of the ink box (pixels)")
    left.set_ylabel("digits (log scale)")
    left.legend(fontsize=8)
    right.hist2d(centres[:, 1], centres[:, 0], bins=48, range=[[12, 16], [12, 16]], cmap="Blues")
    right.plot(14, 14, "r+", markersize=14, label="(14, 14)")
    right.invert_yaxis()
    right.set_aspect("equal")
    right.set_xlabel("column of the centre of mass")
    right.set_ylabel("row")
    right.legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, save_to)

