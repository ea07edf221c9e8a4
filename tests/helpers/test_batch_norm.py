"""FusedBatchNormalization must be Keras' BatchNormalization, only faster to train."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.batch_norm import FusedBatchNormalization


def _pair(shape, momentum=0.9):
    """A standard and a fused layer built for ``shape`` with the same non-trivial weights."""
    rng = np.random.default_rng(1)
    standard = keras.layers.BatchNormalization(momentum=momentum)
    fused = FusedBatchNormalization(momentum=momentum)
    for layer in (standard, fused):
        layer.build(shape)
    channels = shape[-1]
    for name, value in {
        "gamma": rng.normal(1.0, 0.2, channels),
        "beta": rng.normal(0.0, 0.2, channels),
        "moving_mean": rng.normal(0.0, 1.0, channels),
        "moving_variance": rng.uniform(0.5, 2.0, channels),
    }.items():
        for layer in (standard, fused):
            getattr(layer, name).assign(value.astype("float32"))
    return standard, fused


def _train_step(layer, inputs, upstream):
    """Outputs and gradients (inputs, gamma, beta) of one training-mode call."""
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = layer(inputs, training=True)
        loss = tf.reduce_sum(outputs * upstream)
    gradients = tape.gradient(loss, [inputs, layer.gamma, layer.beta])
    return outputs.numpy(), [g.numpy() for g in gradients]


def test_training_step_matches_keras_outputs_gradients_and_moving_statistics():
    rng = np.random.default_rng(0)
    inputs = tf.constant(rng.normal(2.0, 3.0, (8, 5, 5, 4)).astype("float32"))
    upstream = tf.constant(rng.normal(size=(8, 5, 5, 4)).astype("float32"))
    standard, fused = _pair(inputs.shape)

    expected, expected_gradients = _train_step(standard, inputs, upstream)
    got, got_gradients = _train_step(fused, inputs, upstream)

    np.testing.assert_allclose(got, expected, atol=1e-5)
    for g, e in zip(got_gradients, expected_gradients, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4)
    # The moving variance is the *biased* batch variance, as in Keras (not the kernel's n - 1).
    np.testing.assert_allclose(fused.moving_mean.numpy(), standard.moving_mean.numpy(), atol=1e-6)
    np.testing.assert_allclose(
        fused.moving_variance.numpy(), standard.moving_variance.numpy(), rtol=1e-6
    )
    assert not np.allclose(fused.moving_mean.numpy(), _pair(inputs.shape)[1].moving_mean.numpy())


def test_the_fused_kernel_is_the_one_used_in_training():
    inputs = tf.ones((2, 3, 3, 2))
    _, fused = _pair(inputs.shape)
    graph = tf.function(lambda x: fused(x, training=True)).get_concrete_function(inputs).graph
    op_types = {op.type for op in graph.get_operations()}
    assert any(kind.startswith("FusedBatchNorm") for kind in op_types), op_types


@pytest.mark.parametrize(
    "shape, kwargs",
    [
        ((6, 4, 4, 3), {"training": False}),  # inference: the moving statistics
        ((16, 5), {"training": True}),  # dense inputs: the parent's code
        ((16, 5), {"training": False}),
    ],
)
def test_other_calls_are_exactly_the_parent_layer(shape, kwargs):
    inputs = tf.constant(np.random.default_rng(2).normal(size=shape).astype("float32"))
    standard, fused = _pair(shape)
    expected = standard(inputs, **kwargs).numpy()
    np.testing.assert_array_equal(fused(inputs, **kwargs).numpy(), expected)


def test_frozen_layer_keeps_its_statistics_in_training_mode():
    inputs = tf.constant(np.random.default_rng(3).normal(3.0, 1.0, (4, 3, 3, 2)).astype("float32"))
    standard, fused = _pair(inputs.shape)
    fused.trainable = standard.trainable = False
    before = fused.moving_mean.numpy().copy()
    np.testing.assert_array_equal(
        fused(inputs, training=True).numpy(), standard(inputs, training=True).numpy()
    )
    np.testing.assert_array_equal(fused.moving_mean.numpy(), before)


def test_a_model_with_the_layer_saves_and_loads_with_identical_predictions(tmp_path):
    inputs = keras.Input((6, 6, 1))
    x = keras.layers.Conv2D(3, 3, use_bias=False)(inputs)
    x = FusedBatchNormalization(momentum=0.9, name="bn")(x)
    outputs = keras.layers.Dense(2)(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    images = np.random.default_rng(4).normal(size=(5, 6, 6, 1)).astype("float32")
    model(images, training=True)  # moves the statistics away from their initial values
    model.save(tmp_path / "model.keras")

    loaded = keras.models.load_model(tmp_path / "model.keras")

    assert type(loaded.get_layer("bn")) is FusedBatchNormalization
    assert loaded.get_layer("bn").momentum == pytest.approx(0.9)
    expected = model.predict(images, verbose=0)
    np.testing.assert_array_equal(loaded.predict(images, verbose=0), expected)


def test_outputs_loads_a_saved_model_in_a_process_that_never_imported_the_layer(tmp_path):
    """Notebooks 07 and 08 load models/best_cnn.keras without importing helpers.models."""
    import subprocess
    import sys

    models_dir = tmp_path / "models"
    models_dir.mkdir()
    inputs = keras.Input((6, 6, 1))
    x = FusedBatchNormalization(name="bn")(keras.layers.Conv2D(2, 3)(inputs))
    keras.Model(inputs, keras.layers.Flatten()(x)).save(models_dir / "best_cnn.keras")
    script = f"""
import dataclasses, pathlib, sys
from helpers import outputs, settings
assert "helpers.batch_norm" not in sys.modules
root = pathlib.Path({str(tmp_path)!r})
profile = dataclasses.replace(settings.PROFILES["quick"], output_root=root)
print(type(outputs.load_model(profile, "best_cnn").get_layer("bn")).__name__)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("FusedBatchNormalization")
