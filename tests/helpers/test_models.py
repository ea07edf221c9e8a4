"""helpers.models: builders have the documented shapes and parameter counts."""

import warnings

import keras
import numpy as np
import pytest

from course_tools.reference_answers import reference_function
from helpers import settings
from helpers.architecture import total_multiply_accumulates
from helpers.models import (
    build_ensemble,
    build_improved_cnn,
    build_keras_mlp,
    build_resnet10,
    residual_block,
)

# notebook 06's exercise, read from its solution cell
build_augmentation = reference_function("06_improve", "build_augmentation")


def test_improved_cnn_shapes_parameters_and_switches():
    model = build_improved_cnn(augmentation=build_augmentation)
    assert model.count_params() == 145_626
    assert model.output_shape == (None, 10)
    convs = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convs == ["conv1a", "conv2a", "conv2b", "conv3a", "conv3b"]
    assert model.get_layer("conv1a").output.shape[1:] == (28, 28, 16)
    assert model.get_layer("conv3b").output.shape[1:] == (7, 7, 64)
    assert model.get_layer("pool3").output.shape[1:] == (3, 3, 64)
    assert model.get_layer("dropout1").rate == 0.1
    assert model.layers[1].name == "augmentation"  # the builder's layer, first after the input
    plain = build_improved_cnn(batch_norm=False, dropout=0.0)  # and no augmentation
    names = {layer.name for layer in plain.layers}
    assert not names & {"augmentation", "bn1a", "dropout1"}
    # without batch norm: no scale/offset/moving stats (4 per channel), but conv/dense biases
    channels = 16 + 2 * 32 + 2 * 64 + 128
    assert plain.count_params() == 145_626 - 4 * channels + channels
    l2 = build_improved_cnn(l2=1e-4)
    assert l2.get_layer("conv2b").kernel_regularizer is not None
    assert l2.get_layer("dense").kernel_regularizer is not None
    wide = build_improved_cnn(stages=((8, 1), (8, 1)))
    assert wide.get_layer("pool2").output.shape[1:] == (7, 7, 8)


def test_keras_mlp_is_compiled_for_one_hot_labels_and_reports_accuracy():
    model = build_keras_mlp(hidden=256)
    assert model.count_params() == (784 + 1) * 256 + (256 + 1) * 256 + (256 + 1) * 10
    images = np.zeros((4, 28, 28, 1), np.float32)
    one_hot = np.eye(10, dtype=np.float32)[[0, 1, 2, 3]]
    scores = model.evaluate(images, one_hot, verbose=0, return_dict=True)
    assert set(scores) == {"loss", "accuracy"}  # fit's history says val_loss, val_accuracy
    probabilities = model.predict(images, verbose=0)
    expected_loss = -np.mean(np.log(probabilities[np.arange(4), [0, 1, 2, 3]]))
    assert scores["loss"] == pytest.approx(expected_loss, rel=1e-5)
    assert scores["accuracy"] == np.mean(probabilities.argmax(axis=1) == [0, 1, 2, 3])


def test_resnet10_blocks_and_projection_shortcut():
    model = build_resnet10(augmentation=build_augmentation)
    assert model.output_shape == (None, 10)
    assert model.layers[1].name == "augmentation"
    assert "augmentation" not in {layer.name for layer in build_resnet10().layers}
    assert model.get_layer("stem_conv").strides == (2, 2)  # the blocks work at 14x14, 7x7
    assert model.get_layer("block2_out").output.shape[1:] == (14, 14, 64)
    assert model.get_layer("block3_out").output.shape[1:] == (7, 7, 128)
    projection = model.get_layer("block3_projection")
    assert projection.kernel_size == (1, 1) and projection.strides == (2, 2)
    assert projection.filters == 128
    names = {layer.name for layer in model.layers}
    assert "block1_projection" not in names and "block4_projection" not in names
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    assert len([c for c in convs if c.kernel_size == (3, 3)]) == 9  # 9 conv + 1 dense = ResNet-10


def test_residual_block_projects_when_the_shape_changes():
    inputs = keras.Input((8, 8, 16))
    same = residual_block(inputs, 16, "same")
    wider = residual_block(inputs, 32, "wider")
    down = residual_block(inputs, 32, "down", downsample=True)
    model = keras.Model(inputs, [same, wider, down])
    names = {layer.name for layer in model.layers}
    assert "same_projection" not in names
    assert {"wider_projection", "down_projection"} <= names
    assert tuple(same.shape[1:]) == (8, 8, 16)
    assert tuple(wider.shape[1:]) == (8, 8, 32)
    assert tuple(down.shape[1:]) == (4, 4, 32)
    x = np.random.default_rng(0).random((2, 8, 8, 16)).astype(np.float32)
    outputs = model(x, training=False)
    assert all(np.all(np.asarray(o) >= 0) for o in outputs)  # each block ends with ReLU


def test_resnet10_stem_at_full_resolution_costs_four_times_more():
    at_14 = total_multiply_accumulates(build_resnet10())
    at_28 = total_multiply_accumulates(build_resnet10(stem_stride=1))
    assert build_resnet10(stem_stride=1).get_layer("block2_out").output.shape[1:] == (28, 28, 64)
    assert 3.9 < at_28 / at_14 < 4.1
    assert at_14 == 54_705_664


def test_ensemble_averages_its_members_and_adds_up_their_cost(tmp_path):
    settings.set_seeds(1)
    first, second = build_improved_cnn(), build_improved_cnn()
    ensemble = build_ensemble([first, second])
    images = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    expected = (first.predict(images, verbose=0) + second.predict(images, verbose=0)) / 2
    assert np.allclose(ensemble.predict(images, verbose=0), expected, atol=1e-6)
    assert ensemble.count_params() == 2 * first.count_params()
    assert total_multiply_accumulates(ensemble) == 2 * total_multiply_accumulates(first)
    ensemble.save(tmp_path / "ensemble.keras")  # no optimiser inside: loads without warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(tmp_path / "ensemble.keras")
    assert np.allclose(loaded.predict(images, verbose=0), expected, atol=1e-6)
    with pytest.raises(ValueError, match="at least 2 members"):
        build_ensemble([first])
