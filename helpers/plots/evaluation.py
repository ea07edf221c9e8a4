"""Figures of the evaluation (notebook 05): confusion matrix, mistakes, scores per class,
reliability."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import seaborn as sns
from matplotlib.figure import Figure

from helpers.evaluation import CalibrationBins, ClassScores, row_normalise
from helpers.plots._figure import as_images, check_one_per_image, finish, new_figure
from helpers.plots.exploration import plot_digit_grid


def plot_confusion_matrix(
    cm,
    normalise: bool = False,
    *,
    title: str | None = None,
    save_to: Path | str | None = None,
) -> Figure:
    """Heatmap of ``cm`` (true class on y, predicted on x), annotated with counts, or with
    row shares when ``normalise`` (each true class sums to 1); empty cells stay blank."""
    counts = np.asarray(cm)
    shares = row_normalise(counts)  # also checks that cm is a square matrix of counts
    if not normalise and not np.issubdtype(counts.dtype, np.integer):
        raise ValueError("cm must hold integer counts; to plot shares pass normalise=True")
    values = shares if normalise else counts
    annotations = np.where(counts > 0, np.strings.mod("%.2f" if normalise else "%d", values), "")
    if title is None:
        title = "Confusion matrix (share of each true class)" if normalise else "Confusion matrix"
    figure, axes = new_figure(figsize=(6.5, 5.5))
    ax = axes[0, 0]
    sns.heatmap(
        values,
        annot=annotations,
        fmt="",
        annot_kws={"size": 7},
        cmap="Blues",
        square=True,
        ax=ax,
    )
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title(title)
    return finish(figure, save_to)


def plot_misclassified(
    images,
    y_true,
    y_pred,
    confidence,
    ncols: int = 8,
    *,
    title: str = "Misclassified digits",
    save_to: Path | str | None = None,
) -> Figure:
    """Digits titled "true 7 / pred 1 (93%)" (on two lines), e.g. rows of ``misclassified``."""
    images = as_images(images)
    for values, name in ((y_true, "y_true"), (y_pred, "y_pred"), (confidence, "confidence")):
        check_one_per_image(values, name, images)
    titles = [
        f"true {true} / pred {predicted}\n({probability:.0%})"
        for true, predicted, probability in zip(y_true, y_pred, confidence, strict=True)
    ]
    return plot_digit_grid(images, titles=titles, ncols=ncols, title=title, save_to=save_to)


def plot_reliability_diagram(
    bins: CalibrationBins,
    *,
    title: str = "Reliability diagram",
    save_to: Path | str | None = None,
) -> Figure:
    """Accuracy per confidence bin against the diagonal of perfect calibration, above the
    number of predictions per bin (log scale); the ECE is in the title."""
    lower_edges = bins.edges[:-1]
    widths = np.diff(bins.edges)
    figure, axes = new_figure(
        2, 1, figsize=(5, 5.5), sharex=True, gridspec_kw={"height_ratios": (3, 1)}
    )
    accuracy_ax, count_ax = axes[:, 0]
    accuracy_ax.bar(
        lower_edges, bins.accuracy, width=widths, align="edge", edgecolor="white", label="accuracy"
    )
    accuracy_ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    accuracy_ax.set_ylim(0, 1)
    accuracy_ax.set_ylabel("accuracy")
    accuracy_ax.set_title(f"{title} (ECE = {bins.ece:.3f})")
    accuracy_ax.legend(loc="upper left", fontsize=8)
    count_ax.bar(lower_edges, bins.count, width=widths, align="edge", edgecolor="white")
    count_ax.set_yscale("log")
    count_ax.set_xlim(0, 1)
    count_ax.set_xlabel("confidence (probability of the predicted class)")
    count_ax.set_ylabel("predictions")
    figure.tight_layout()
    return finish(figure, save_to)


def plot_per_class_scores(
    scores: ClassScores,
    *,
    title: str = "Scores per class",
    save_to: Path | str | None = None,
) -> Figure:
    """Grouped bars of precision, recall and F1 per class; the macro F1 is in the title.

    The y-axis starts just below the lowest score, so that small differences show.
    """
    table = scores.table
    metrics = ("precision", "recall", "f1")
    bar_width = 0.8 / len(metrics)
    figure, axes = new_figure(figsize=(8, 3.5))
    ax = axes[0, 0]
    for position, metric in enumerate(metrics):
        offset = (position - 1) * bar_width
        ax.bar(table.index + offset, table[metric], width=bar_width, label=metric.capitalize())
    lowest = float(table[list(metrics)].to_numpy().min())
    ax.set_ylim(max(0.0, math.floor((lowest - 0.02) * 20) / 20), 1.0)
    ax.set_xticks(table.index)
    ax.set_xlabel("digit")
    ax.set_ylabel("score")
    ax.set_title(f"{title} (macro F1 = {scores.macro['f1']:.3f})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return finish(figure, save_to)

