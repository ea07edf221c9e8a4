"""Figures of training (notebooks 04 and 06): learning curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from helpers.plots._figure import finish, new_figure


def plot_learning_curves(
    history: Mapping[str, Sequence[float]],
    *,
    title: str = "Learning curves",
    save_to: Path | str | None = None,
) -> Figure:
    """Loss and accuracy per epoch (train, and validation when logged), with the epoch of the
    lowest validation loss marked.

    ``history`` is a Keras ``History.history`` dict: ``loss`` and ``accuracy``, optionally
    ``val_loss`` and ``val_accuracy``.
    """
    if not isinstance(history, Mapping):
        raise ValueError(
            f"history must be a dict such as History.history, got {type(history).__name__}"
        )
    missing = [key for key in ("loss", "accuracy") if key not in history]
    if missing:
        raise ValueError(f"history lacks {missing}; its keys are {sorted(history)}")
    epochs = np.arange(1, len(history["loss"]) + 1)
    for key in ("accuracy", "val_loss", "val_accuracy"):
        if key in history and len(history[key]) != len(epochs):
            raise ValueError(
                f"history[{key!r}] has {len(history[key])} epochs but history['loss'] has "
                f"{len(epochs)}"
            )
    best_epoch = int(np.argmin(history["val_loss"])) + 1 if "val_loss" in history else None
    figure, axes = new_figure(1, 2, figsize=(9, 3.5))
    for ax, metric in zip(axes.flat, ("loss", "accuracy"), strict=True):
        for key, label in ((metric, "train"), (f"val_{metric}", "validation")):
            if key in history:
                ax.plot(epochs, history[key], marker=".", label=label)
        if best_epoch is not None:
            ax.axvline(
                best_epoch,
                color="grey",
                linestyle="--",
                linewidth=1,
                label=f"lowest validation loss (epoch {best_epoch})",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(metric.capitalize())
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return finish(figure, save_to)

