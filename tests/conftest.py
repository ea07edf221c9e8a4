"""Shared test set-up: every test runs in the quick profile."""

import os

os.environ["MNIST_COURSE_PROFILE"] = "quick"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def small_data():
    """1,000 training, 500 validation and 10 test images of the quick profile's split."""
    from helpers import settings
    from helpers.preprocessing import DataSplits, Split, load_splits

    splits = load_splits(settings.PROFILES["quick"])
    cut = lambda split, n: Split(split.images[:n], split.labels[:n])  # noqa: E731
    return DataSplits(cut(splits.train, 1000), cut(splits.validation, 500), cut(splits.test, 10))


@pytest.fixture(scope="session")
def baseline_int8_model(tmp_path_factory):
    """The committed models/baseline_cnn.keras exported as int8 TensorFlow Lite (a few
    seconds): a trained classifier for the tests that need digits read right (the app's)."""
    import keras

    from helpers import settings
    from helpers.data import load_mnist
    from helpers.deploy.tflite_export import export_tflite

    model = keras.models.load_model(settings.REPO_ROOT / "models" / "baseline_cnn.keras")
    (train_images, _), _ = load_mnist()
    path = tmp_path_factory.mktemp("baseline_int8") / "baseline_cnn_int8.tflite"
    export_tflite(model, path, "int8", representative_images=train_images[:200] / 255)
    return path


@pytest.fixture(scope="module")
def app_url(baseline_int8_model):
    """The drawing app of helpers.deploy.app serving that model on a free port of 127.0.0.1; the
    server is closed when the test module is done."""
    import socket

    from helpers.deploy.app import build_app, serve

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = build_app(baseline_int8_model)
    try:
        yield serve(app, "127.0.0.1", port)
    finally:
        app.close(verbose=False)


@pytest.fixture(scope="session")
def tiny_int8_model(tmp_path_factory):
    """A tiny untrained CNN exported as int8: the predictions are arbitrary, the plumbing real."""
    import keras
    from keras import layers

    from helpers import settings
    from helpers.data import load_mnist
    from helpers.deploy.tflite_export import export_tflite

    settings.set_seeds()
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.MaxPooling2D(4),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    (train_images, _), _ = load_mnist()
    path = tmp_path_factory.mktemp("tiny_model") / "tiny_int8.tflite"
    export_tflite(model, path, "int8", representative_images=train_images[:100] / 255)
    return path


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright: one for the whole test session."""
    from course_tools.browser import ChromiumNotFound, offline_browser

    try:
        with offline_browser() as browser:
            yield browser
    except ChromiumNotFound as exc:
        pytest.fail(f"{exc}; then run the tests again")
