"""TensorFlow Lite exports of a tiny CNN (helpers.deploy.tflite_export), run with LiteRT
(helpers.deploy.classifier)."""

import keras
import numpy as np
import pytest
from keras import layers

from helpers import settings
from helpers.deploy.classifier import EXPORT_MODES, TFLiteClassifier
from helpers.deploy.tflite_export import export_tflite, tflite_files
from helpers.outputs import MissingOutputError
from helpers.preprocessing import load_splits

TEST_IMAGES = 500


@pytest.fixture(scope="module")
def data():
    splits = load_splits(settings.PROFILES["quick"])
    return splits.train.images[:2000], splits.train.labels[:2000], splits.test


@pytest.fixture(scope="module")
def tiny_cnn(data):
    """A small CNN (54,000 weights, most in its dense layer) trained for a few seconds."""
    train_images, train_labels, _ = data
    settings.set_seeds()
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(8, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(train_images, train_labels, epochs=3, batch_size=64, verbose=0)
    return model


@pytest.fixture(scope="module")
def exports(tiny_cnn, data, tmp_path_factory):
    """The path and byte size of each export of the tiny CNN."""
    folder = tmp_path_factory.mktemp("tflite")
    calibration = data[0][:300]
    paths = {mode: folder / f"tiny_{mode}.tflite" for mode in EXPORT_MODES}
    sizes = tflite_files(tiny_cnn, paths, representative_images=calibration)
    assert list(sizes) == list(EXPORT_MODES)
    return {mode: (path, sizes[mode]) for mode, path in paths.items()}


def test_all_three_exports_are_written_and_int8_is_much_smaller(exports):
    for path, size in exports.values():
        assert path.is_file() and path.stat().st_size == size > 0
    float_size = exports["float32"][1]
    assert float_size > 4 * 54_000  # four bytes per weight
    assert exports["dynamic_range"][1] <= float_size / 3
    assert exports["int8"][1] <= float_size / 3


def test_litert_accuracy_matches_keras(tiny_cnn, exports, data):
    test = data[2]
    images, labels = test.images[:TEST_IMAGES], test.labels[:TEST_IMAGES]
    keras_accuracy = np.mean(tiny_cnn.predict(images, verbose=0).argmax(axis=1) == labels)
    assert keras_accuracy > 0.8  # the tiny CNN did learn something
    tolerance = {"float32": 0.002, "dynamic_range": 0.01, "int8": 0.01}
    for mode, (path, _) in exports.items():
        probabilities = TFLiteClassifier(path).predict_proba(images)
        assert probabilities.shape == (TEST_IMAGES, 10) and probabilities.dtype == np.float32
        np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
        accuracy = np.mean(probabilities.argmax(axis=1) == labels)
        assert abs(accuracy - keras_accuracy) <= tolerance[mode], mode


def test_float32_export_gives_the_keras_probabilities(tiny_cnn, exports, data):
    images = data[2].images[:50]
    litert = TFLiteClassifier(exports["float32"][0]).predict_proba(images)
    np.testing.assert_allclose(litert, tiny_cnn.predict(images, verbose=0), atol=1e-4)


def test_int8_model_takes_int8_inputs_and_batches_agree_with_single_images(exports, data):
    classifier = TFLiteClassifier(exports["int8"][0], batch_size=64)
    assert classifier.input_type is np.int8
    images = data[2].images[:150]  # two full batches of 64 and a partial one
    batched = classifier.predict_proba(images)
    one_by_one = np.concatenate([classifier.predict_proba(image[None]) for image in images[:5]])
    np.testing.assert_allclose(one_by_one, batched[:5], atol=1e-6)
    np.testing.assert_allclose(classifier.predict_proba(images[:, :, :, 0]), batched, atol=1e-6)
    latency = classifier.mean_latency_ms(images[:20])
    assert 0 < latency < 100


def test_bad_modes_and_missing_calibration_are_refused(tiny_cnn, tmp_path):
    with pytest.raises(ValueError, match="unknown export mode 'float16'"):
        export_tflite(tiny_cnn, tmp_path / "m.tflite", "float16")
    with pytest.raises(ValueError, match="int8 export needs representative_images"):
        export_tflite(tiny_cnn, tmp_path / "m.tflite", "int8")
    assert not (tmp_path / "m.tflite").exists()
    paths = {"float32": tmp_path / "f.tflite", "int8": tmp_path / "i.tflite"}
    with pytest.raises(ValueError, match="int8 export needs representative_images"):
        tflite_files(tiny_cnn, paths)  # refused before anything is written
    assert not any(path.exists() for path in paths.values())


@pytest.mark.parametrize("mode", ["float32", "int8"])  # converted first and last among all
def test_an_export_in_one_mode_is_the_file_written_among_all_modes(
    tiny_cnn, data, exports, tmp_path, mode
):
    path = tmp_path / f"alone_{mode}.tflite"
    assert export_tflite(tiny_cnn, path, mode, representative_images=data[0][:300]) > 0
    assert path.read_bytes() == exports[mode][0].read_bytes()


def test_missing_or_damaged_model_files_give_clear_errors(tmp_path):
    with pytest.raises(MissingOutputError, match=r"run notebooks/08_deploy\.ipynb first"):
        TFLiteClassifier(tmp_path / "best_cnn_int8.tflite")
    damaged = tmp_path / "damaged.tflite"
    damaged.write_bytes(b"not a flatbuffer")
    with pytest.raises(ValueError, match="not a TensorFlow Lite model"):
        TFLiteClassifier(damaged)
