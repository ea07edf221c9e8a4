"""The course's figures, so that notebooks call one function per figure.

Every function returns the matplotlib Figure and, given ``save_to``, also writes it as a PNG
(creating the folders). Figures are closed in pyplot before they are returned: in a notebook,
a figure shows once when it is the cell's last value (or passed to ``display``), and scripts
and tests accumulate no open figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure

from helpers.evaluation import CalibrationBins, ClassScores, row_normalise

DPI = 110


def _new_figure(nrows: int = 1, ncols: int = 1, **subplots_options):
    """A figure and its axes (a 2-D array), closed in pyplot so that only the caller shows it."""
    figure, axes = plt.subplots(nrows, ncols, squeeze=False, **subplots_options)
    plt.close(figure)
    return figure, axes


def _finish(figure: Figure, save_to: Path | str | None) -> Figure:
    """Save ``figure`` as a PNG at ``save_to`` when given, and return it."""
    if save_to is not None:
        save_to = Path(save_to)
        save_to.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(save_to, dpi=DPI, bbox_inches="tight")
    return figure


def _as_images(images) -> np.ndarray:
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


def _check_one_per_image(values: Sequence, name: str, images: np.ndarray) -> None:
    if len(values) != len(images):
        raise ValueError(f"{name} has {len(values)} entries but there are {len(images)} images")


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
    images = _as_images(images)
    if labels is not None and titles is not None:
        raise ValueError("give labels or titles, not both")
    if labels is not None:
        _check_one_per_image(labels, "labels", images)
        titles = [str(label) for label in labels]
    if titles is not None:
        _check_one_per_image(titles, "titles", images)
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    title_lines = 0 if titles is None else max(str(text).count("\n") + 1 for text in titles)
    cell_height = 1.0 + 0.2 * title_lines
    figure, axes = _new_figure(nrows, ncols, figsize=(1.0 * ncols, cell_height * nrows))
    for position, ax in enumerate(axes.flat):
        ax.axis("off")
        if position < len(images):
            ax.imshow(images[position], cmap=cmap)
            if titles is not None:
                ax.set_title(titles[position], fontsize=8)
    if title is not None:
        figure.suptitle(title)
    figure.tight_layout()
    return _finish(figure, save_to)


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
    figure, axes = _new_figure(figsize=(8, 3.5))
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
    return _finish(figure, save_to)


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
    figure, axes = _new_figure(1, 2, figsize=(9, 3.5))
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
    return _finish(figure, save_to)


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
    figure, axes = _new_figure(figsize=(6.5, 5.5))
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
    return _finish(figure, save_to)


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
    images = _as_images(images)
    for values, name in ((y_true, "y_true"), (y_pred, "y_pred"), (confidence, "confidence")):
        _check_one_per_image(values, name, images)
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
    figure, axes = _new_figure(
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
    return _finish(figure, save_to)


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
    figure, axes = _new_figure(figsize=(8, 3.5))
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
    return _finish(figure, save_to)


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
    figure, axes = _new_figure(figsize=(8, 3))
    ax = axes[0, 0]
    ax.bar(np.arange(len(counts)), counts, width=1.0, color="tab:blue")
    ax.set_yscale("log")
    ax.set_xlim(-1, len(counts))
    ax.set_xlabel("pixel value (0 = background, 255 = full ink)")
    ax.set_ylabel("pixels (log scale)")
    ax.set_title(title)
    return _finish(figure, save_to)


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
    figure, axes = _new_figure(1, 2, figsize=(10, 3.8))
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
    return _finish(figure, save_to)


def plot_activations(
    *, title: str = "Activation functions and their slopes", save_to: Path | str | None = None
) -> Figure:
    """ReLU, sigmoid and tanh with their derivatives: why ReLU keeps gradients alive."""
    x = np.linspace(-6, 6, 241)
    sigmoid = 1 / (1 + np.exp(-x))
    curves = {
        "ReLU": (np.maximum(0, x), (x > 0).astype(float)),
        "sigmoid": (sigmoid, sigmoid * (1 - sigmoid)),
        "tanh": (np.tanh(x), 1 - np.tanh(x) ** 2),
    }
    figure, axes = _new_figure(1, 2, figsize=(9, 3.2))
    values_ax, slopes_ax = axes[0]
    for name, (values, slopes) in curves.items():
        values_ax.plot(x, values, label=name)
        slopes_ax.plot(x, slopes, label=name)
    values_ax.set_ylim(-1.5, 3)
    values_ax.set_title("f(x)")
    slopes_ax.set_title("f'(x): the factor a gradient is multiplied by")
    for ax in (values_ax, slopes_ax):
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.set_xlabel("x")
        ax.legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    return _finish(figure, save_to)


def plot_layer_stack(
    model, *, title: str | None = None, save_to: Path | str | None = None
) -> Figure:
    """A diagram of a sequential model: one box per layer, width by its output size.

    Drawn with matplotlib alone (no graphviz), labelled with each layer's output shape and
    parameter count.
    """
    rows = [
        (layer.name, type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params())
        for layer in model.layers
    ]
    if not rows:
        raise ValueError("the model has no layers to draw")
    sizes = np.array([np.prod(shape) for _, _, shape, _ in rows], dtype=float)
    widths = 0.25 + 0.75 * np.log1p(sizes) / np.log1p(sizes.max())
    figure, axes = _new_figure(figsize=(7, 0.45 * len(rows) + 0.6))
    ax = axes[0, 0]
    colours = {"Conv2D": "tab:blue", "MaxPooling2D": "tab:orange", "Dense": "tab:green"}
    for position, ((name, kind, shape, params), width) in enumerate(zip(rows, widths, strict=True)):
        y = len(rows) - 1 - position
        ax.barh(
            y, width, left=-width / 2, height=0.7, color=colours.get(kind, "tab:gray"), alpha=0.8
        )
        ax.text(-0.52, y, f"{name} ({kind})", ha="right", va="center", fontsize=8)
        shape_text = "x".join(str(d) for d in shape)
        ax.text(0.52, y, f"{shape_text}   {params:,} params", ha="left", va="center", fontsize=8)
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.axis("off")
    ax.set_title(title or f"{model.name}: data flows top to bottom; width ~ log(output size)")
    return _finish(figure, save_to)
