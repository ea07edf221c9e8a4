"""Figures of the improvements (notebook 06): augmented digits, the ablation and the
architecture comparison."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from helpers.plots._figure import as_images, finish, new_figure


def plot_augmented(
    original, augmented, *, title: str = "One digit, augmented", save_to: Path | str | None = None
) -> Figure:
    """The original digit followed by augmented versions of it, on one row."""
    original, augmented = as_images(original), as_images(augmented)
    images = np.concatenate([original[:1], augmented])
    figure, axes = new_figure(1, len(images), figsize=(1.3 * len(images), 1.7))
    for index, (ax, image) in enumerate(zip(axes.flat, images, strict=True)):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
        ax.set_title("original" if index == 0 else f"#{index}", fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    figure.suptitle(title)
    return finish(figure, save_to)


def plot_ablation(
    scores: Mapping[str, Sequence[float]],
    reference: str = "all",
    *,
    title: str = "Ablation: validation accuracy over seeds",
    save_to: Path | str | None = None,
) -> Figure:
    """Each variant's mean validation accuracy over its seeds (a diamond with +-1 standard
    deviation), every run as a dot, and a dashed line at ``reference``'s mean; best on top."""
    if not scores or reference not in scores:
        raise ValueError(f"expected validation accuracies per variant, including {reference!r}")
    runs = {name: 100 * np.asarray(values, dtype=float) for name, values in scores.items()}
    if any(values.ndim != 1 or len(values) < 2 for values in runs.values()):
        raise ValueError("every variant needs at least 2 runs (seeds) to show a spread")
    order = sorted(runs, key=lambda name: runs[name].mean())
    figure, axes = new_figure(figsize=(7, 0.5 * len(order) + 1.4))
    ax = axes[0, 0]
    means = np.array([runs[name].mean() for name in order])
    stds = np.array([runs[name].std(ddof=1) for name in order])
    rows = np.arange(len(order))
    ax.errorbar(means, rows, xerr=stds, fmt="D", color="tab:blue", capsize=4, markersize=6)
    for row, name in enumerate(order):
        ax.plot(runs[name], np.full(len(runs[name]), row), "o", color="black", markersize=3)
        # the label goes right of everything on its row: the error bar and every dot
        right = max(means[row] + stds[row], runs[name].max())
        ax.annotate(
            f"{means[row]:.2f}%",
            (right, row),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(rows, order)
    ax.grid(axis="x", alpha=0.3)
    ax.axvline(runs[reference].mean(), color="grey", linestyle="--", linewidth=1)
    everything = np.concatenate([*runs.values(), means - stds, means + stds])
    margin = max(0.2, 0.15 * np.ptp(everything))
    ax.set_xlim(everything.min() - margin, everything.max() + 3 * margin)
    ax.set_xlabel("validation accuracy (%); dots: one run each")
    ax.set_title(title)
    figure.tight_layout()
    return finish(figure, save_to)


def plot_comparison(table: pd.DataFrame, *, save_to: Path | str | None = None) -> Figure:
    """Test error rate against multiply-accumulates and against training time per epoch."""
    needed = ("test accuracy", "MACs per image", "s per epoch", "parameters")
    missing = [column for column in needed if column not in table]
    if missing or table.empty:
        raise ValueError(f"expected a non-empty comparison table with columns {needed}")
    figure, axes = new_figure(1, 2, figsize=(10, 3.8), sharey=True)
    error_rate = 100 * (1 - table["test accuracy"].to_numpy())
    for ax, column, label in (
        (axes[0, 0], "MACs per image", "multiply-accumulates per image (log scale)"),
        (axes[0, 1], "s per epoch", "training seconds per epoch on this CPU (log scale)"),
    ):
        x = table[column].to_numpy(dtype=float)
        sizes = 40 + 260 * np.sqrt(table["parameters"].to_numpy() / table["parameters"].max())
        ax.scatter(x, error_rate, s=sizes, alpha=0.6, color="tab:orange", edgecolor="black")
        for name, xi, yi in zip(table.index, x, error_rate, strict=True):
            ax.annotate(name, (xi, yi), textcoords="offset points", xytext=(6, 4), fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("test error rate (%)")
    figure.suptitle("What each model costs and what it buys (marker area ~ parameters)")
    figure.tight_layout()
    return finish(figure, save_to)
