"""Figures of what the network learned (notebook 07): filters, feature maps, saliency,
Grad-CAM, the embedding, robustness. The arrays come from :mod:`helpers.interpretation`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from helpers.plots._figure import as_images, check_one_per_image, finish, new_figure

WRONG = "tab:red"  # title colour of a misclassified digit


def plot_filters(
    filters_by_model: Mapping[str, np.ndarray],
    ncols: int = 16,
    *,
    title: str = "First-layer filters (red: positive weight, blue: negative)",
    save_to: Path | str | None = None,
) -> Figure:
    """The (n_filters, height, width) kernels of each model, one block of rows per model.

    Each filter has its own symmetric colour scale, so its pattern shows whatever its size:
    red pixels excite the filter, blue ones inhibit it.
    """
    if not filters_by_model:
        raise ValueError("filters_by_model is empty: give {model name: first_layer_filters(...)}")
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    filters_by_model = {name: as_images(kernels) for name, kernels in filters_by_model.items()}
    rows = {name: math.ceil(len(k) / ncols) for name, k in filters_by_model.items()}
    figure, axes = new_figure(
        sum(rows.values()), ncols, figsize=(0.6 * ncols, 0.7 * sum(rows.values()) + 0.6)
    )
    first_row = 0
    for name, kernels in filters_by_model.items():
        block = axes[first_row : first_row + rows[name]].flat
        for position, ax in enumerate(block):
            ax.set_xticks([])
            ax.set_yticks([])
            if position >= len(kernels):
                ax.axis("off")
                continue
            limit = float(np.abs(kernels[position]).max()) or 1.0
            ax.imshow(kernels[position], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[first_row, 0].set_ylabel(
            f"{name}\n{len(kernels)} x {kernels.shape[1]}x{kernels.shape[2]}",
            rotation=0,
            ha="right",
            va="center",
            fontsize=8,
        )
        first_row += rows[name]
    figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, save_to)


def plot_feature_maps(
    images,
    maps: Mapping[str, np.ndarray],
    channels: int = 8,
    *,
    title: str = "Feature maps: each layer sees a coarser grid through more channels",
    save_to: Path | str | None = None,
) -> Figure:
    """For each digit, one row per layer: the digit, then ``channels`` of the layer's maps.

    ``maps`` holds the feature maps of ``images``, layer by layer: {layer: (N, H, W, C)}.
    Each layer shows its ``channels`` channels that vary most over the shown digits and
    positions (a channel that is uniform says nothing), the same for every digit; each channel
    has one colour scale for all digits, and pixels are drawn unsmoothed, so the resolution of
    each map shows.
    """
    images = as_images(images)
    if not maps:
        raise ValueError("maps is empty: pass the feature maps of at least one layer")
    for name, layer_maps in maps.items():
        if np.ndim(layer_maps) != 4 or len(layer_maps) != len(images):
            raise ValueError(
                f"maps[{name!r}] must be shaped ({len(images)}, height, width, channels) "
                f"for the {len(images)} images, got {np.shape(layer_maps)}"
            )
    if channels < 1:
        raise ValueError(f"channels must be at least 1, got {channels}")
    nrows = len(images) * len(maps)
    figure, axes = new_figure(
        nrows, channels + 1, figsize=(1.0 * (channels + 1), 1.0 * nrows + 0.5)
    )
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    for layer_index, (name, layer_maps) in enumerate(maps.items()):
        _, height, width, depth = layer_maps.shape
        shown = np.argsort(layer_maps.std(axis=(0, 1, 2)))[::-1][:channels]
        lows, highs = layer_maps.min(axis=(0, 1, 2)), layer_maps.max(axis=(0, 1, 2))
        for digit in range(len(images)):
            row = axes[digit * len(maps) + layer_index]
            if layer_index == 0:
                row[0].imshow(images[digit], cmap="gray_r")
                row[0].set_title("input", fontsize=8)
            else:
                row[0].axis("off")
            for ax, channel in zip(row[1:], shown, strict=False):
                ax.imshow(
                    layer_maps[digit, :, :, channel],
                    cmap="viridis",
                    vmin=lows[channel],
                    vmax=max(highs[channel], lows[channel] + 1e-6),
                )
            for ax in row[1 + len(shown) :]:
                ax.axis("off")
            row[1].set_ylabel(f"{name}\n{height}x{width}x{depth}", fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, save_to)


def plot_saliency_maps(
    images,
    saliency,
    y_true,
    y_pred,
    confidence,
    *,
    title: str = "Saliency: the pixels that change the predicted score most",
    save_to: Path | str | None = None,
) -> Figure:
    """Digits (top row) above their saliency maps, outlined in blue (bottom row); red titles
    mark mistakes."""
    return _plot_heatmaps(images, saliency, y_true, y_pred, confidence, False, title, save_to)


def plot_grad_cam(
    images,
    heatmaps,
    y_true,
    y_pred,
    confidence,
    *,
    title: str = "Grad-CAM: where the last convolution found evidence for the prediction",
    save_to: Path | str | None = None,
) -> Figure:
    """Digits (top row) above their Grad-CAM heatmaps laid over them; red titles mark mistakes."""
    return _plot_heatmaps(images, heatmaps, y_true, y_pred, confidence, True, title, save_to)


def _plot_heatmaps(images, heatmaps, y_true, y_pred, confidence, overlay, title, save_to):
    images = as_images(images)
    heatmaps = as_images(heatmaps)
    if heatmaps.shape != images.shape:
        raise ValueError(
            f"need one heatmap per image of the same size: images {images.shape}, "
            f"heatmaps {heatmaps.shape}"
        )
    for values, name in ((y_true, "y_true"), (y_pred, "y_pred"), (confidence, "confidence")):
        check_one_per_image(values, name, images)
    figure, axes = new_figure(2, len(images), figsize=(1.1 * len(images), 2.9))
    columns = zip(images, heatmaps, y_true, y_pred, confidence, axes.T, strict=True)
    for image, heatmap, true, predicted, probability, (top, bottom) in columns:
        top.imshow(image, cmap="gray_r")
        top.set_title(
            f"true {true}\npred {predicted} ({probability:.0%})",
            fontsize=8,
            color="black" if true == predicted else WRONG,
        )
        if overlay:
            bottom.imshow(image, cmap="gray")
            bottom.imshow(heatmap, cmap="jet", alpha=0.5, vmin=0, vmax=1)
        else:
            bottom.imshow(heatmap, cmap="hot", vmin=0, vmax=1)
            bottom.contour(image, levels=[0.5], colors="deepskyblue", linewidths=0.6)
        for ax in (top, bottom):
            ax.axis("off")
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return finish(figure, save_to)


def plot_embedding(
    points,
    labels,
    misclassified=None,
    *,
    title: str = "Penultimate-layer features in 2-D",
    save_to: Path | str | None = None,
) -> Figure:
    """A 2-D embedding, one colour per class with its digit at the class median; black
    crosses mark the misclassified points when ``misclassified`` (a boolean mask) is given."""
    points, labels = np.asarray(points), np.asarray(labels)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"points must be shaped (N, 2) with N > 0, got {points.shape}")
    if labels.shape != (len(points),):
        raise ValueError(f"need one label per point: {len(points)} points, labels {labels.shape}")
    figure, axes = new_figure(figsize=(7, 6.5))
    ax = axes[0, 0]
    colours = [f"C{i}" for i in range(10)]
    for digit in np.unique(labels):
        here = points[labels == digit]
        colour = colours[int(digit) % 10]
        ax.scatter(here[:, 0], here[:, 1], s=4, color=colour, alpha=0.6, label=str(digit))
        centre = np.median(here, axis=0)
        ax.text(
            *centre,
            str(digit),
            fontsize=16,
            weight="bold",
            ha="center",
            va="center",
            color=colour,
            bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0},
        )
    if misclassified is not None:
        misclassified = np.asarray(misclassified, dtype=bool)
        if misclassified.shape != (len(points),):
            raise ValueError(
                f"misclassified must be one boolean per point ({len(points)}), "
                f"got {misclassified.shape}"
            )
        wrong = points[misclassified]
        ax.scatter(
            wrong[:, 0],
            wrong[:, 1],
            s=30,
            marker="x",
            color="black",
            linewidth=1,
            label=f"misclassified ({len(wrong)})",
        )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, markerscale=2)
    ax.set_title(title)
    return finish(figure, save_to)


def plot_robustness(
    degrees,
    rotation_accuracy: Mapping[str, Sequence[float]],
    pixels,
    shift_accuracy: Mapping[str, Sequence[float]],
    *,
    title: str = "Accuracy on transformed test digits",
    save_to: Path | str | None = None,
) -> Figure:
    """Accuracy against the rotation angle (left) and the shift (right), one line per model."""
    panels = (
        (degrees, rotation_accuracy, "rotation (degrees, counter-clockwise)"),
        (pixels, shift_accuracy, "shift to the right (pixels)"),
    )
    figure, axes = new_figure(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, (values, curves, xlabel) in zip(axes.flat, panels, strict=True):
        if not curves:
            raise ValueError("give at least one model's accuracy curve: {name: accuracies}")
        for name, accuracy in curves.items():
            if len(accuracy) != len(values):
                raise ValueError(
                    f"{name!r} has {len(accuracy)} accuracies for {len(values)} {xlabel} values"
                )
            ax.plot(values, 100 * np.asarray(accuracy), marker="o", label=name)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0, 0].set_ylabel("test accuracy (%)")
    figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, save_to)


def plot_prediction_sweep(
    variants,
    sweeps: Mapping,  # name -> helpers.interpretation.TransformSweep
    true_label: int,
    unit: str = "°",
    xlabel: str = "rotation (degrees, counter-clockwise)",
    *,
    title: str | None = None,
    save_to: Path | str | None = None,
) -> Figure:
    """One digit under a transformation: the transformed images (top, titled with each
    model's prediction) above each model's probability of the true class."""
    variants = as_images(variants)
    if not sweeps:
        raise ValueError("sweeps is empty: give {model name: TransformSweep}")
    for name, sweep in sweeps.items():
        if len(sweep.values) != len(variants):
            raise ValueError(
                f"sweep {name!r} has {len(sweep.values)} values for {len(variants)} images"
            )
    figure = plt.figure(figsize=(max(6.0, 0.9 * len(variants)), 4.2))
    plt.close(figure)
    grid = figure.add_gridspec(2, len(variants), height_ratios=(1, 1.6))
    names = list(sweeps)
    for position, image in enumerate(variants):
        ax = figure.add_subplot(grid[0, position])
        ax.imshow(image, cmap="gray_r")
        ax.axis("off")
        value = sweeps[names[0]].values[position]
        predictions = "/".join(str(sweeps[name].predicted_class[position]) for name in names)
        wrong = any(sweeps[name].predicted_class[position] != true_label for name in names)
        ax.set_title(
            f"{value:g}{unit}\n{predictions}", fontsize=8, color=WRONG if wrong else "black"
        )
    curve_ax = figure.add_subplot(grid[1, :])
    for name in names:
        sweep = sweeps[name]
        curve_ax.plot(sweep.values, sweep.probabilities[:, true_label], marker="o", label=name)
    curve_ax.set_ylim(-0.05, 1.05)
    curve_ax.set_xlabel(xlabel)
    curve_ax.set_ylabel(f"P(true class {true_label})")
    curve_ax.grid(alpha=0.3)
    curve_ax.legend(fontsize=8)
    figure.suptitle(
        title or f"A {true_label}, transformed; titles: predicted by {' / '.join(names)}"
    )
    figure.tight_layout()
    return finish(figure, save_to)
