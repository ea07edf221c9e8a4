"""Figures of the improvements (notebook 06): augmented digits, the ablation and the
architecture comparison."""

from __future__ import annotations

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


def plot_ablation(table: pd.DataFrame, *, save_to: Path | str | None = None) -> Figure:
    """Validation accuracy of each ablation variant as horizontal bars, best on top."""
    if "val_accuracy" not in table or table.empty:
        raise ValueError("expected a non-empty ablation table with a 'val_accuracy' column")
    ordered = table.sort_values("val_accuracy")
    figure, axes = new_figure(figsize=(6.5, 0.45 * len(ordered) + 1.2))
    ax = axes[0, 0]
    values = 100 * ordered["val_accuracy"].to_numpy()
    ax.barh(ordered.index, values, color="tab:blue")
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.2f}%", va="center", fontsize=8)
    low, high = values.min(), values.max()
    ax.set_xlim(low - max(0.3, high - low), high + 0.4 * max(0.3, high - low))
    ax.set_xlabel("validation accuracy (%)")
    ax.set_title("Ablation: each ingredient switched off, same budget")
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
