"""helpers.models: builders have the documented shapes and parameter counts."""

import numpy as np

from helpers.models import build_baseline_cnn


def test_baseline_cnn_has_93322_parameters_and_softmax_outputs():
    model = build_baseline_cnn()
    assert model.count_params() == 93_322
    probabilities = model.predict(np.zeros((3, 28, 28, 1), np.float32), verbose=0)
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


def test_baseline_cnn_layer_shapes():
    model = build_baseline_cnn()
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes["conv1"] == (26, 26, 32)
    assert shapes["pool1"] == (13, 13, 32)
    assert shapes["conv2"] == (11, 11, 64)
    assert shapes["pool2"] == (5, 5, 64)
    assert shapes["conv3"] == (3, 3, 64)
    assert shapes["flatten"] == (576,)
    assert shapes["softmax"] == (10,)
    assert model.loss == "categorical_crossentropy"
