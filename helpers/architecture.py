"""Describe a Keras model: each layer's output shape, its parameter arithmetic and its cost."""

from __future__ import annotations

import keras
import pandas as pd
from keras import layers


def _shape(layer) -> tuple:
    return tuple(layer.output.shape[1:])


def _input_channels(layer) -> int:
    return int(layer.input.shape[-1])


def parameter_formula(layer) -> str:
    """How the layer's parameter count is computed, e.g. ``(3*3*32 + 1) * 64``."""
    if isinstance(layer, layers.Conv2D):
        kh, kw = layer.kernel_size
        bias = " + 1" if layer.use_bias else ""
        return f"({kh}*{kw}*{_input_channels(layer)}{bias}) * {layer.filters}"
    if isinstance(layer, layers.Dense):
        bias = " + 1" if layer.use_bias else ""
        return f"({_input_channels(layer)}{bias}) * {layer.units}"
    if isinstance(layer, layers.BatchNormalization):
        return f"4 * {_input_channels(layer)}  (gamma, beta; moving mean, variance)"
    return "0" if layer.count_params() == 0 else ""


def multiply_accumulates(layer) -> int:
    """Multiply-accumulate operations of one forward pass of one image through ``layer``.

    Counted for Conv2D (output positions x kernel volume x filters) and Dense (inputs x units);
    other layers are cheap next to them and count 0.
    """
    if isinstance(layer, layers.Conv2D):
        kh, kw = layer.kernel_size
        oh, ow, filters = _shape(layer)
        return oh * ow * filters * kh * kw * _input_channels(layer)
    if isinstance(layer, layers.Dense):
        return _input_channels(layer) * layer.units
    return 0


def _flatten_layers(model: keras.Model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _flatten_layers(layer)
        elif not isinstance(layer, layers.InputLayer):
            yield layer


def layer_table(model: keras.Model) -> pd.DataFrame:
    """One row per layer: type, output shape, parameters, their arithmetic, MACs per image."""
    rows = []
    for layer in _flatten_layers(model):
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output shape": "x".join(str(d) for d in _shape(layer)),
                "parameters": layer.count_params(),
                "arithmetic": parameter_formula(layer),
                "MACs per image": multiply_accumulates(layer),
            }
        )
    return pd.DataFrame(rows).set_index("layer")


def total_multiply_accumulates(model: keras.Model) -> int:
    """Multiply-accumulates of one image's forward pass through the whole model."""
    return int(sum(multiply_accumulates(layer) for layer in _flatten_layers(model)))
