"""Figures of the network (notebook 03): activation functions and the layer stack."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from helpers.plots._figure import finish, new_figure


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
    figure, axes = new_figure(1, 2, figsize=(9, 3.2))
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
    return finish(figure, save_to)


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
    figure, axes = new_figure(figsize=(7, 0.45 * len(rows) + 0.6))
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
    return finish(figure, save_to)

