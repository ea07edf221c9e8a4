"""Looking inside a trained CNN (notebook 07): filters, where to read feature maps, Grad-CAM,
robustness (feature maps and saliency maps are its exercises).

Every function computes NumPy arrays and draws nothing. Models are Keras 3 Functional or
Sequential models for 28x28x1 images in [0, 1] whose last layer is ``Dense(10)`` (softmax);
Grad-CAM differentiates that layer's pre-softmax score (logit), computed by
applying its kernel and bias to the features it receives. A Conv2D layer's feature map is read
where the next layer sees it: after the BatchNormalization and activation layers that directly
follow it, if any (conv -> batch norm -> ReLU stacks); a convolution with a built-in activation
is read as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from scipy import ndimage

from helpers.data import IMAGE_SHAPE

DEFAULT_ANGLES = np.arange(-90, 91, 15)  # degrees
DEFAULT_SHIFTS = np.arange(-6, 7)  # pixels
# Layers that transform a feature map element-wise; a Conv2D's map is read after them.
_FOLLOWERS = (
    keras.layers.BatchNormalization,
    keras.layers.Activation,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
)


def conv_layer_names(model: keras.Model) -> list[str]:
    """Names of the model's (top-level) Conv2D layers, input side first."""
    return [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def first_layer_filters(model: keras.Model) -> np.ndarray:
    """Kernels of the first Conv2D layer as (n_filters, height, width) for a 1-channel input."""
    names = _require_conv_layers(model)
    kernel = keras.ops.convert_to_numpy(model.get_layer(names[0]).kernel)
    if kernel.shape[2] != 1:
        raise ValueError(f"expected a 1-channel input to {names[0]!r}, got {kernel.shape[2]}")
    return np.transpose(kernel[:, :, 0, :], (2, 0, 1))


def penultimate_features(
    model: keras.Model, images: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """(N, D) features that the final Dense layer receives, e.g. for a t-SNE embedding."""
    _final_dense(model)
    inputs, _, features = _trace(model)
    extractor = keras.Model(inputs=inputs, outputs=features)
    return extractor.predict(_as_batch(images), batch_size=batch_size, verbose=0)


def grad_cam(
    model: keras.Model,
    images: np.ndarray,
    layer_name: str | None = None,
    class_index: int | Sequence[int] | None = None,
) -> np.ndarray:
    """Grad-CAM heatmaps (N, 28, 28) in [0, 1] of a Conv2D layer (default: the last one).

    Each channel of the layer's feature map (read where :func:`feature_map_layer` says) is
    weighted by the spatial mean of the gradient of the class logit with respect to it; the
    ReLU of the weighted sum is resized (bilinear) to 28x28 and scaled to a maximum of 1 per
    image (an all-zero heatmap stays zero). ``class_index``: one class for every image, one
    class per image, or None for the predicted class of each image.
    """
    dense = _final_dense(model)
    layer_name = _require_conv_layers(model)[-1] if layer_name is None else layer_name
    _check_conv_layer(model, layer_name)
    inputs, outputs, features = _trace(model)
    tap = keras.Model(
        inputs=inputs, outputs=[outputs[feature_map_layer(model, layer_name)], features]
    )
    with tf.GradientTape() as tape:
        activations, penultimate = tap(_as_batch(images), training=False)
        score = _class_scores(_logits(dense, penultimate), class_index)
    gradients = tape.gradient(score, activations)
    channel_weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    heatmaps = tf.nn.relu(tf.reduce_sum(channel_weights * activations, axis=-1, keepdims=True))
    heatmaps = tf.image.resize(heatmaps, IMAGE_SHAPE[:2], method="bilinear")
    return _normalise_per_image(heatmaps.numpy()[..., 0])


def feature_map_layer(model: keras.Model, conv_name: str) -> str:
    """The layer whose output is ``conv_name``'s feature map: the Conv2D layer itself, or the
    last of the BatchNormalization / activation layers that directly follow it."""
    _check_conv_layer(model, conv_name)
    layers = model.layers
    position = [layer.name for layer in layers].index(conv_name)
    chained = isinstance(model, keras.Sequential)  # each layer feeds the next
    name = conv_name
    for current, following in zip(layers[position:], layers[position + 1 :], strict=False):
        if not isinstance(following, _FOLLOWERS):
            break
        if not chained and following.input is not current.output:
            break
        name = following.name
    return name


def rotate_images(images: np.ndarray, angle: float) -> np.ndarray:
    """Images (N, 28, 28, 1) rotated counter-clockwise by ``angle`` degrees about the centre."""
    return ndimage.rotate(_as_batch(images), angle, axes=(1, 2), reshape=False, order=1, cval=0)


def shift_images(images: np.ndarray, pixels: float) -> np.ndarray:
    """Images (N, 28, 28, 1) moved right by ``pixels`` (left when negative), zeros filling in."""
    return ndimage.shift(_as_batch(images), (0, 0, pixels, 0), order=1, cval=0)


@dataclass(frozen=True)
class TransformSweep:
    """A model's predictions for one digit as one transformation varies."""

    values: np.ndarray  # (K,) the angles in degrees or the shifts in pixels
    probabilities: np.ndarray  # (K, 10) the model's output for each value

    @property
    def predicted_class(self) -> np.ndarray:
        """(K,) the most probable class for each value."""
        return self.probabilities.argmax(axis=1)

    @property
    def confidence(self) -> np.ndarray:
        """(K,) the probability of the predicted class for each value."""
        return self.probabilities.max(axis=1)


def prediction_under_transform(
    model: keras.Model,
    image: np.ndarray,
    angles: Sequence[float] | None = None,
    shifts: Sequence[float] | None = None,
) -> tuple[TransformSweep, TransformSweep]:
    """``(rotation, shift)`` predictions for one digit (28, 28) or (28, 28, 1).

    The digit is rotated through ``angles`` (degrees, counter-clockwise; default -90..90 in
    steps of 15) and moved right through ``shifts`` (pixels; default -6..6).
    """
    angles = DEFAULT_ANGLES if angles is None else np.asarray(angles, dtype=float)
    shifts = DEFAULT_SHIFTS if shifts is None else np.asarray(shifts, dtype=float)
    image = np.asarray(image, dtype=np.float32)
    if image.shape not in (IMAGE_SHAPE, IMAGE_SHAPE[:2]):
        raise ValueError(f"expected one image shaped (28, 28, 1) or (28, 28), got {image.shape}")
    digit = _as_batch(image[np.newaxis])
    variants = [rotate_images(digit, angle) for angle in angles]
    variants += [shift_images(digit, pixels) for pixels in shifts]
    probabilities = _predict(model, np.concatenate(variants))
    return (
        TransformSweep(angles, probabilities[: len(angles)]),
        TransformSweep(shifts, probabilities[len(angles) :]),
    )


def accuracy_under_rotation(
    model: keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    angles: Sequence[float] = DEFAULT_ANGLES,
    batch_size: int = 1024,
) -> np.ndarray:
    """Accuracy on ``images`` rotated by each angle (degrees, counter-clockwise): (len(angles),)."""
    return _accuracy_under(rotate_images, model, images, labels, angles, batch_size)


def accuracy_under_shift(
    model: keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    shifts: Sequence[float] = DEFAULT_SHIFTS,
    batch_size: int = 1024,
) -> np.ndarray:
    """Accuracy on ``images`` moved right by each shift (pixels; left if < 0): (len(shifts),)."""
    return _accuracy_under(shift_images, model, images, labels, shifts, batch_size)


def _accuracy_under(transform, model, images, labels, values, batch_size) -> np.ndarray:
    """Every transformed copy is read in one pass of the model: one call per value would pay
    Keras's set-up of a prediction (a tenth of a second) for each. The copies are held at once:
    85 MB for notebook 07's 3,000 digits and 9 angles."""
    images = _as_batch(images)
    labels = np.asarray(labels)
    if labels.shape != (len(images),):
        raise ValueError(f"expected {len(images)} integer labels, got shape {labels.shape}")
    if len(values) == 0:
        return np.zeros(0)
    transformed = np.concatenate([transform(images, value) for value in values])
    predicted = _predict(model, transformed, batch_size).argmax(axis=1)
    return np.mean(predicted.reshape(len(values), len(images)) == labels, axis=1)


def _as_batch(images: np.ndarray) -> np.ndarray:
    """float32 images (N, 28, 28, 1); (N, 28, 28) gains the channel axis."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3 and images.shape[1:] == IMAGE_SHAPE[:2]:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(
            f"expected images shaped (N, 28, 28, 1) or (N, 28, 28), got {images.shape} "
            "(for a single image use images[None])"
        )
    return images


def _require_conv_layers(model: keras.Model) -> list[str]:
    names = conv_layer_names(model)
    if not names:
        raise ValueError(f"model {model.name!r} has no Conv2D layer")
    return names


def _check_conv_layer(model: keras.Model, name: str) -> None:
    names = conv_layer_names(model)
    if name not in names:
        raise ValueError(
            f"{name!r} is not a Conv2D layer of model {model.name!r}; "
            f"its Conv2D layers are: {', '.join(names) or 'none'}"
        )


def _final_dense(model: keras.Model) -> keras.layers.Dense:
    """The model's last layer, which must be the Dense classifier."""
    last = model.layers[-1]
    if not isinstance(last, keras.layers.Dense):
        raise ValueError(
            f"expected the last layer to be the Dense classifier, got {type(last).__name__} "
            f"{last.name!r}"
        )
    return last


def _trace(
    model: keras.Model,
) -> tuple[keras.KerasTensor, dict[str, keras.KerasTensor], keras.KerasTensor]:
    """``(input, output of each layer by name, input of the last layer)`` as symbolic tensors.

    A Sequential model is re-traced from a fresh ``keras.Input(shape=(28, 28, 1))``: this
    works whether or not it has defined inputs, and keeps the batch size free when it was
    built by a call on a fixed-size batch.
    """
    if not isinstance(model, keras.Sequential):
        outputs = {layer.name: layer.output for layer in model.layers}
        return model.input, outputs, model.layers[-1].input
    inputs = keras.Input(shape=IMAGE_SHAPE)
    outputs = {}
    tensor = inputs
    for layer in model.layers:
        last_input = tensor
        tensor = layer(tensor)
        outputs[layer.name] = tensor
    return inputs, outputs, last_input


def _logits(dense: keras.layers.Dense, features: tf.Tensor) -> tf.Tensor:
    """The pre-activation scores of ``dense`` for its input ``features``."""
    logits = tf.matmul(features, dense.kernel)
    return logits + dense.bias if dense.use_bias else logits


def _class_scores(logits: tf.Tensor, class_index: int | Sequence[int] | None) -> tf.Tensor:
    """Sum over images of each image's logit for its class (the predicted one when None).

    Images do not interact in inference mode, so the gradient of the sum with respect to
    one image is the gradient of that image's own score.
    """
    n_images, n_classes = logits.shape
    if class_index is None:
        classes = tf.argmax(logits, axis=1)
    else:
        classes = np.asarray(class_index)
        if classes.ndim == 0:
            classes = np.full(n_images, classes)
        valid = np.issubdtype(classes.dtype, np.integer) and classes.shape == (n_images,)
        if not valid or classes.min() < 0 or classes.max() >= n_classes:
            raise ValueError(
                f"class_index must be one integer in 0..{n_classes - 1} or {n_images} of them, "
                f"got {class_index!r}"
            )
    return tf.reduce_sum(tf.gather(logits, classes, axis=1, batch_dims=1))


def _normalise_per_image(maps: np.ndarray) -> np.ndarray:
    """Scale each (H, W) map so its maximum is 1; a map that is all zero stays zero."""
    peaks = maps.max(axis=(1, 2), keepdims=True)
    return np.divide(maps, peaks, out=np.zeros_like(maps), where=peaks > 0)


def _predict(model: keras.Model, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """The model's output probabilities, computed in inference mode."""
    return model.predict(images, batch_size=batch_size, verbose=0)
