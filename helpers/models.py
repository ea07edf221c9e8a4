"""The models of notebook 06 (03's baseline is its exercise). Each builder returns a compiled
Keras model for MNIST's 28x28x1 images and 10 classes."""

from __future__ import annotations

from collections.abc import Callable

import keras
from keras import layers

from helpers.batch_norm import FusedBatchNormalization
from helpers.data import IMAGE_SHAPE, NUM_CLASSES

# Batch norm's moving averages forget 10% per step rather than Keras' default 1%: they then
# settle within a few dozen steps, so short runs (the quick profile) evaluate sensibly too.
BN_MOMENTUM = 0.9


def build_keras_reference() -> keras.Model:
    """The convnet of the official Keras MNIST example (keras.io/examples/vision/mnist_convnet):
    Conv32-MaxPool-Conv64-MaxPool-Flatten-Dropout 0.5-Dense 10, Adam at Keras' default rate.

    ``make bench`` trains it as the example does (batch 128, 15 epochs) beside ours.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name="keras_reference",
    )
    return _compiled(model, 1e-3)


def _compiled(model: keras.Model, learning_rate) -> keras.Model:
    """``model`` ready to train on one-hot labels with Adam at ``learning_rate`` (a number or a
    schedule), reporting its accuracy."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.CategoricalCrossentropy(),
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    return model


def build_keras_mlp(hidden: int = 256, learning_rate: float = 1e-3) -> keras.Model:
    """A dense network on the 784 pixels: what a CNN is compared against."""
    model = keras.Sequential(
        [
            keras.Input(shape=IMAGE_SHAPE),
            layers.Flatten(name="flatten"),
            layers.Dense(hidden, activation="relu", name="hidden1"),
            layers.Dropout(0.2, name="dropout1"),
            layers.Dense(hidden, activation="relu", name="hidden2"),
            layers.Dropout(0.2, name="dropout2"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="softmax"),
        ],
        name="keras_mlp",
    )
    return _compiled(model, learning_rate)


def _conv_bn_relu(x, filters: int, name: str, strides: int = 1, l2: float = 0.0):
    x = layers.Conv2D(
        filters,
        3,
        strides=strides,
        padding="same",
        use_bias=False,
        kernel_regularizer=keras.regularizers.L2(l2) if l2 else None,
        name=f"{name}_conv",
    )(x)
    x = FusedBatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


IMPROVED_STAGES = ((16, 1), (32, 2), (64, 2))


def build_improved_cnn(
    learning_rate=1e-3,
    *,
    augmentation: Callable[[], keras.Layer] | None = None,
    batch_norm: bool = True,
    dropout: float = 0.1,
    l2: float = 0.0,
    stages: tuple[tuple[int, int], ...] = IMPROVED_STAGES,
    fused_batch_norm: bool = True,
) -> keras.Model:
    """The improved CNN of notebook 06: three stages of 3x3 convolutions at 28x28, 14x14 and
    7x7 (16, then 2x32, then 2x64 filters by default), each stage followed by 2x2 max pooling,
    then a dense head; batch norm, dropout and augmentation.

    Filters stay few where the image is large, and the depth goes where it is cheap (small
    maps). ``augmentation()`` builds the augmentation layer (notebook 06's exercise; None: no
    augmentation). The switches let the notebook's ablation turn each regulariser off on the
    same budget; ``fused_batch_norm=False`` uses Keras' own layer instead of
    :class:`~helpers.batch_norm.FusedBatchNormalization` (same maths, slower training).
    """
    batch_norm_layer = (
        FusedBatchNormalization if fused_batch_norm else layers.BatchNormalization
    )
    regularizer = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = augmentation()(inputs) if augmentation else inputs
    for stage, (filters, depth) in enumerate(stages, start=1):
        for letter in "abcdefgh"[:depth]:
            name = f"{stage}{letter}"
            x = layers.Conv2D(
                filters,
                3,
                padding="same",
                use_bias=not batch_norm,
                kernel_regularizer=regularizer,
                name=f"conv{name}",
            )(x)
            if batch_norm:
                x = batch_norm_layer(momentum=BN_MOMENTUM, name=f"bn{name}")(x)
            x = layers.Activation("relu", name=f"relu{name}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{stage}")(x)
    x = layers.Flatten(name="flatten")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout1")(x)
    x = layers.Dense(128, use_bias=not batch_norm, kernel_regularizer=regularizer, name="dense")(x)
    if batch_norm:
        x = batch_norm_layer(momentum=BN_MOMENTUM, name="bn_dense")(x)
    x = layers.Activation("relu", name="relu_dense")(x)
    if dropout:
        x = layers.Dropout(dropout, name="dropout2")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="softmax")(x)
    model = keras.Model(inputs, outputs, name="improved_cnn")
    return _compiled(model, learning_rate)


def residual_block(x, filters: int, name: str, downsample: bool = False):
    """Two 3x3 conv-BN layers plus a shortcut; a 1x1 projection when the shape changes."""
    strides = 2 if downsample else 1
    y = _conv_bn_relu(x, filters, f"{name}_a", strides=strides)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_b_conv")(y)
    y = FusedBatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_b_bn")(y)
    shortcut = x
    if downsample or x.shape[-1] != filters:
        shortcut = layers.Conv2D(
            filters, 1, strides=strides, use_bias=False, name=f"{name}_projection"
        )(x)
        shortcut = FusedBatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_projection_bn")(
            shortcut
        )
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.Activation("relu", name=f"{name}_out")(y)


def build_resnet10(
    learning_rate=1e-3,
    *,
    augmentation: Callable[[], keras.Layer] | None = None,
    stem_stride: int = 2,
):
    """ResNet-10: a Conv-BN-ReLU stem, two residual blocks of 64 filters, two of 128 (the
    first downsampling with a 1x1 projection shortcut), global average pooling, softmax;
    ``augmentation()`` first, as in :func:`build_improved_cnn`.

    The stem's stride of 2 makes the network work at 14x14, then 7x7, as ResNets shrink their
    input in the stem (the ImageNet ResNets by 4): a quarter of the compute of a stem at full
    28x28 resolution (``stem_stride=1``), for digits whose strokes 14x14 still resolves.
    """
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = augmentation()(inputs) if augmentation else inputs
    x = _conv_bn_relu(x, 64, "stem", strides=stem_stride)
    x = residual_block(x, 64, "block1")
    x = residual_block(x, 64, "block2")
    x = residual_block(x, 128, "block3", downsample=True)
    x = residual_block(x, 128, "block4")
    x = layers.GlobalAveragePooling2D(name="global_pool")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="softmax")(x)
    model = keras.Model(inputs, outputs, name="resnet10")
    return _compiled(model, learning_rate)


def build_ensemble(members: list[keras.Model], name: str = "ensemble") -> keras.Model:
    """One model that averages the probabilities of ``members`` (trained models with the same
    input and classes): its prediction costs the sum of theirs. The members are copied without
    their optimisers; the ensemble is for prediction, not for training."""
    if len(members) < 2:
        raise ValueError(f"an ensemble needs at least 2 members, got {len(members)}")
    copies = []
    for number, member in enumerate(members, start=1):
        copy = keras.models.clone_model(member)
        copy.set_weights(member.get_weights())
        copy.name = f"{member.name}_{number}"
        copies.append(copy)
    inputs = keras.Input(shape=IMAGE_SHAPE)
    outputs = layers.Average(name="average")([copy(inputs, training=False) for copy in copies])
    return keras.Model(inputs, outputs, name=name)
