"""Figures of the deployment (notebook 08): the exported models compared, a drawn digit
prepared step by step, and what centring buys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from helpers.geometry import centre_of_mass
from helpers.plots._figure import as_images, finish, new_figure

STEP_TITLES = {
    "raw": "raw picture",
    "ink": "ink, white on black",
    "cropped": "cropped to the ink",
    "fitted_20x20": "scaled into 20x20",
    "centred_28x28": "centred in 28x28",
}
MODE_COLOURS = {"float32": "tab:blue", "dynamic_range": "tab:orange", "int8": "tab:green"}


def plot_export_comparison(
    variants: Sequence[Mapping],
    keras_accuracy: Mapping[str, float],
    *,
    title: str = "The exported models: size, accuracy and speed",
    save_to: Path | str | None = None,
) -> Figure:
    """Three bar panels, one bar per variant (records of
    :func:`helpers.deploy.tflite_export.variant_record`): file size, test accuracy with each Keras
    model's accuracy as a dashed line (x-axis zoomed so small differences show), latency."""
    if not variants:
        raise ValueError("no exported variants to plot")
    missing = sorted({variant["model"] for variant in variants} - set(keras_accuracy))
    if missing:
        raise ValueError(f"no Keras accuracy for {missing}")
    labels = [f"{variant['model']} · {variant['mode']}" for variant in variants]
    colours = [MODE_COLOURS.get(variant["mode"], "tab:gray") for variant in variants]
    rows = np.arange(len(variants))[::-1]  # the first variant on top
    panels = (
        ("file size (kB)", [variant["bytes"] / 1000 for variant in variants], "{:.0f}"),
        ("test accuracy (%)", [100 * variant["test_accuracy"] for variant in variants], "{:.2f}"),
        ("latency (ms per image)", [variant["latency_ms"] for variant in variants], "{:.3f}"),
    )
    figure, axes = new_figure(1, 3, figsize=(12, 0.45 * len(variants) + 1.4), sharey=True)
    for ax, (name, values, text) in zip(axes[0], panels, strict=True):
        ax.barh(rows, values, color=colours)
        inside = name.startswith("test accuracy")  # its axis ends near the longest bar
        for row, value in zip(rows, values, strict=True):
            label = text.format(value) + (" " if inside else "")
            ax.text(
                value,
                row,
                label if inside else " " + label,
                va="center",
                fontsize=7,
                ha="right" if inside else "left",
                color="white" if inside else "black",
            )
        ax.set_xlabel(name)
        ax.spines[["top", "right"]].set_visible(False)
    accuracy_ax = axes[0, 1]
    for model, accuracy in keras_accuracy.items():
        model_rows = [row for row, v in zip(rows, variants, strict=True) if v["model"] == model]
        if model_rows:
            accuracy_ax.vlines(
                100 * accuracy,
                min(model_rows) - 0.45,
                max(model_rows) + 0.45,
                colors="black",
                linestyles="--",
                linewidth=1,
            )
    accuracies = [100 * a for a in keras_accuracy.values()] + panels[1][1]
    low, high = min(accuracies), max(accuracies)
    margin = max(0.1, 0.15 * (high - low))
    accuracy_ax.set_xlim(low - 3 * margin, min(100.0, high + margin))
    accuracy_ax.set_title("dashed: the Keras model", fontsize=8)
    for ax, (_, values, _) in zip(axes[0, ::2], panels[::2], strict=True):
        ax.set_xlim(0, 1.3 * max(values))  # room for the value labels
    axes[0, 0].set_yticks(rows, labels, fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, save_to)


def plot_preparation_steps(
    steps_by_picture: Mapping[str, Mapping[str, np.ndarray]],
    *,
    title: str = "From a picture to an MNIST input",
    save_to: Path | str | None = None,
) -> Figure:
    """One row per picture, one column per step of
    :func:`helpers.deploy.drawn_digits.prepare_steps`, each titled with its size; the last step
    marks its centre of mass (red +) and the MNIST centre (14, 14) with a grey cross-hair."""
    if not steps_by_picture:
        raise ValueError("no pictures to plot")
    step_names = list(next(iter(steps_by_picture.values())))
    for name, steps in steps_by_picture.items():
        if list(steps) != step_names:
            raise ValueError(f"{name} has steps {list(steps)}, the first picture {step_names}")
    figure, axes = new_figure(
        len(steps_by_picture),
        len(step_names),
        figsize=(2.1 * len(step_names), 2.3 * len(steps_by_picture)),
    )
    for row_axes, (picture, steps) in zip(axes, steps_by_picture.items(), strict=True):
        for ax, (step, image) in zip(row_axes, steps.items(), strict=True):
            ax.imshow(image, cmap="gray", vmin=0, vmax=1)
            height, width = image.shape
            ax.set_title(f"{STEP_TITLES.get(step, step)}\n{width}x{height} px", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
        row_axes[0].set_ylabel(picture, fontsize=8)
        last = row_axes[-1]
        last.axhline(14, color="grey", linewidth=0.6)
        last.axvline(14, color="grey", linewidth=0.6)
        row, col = centre_of_mass(steps[step_names[-1]])
        last.plot(col, row, "r+", markersize=10)
    figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, save_to)


def plot_centring_effect(
    rows: Mapping[str, np.ndarray],
    accuracies: Mapping[str, float],
    n_examples: int = 8,
    *,
    title: str = "What centring buys",
    save_to: Path | str | None = None,
) -> Figure:
    """Left: the first ``n_examples`` digits of each version of the test set (one row per
    entry of ``rows``); right: the accuracy on each version (``accuracies``, same keys)."""
    if not rows:
        raise ValueError("no image sets to plot")
    if list(rows) != list(accuracies):
        raise ValueError(f"rows {list(rows)} and accuracies {list(accuracies)} differ")
    image_sets = {name: as_images(images) for name, images in rows.items()}
    if n_examples < 1 or any(len(images) < n_examples for images in image_sets.values()):
        raise ValueError(f"every image set needs at least n_examples={n_examples} images")
    figure = Figure(figsize=(1.0 * n_examples + 5, 1.1 * len(rows) + 1.2), layout="constrained")
    examples, chart = figure.subfigures(1, 2, width_ratios=(n_examples + 1.5, 4.5))
    grid = examples.subplots(len(rows), n_examples, squeeze=False)
    for row_axes, (name, images) in zip(grid, image_sets.items(), strict=True):
        for ax, image in zip(row_axes, images[:n_examples], strict=True):
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
        row_axes[0].set_ylabel(name, fontsize=8, rotation=0, ha="right", va="center")
    bars = chart.subplots()
    names = list(accuracies)
    values = [100 * accuracies[name] for name in names]
    positions = np.arange(len(names))
    bars.bar(positions, values, color=[f"C{i}" for i in range(len(names))])
    for position, value in zip(positions, values, strict=True):
        bars.text(position, value, f"{value:.1f}%", ha="center", va="bottom", fontsize=8)
    bars.set_xticks(positions, [name.replace(", ", ",\n") for name in names], fontsize=8)
    bars.set_ylim(0, 108)
    bars.set_ylabel("test accuracy (%)")
    bars.spines[["top", "right"]].set_visible(False)
    figure.suptitle(title)
    return finish(figure, save_to)
