"""helpers.deploy.tflite_export on a model with augmentation layers inside, as notebook 06
builds them.

Keras's random augmentation layers augment unless told ``training=False``; ``model.export``
does not tell them, so its SavedModel holds random ops the TensorFlow Lite converter refuses.
"""

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from helpers import settings
from helpers.deploy.classifier import TFLiteClassifier
from helpers.deploy.tflite_export import export_tflite, tflite_bytes


@pytest.fixture(scope="module")
def augmented_cnn():
    """An untrained CNN with augmentation, batch norm and dropout: only the plumbing matters."""
    settings.set_seeds()
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.RandomRotation(0.05)(inputs)
    x = layers.RandomTranslation(0.1, 0.1)(x)
    x = layers.Conv2D(4, 3, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.MaxPooling2D(4)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((20, 28, 28, 1)).astype(np.float32)


def test_float32_export_runs_the_model_in_inference_mode(augmented_cnn, images, tmp_path):
    path = tmp_path / "augmented_float32.tflite"
    export_tflite(augmented_cnn, path, "float32")
    expected = augmented_cnn.predict(images, verbose=0)  # predict: augmentation and dropout off
    np.testing.assert_allclose(TFLiteClassifier(path).predict_proba(images), expected, atol=1e-5)


def test_int8_export_of_an_augmented_model_is_calibrated_and_runs(augmented_cnn, images, tmp_path):
    path = tmp_path / "augmented_int8.tflite"
    export_tflite(augmented_cnn, path, "int8", representative_images=images)
    classifier = TFLiteClassifier(path)
    assert classifier.input_type == np.int8
    probabilities = classifier.predict_proba(images)
    assert probabilities.shape == (20, 10)
    expected = augmented_cnn.predict(images, verbose=0)
    assert np.abs(probabilities - expected).max() < 0.05  # int8 rounding, not augmentation


def test_the_export_logs_no_temporary_folder_even_at_info_level(augmented_cnn, caplog):
    """In Jupyter TensorFlow's logger is at INFO, where saving logs "Assets written to /tmp/..."."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        with caplog.at_level(logging.INFO, logger="tensorflow"):
            tflite_bytes(augmented_cnn, "float32")
        assert logger.level == logging.INFO  # restored
    finally:
        logger.setLevel(level)
    assert not [record for record in caplog.records if "Assets written" in record.getMessage()]
