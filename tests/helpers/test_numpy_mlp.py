"""Tests of the NumPy MLP of notebook 06 (helpers/numpy_mlp.py)."""

import functools
import math

import numpy as np
import pytest

from course_tools.reference_answers import reference_function
from helpers import numpy_mlp
from helpers.data import load_mnist

# notebook 06's exercise, read from its solution cell
backward = reference_function("06_improve", "backward")
train_mlp = functools.partial(numpy_mlp.train_mlp, backward=backward)


@pytest.fixture(scope="module")
def random_batch():
    """64 random 'images' with pixels in [0, 1] and random labels 0..9."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 1.0, size=(64, numpy_mlp.NUM_PIXELS)).astype(np.float32)
    labels = rng.integers(0, numpy_mlp.NUM_CLASSES, size=64)
    return x, labels


@pytest.fixture(scope="module")
def mnist_sample():
    """The first 1,000 MNIST training images, flattened and scaled to [0, 1], with labels."""
    (x_train, y_train), _ = load_mnist()
    x = x_train[:1000].reshape(1000, -1).astype(np.float32) / 255.0
    return x, y_train[:1000]


# --- gradient check -----------------------------------------------------------------------


@pytest.mark.parametrize("weight_decay", [0.0, 1e-2])
def test_backprop_matches_finite_differences_for_every_parameter(weight_decay):
    errors = numpy_mlp.gradient_check(weight_decay=weight_decay, backward_fn=backward)
    assert set(errors) == set(numpy_mlp.PARAM_NAMES)
    for name, error in errors.items():
        assert error < 1e-6, f"{name}: relative error {error:.2e}"


def test_gradient_check_detects_a_wrong_entry():
    def backward_with_one_wrong_entry(*args, **kwargs):
        grads = backward(*args, **kwargs)
        grads["W1"][0, 0] += 1e-3
        return grads

    errors = numpy_mlp.gradient_check(backward_fn=backward_with_one_wrong_entry)
    assert errors["W1"] > 1e-3
    assert max(errors["b1"], errors["W2"], errors["b2"]) < 1e-6


def test_gradient_check_detects_a_forgotten_weight_decay_term():
    def backward_without_weight_decay(params, cache, labels, weight_decay=0.0):
        return backward(params, cache, labels, weight_decay=0.0)

    errors = numpy_mlp.gradient_check(weight_decay=0.1, backward_fn=backward_without_weight_decay)
    assert errors["W1"] > 1e-2 and errors["W2"] > 1e-2
    assert max(errors["b1"], errors["b2"]) < 1e-6  # biases carry no penalty


def test_relative_error_formula():
    a = np.array([1.0, 0.0, -2.0])
    b = np.array([1.0, 0.0, -1.0])
    assert numpy_mlp.relative_error(a, a) == 0.0
    assert numpy_mlp.relative_error(a, b) == pytest.approx(1.0 / 3.0)  # |-2 + 1| / (2 + 1)


# --- forward pass and loss ----------------------------------------------------------------


def test_forward_shapes_and_probabilities(random_batch):
    x, _ = random_batch
    params = numpy_mlp.init_params(hidden_size=32)
    probs, cache = numpy_mlp.forward(params, x)
    assert probs.shape == (64, 10)
    assert cache["hidden"].shape == (64, 32)
    assert cache["log_probs"].shape == (64, 10)
    assert np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_init_params_shapes_and_he_scale():
    params = numpy_mlp.init_params(hidden_size=256)
    assert params["W1"].shape == (784, 256) and params["b1"].shape == (256,)
    assert params["W2"].shape == (256, 10) and params["b2"].shape == (10,)
    assert params["W1"].std() == pytest.approx(math.sqrt(2 / 784), rel=0.02)
    assert not params["b1"].any() and not params["b2"].any()


def test_softmax_and_loss_stay_finite_for_huge_logits(random_batch):
    x, labels = random_batch
    params = numpy_mlp.init_params(hidden_size=32)
    params["W2"] *= 1e4  # logits in the thousands: a naive exp overflows to inf
    probs, _ = numpy_mlp.forward(params, x)
    assert np.all(np.isfinite(probs))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert math.isfinite(numpy_mlp.loss(params, x, labels))


def test_untrained_loss_is_about_ln_10(mnist_sample):
    x, labels = mnist_sample
    params = numpy_mlp.init_params()
    assert abs(numpy_mlp.loss(params, x, labels) - math.log(10)) < 0.3
    params["W2"] *= 10  # a badly scaled initialisation is far from uniform predictions
    assert numpy_mlp.loss(params, x, labels) > math.log(10) + 1.0


def test_l2_penalty_is_added_to_the_loss(random_batch):
    x, labels = random_batch
    params = numpy_mlp.init_params(hidden_size=32)
    squared_weights = np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)
    difference = numpy_mlp.loss(params, x, labels, 0.1) - numpy_mlp.loss(params, x, labels)
    assert difference == pytest.approx(0.05 * squared_weights, rel=1e-5)


# --- training -----------------------------------------------------------------------------


def test_training_overfits_a_small_batch(random_batch):
    x, labels = random_batch
    initial_loss = numpy_mlp.loss(numpy_mlp.init_params(hidden_size=64), x, labels)
    params, history = train_mlp(
        x, labels, hidden_size=64, epochs=50, batch_size=16, learning_rate=0.02, lr_decay=1.0
    )
    assert numpy_mlp.loss(params, x, labels) < 0.01 * initial_loss
    assert numpy_mlp.accuracy(params, x, labels) == 1.0
    assert len(history["train_loss"]) == 50
    assert history["train_loss"][-1] < 0.1 * history["train_loss"][0]
    assert history["val_accuracy"] == []


def test_training_is_deterministic_for_a_seed(random_batch):
    x, labels = random_batch
    settings = {"hidden_size": 16, "epochs": 3, "batch_size": 16, "learning_rate": 0.02}
    params_a, history_a = train_mlp(x, labels, x, labels, seed=1, **settings)
    params_b, history_b = train_mlp(x, labels, x, labels, seed=1, **settings)
    params_c, _ = train_mlp(x, labels, x, labels, seed=2, **settings)
    for name in numpy_mlp.PARAM_NAMES:
        np.testing.assert_array_equal(params_a[name], params_b[name])
    history_a.pop("seconds"), history_b.pop("seconds")  # wall times differ, all else must not
    assert history_a == history_b
    assert not np.array_equal(params_a["W1"], params_c["W1"])


def test_history_and_verbose_lines(random_batch, capsys):
    x, labels = random_batch
    params, history = train_mlp(
        x[:48], labels[:48], x[48:], labels[48:], hidden_size=16, epochs=2, verbose=True
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch  2/2")
    assert "val_acc" in lines[1]
    assert set(history) == {"train_loss", "train_accuracy", "val_accuracy", "seconds"}
    assert all(len(values) == 2 for values in history.values())
    assert history["val_accuracy"][-1] == numpy_mlp.accuracy(params, x[48:], labels[48:])


def test_accuracy_is_the_fraction_of_correct_predictions(random_batch):
    x, labels = random_batch
    params = numpy_mlp.init_params(hidden_size=16)
    predictions = numpy_mlp.predict(params, x)
    assert predictions.shape == (64,)
    assert numpy_mlp.accuracy(params, x, labels) == np.mean(predictions == labels)


# --- input validation ---------------------------------------------------------------------


@pytest.fixture
def small_params():
    return numpy_mlp.init_params(hidden_size=8)


@pytest.mark.parametrize(
    ("x_shape", "message"),
    [((5, 28, 28), "flatten"), ((5, 100), r"\(N, 784\)"), ((784,), r"\(N, 784\)")],
)
def test_wrong_image_shapes_are_rejected(small_params, x_shape, message):
    with pytest.raises(ValueError, match=message):
        numpy_mlp.forward(small_params, np.zeros(x_shape, dtype=np.float32))


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([0, 1, 10]), r"0\.\.9"),
        (np.array([0, -1, 2]), r"0\.\.9"),
        (np.eye(10)[:3], "one-hot"),
        (np.array([0.0, 1.0, 2.0]), "integer"),
        (np.array([0, 1]), "2 labels for 3 images"),
    ],
)
def test_bad_labels_are_rejected(small_params, labels, message):
    x = np.zeros((3, 784), dtype=np.float32)
    with pytest.raises(ValueError, match=message):
        numpy_mlp.loss(small_params, x, labels)
    with pytest.raises(ValueError, match=message):
        train_mlp(x, labels, hidden_size=8, epochs=1)


def test_bad_hidden_size_and_training_settings_are_rejected(random_batch):
    x, labels = random_batch
    with pytest.raises(ValueError, match="hidden_size must be at least 1"):
        numpy_mlp.init_params(hidden_size=0)
    with pytest.raises(ValueError, match="at least 1"):
        train_mlp(x, labels, epochs=0)
    with pytest.raises(ValueError, match="both x_val and y_val"):
        train_mlp(x, labels, x_val=x)
    with pytest.raises(ValueError, match="divide uint8 images by 255"):
        train_mlp(x * 255, labels, epochs=1)
    with pytest.raises(ValueError, match="no images"):
        train_mlp(x[:0], labels[:0], epochs=1)


def test_saved_parameters_load_back_identical(tmp_path):
    params = numpy_mlp.init_params(hidden_size=5, input_size=7)
    size = numpy_mlp.save_params(params, tmp_path / "mlp.npz")
    assert size == (tmp_path / "mlp.npz").stat().st_size > 0
    loaded = numpy_mlp.load_params(tmp_path / "mlp.npz")
    for name in numpy_mlp.PARAM_NAMES:
        np.testing.assert_array_equal(loaded[name], params[name])
    assert numpy_mlp.count_params(loaded) == 7 * 5 + 5 + 5 * 10 + 10
    assert numpy_mlp.multiply_accumulates(loaded) == 7 * 5 + 5 * 10


def test_loading_a_missing_or_foreign_file_says_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="train the NumPy MLP first"):
        numpy_mlp.load_params(tmp_path / "absent.npz")
    np.savez(tmp_path / "other.npz", W1=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="lacks b1, W2, b2"):
        numpy_mlp.load_params(tmp_path / "other.npz")
    params = numpy_mlp.init_params(hidden_size=4, input_size=3)
    params["W2"] = np.zeros((5, 10))
    numpy_mlp.save_params(params, tmp_path / "bad.npz")
    with pytest.raises(ValueError, match="inconsistent shapes"):
        numpy_mlp.load_params(tmp_path / "bad.npz")


def test_numpy_mlp_record_has_the_fields_of_the_keras_records(tmp_path):

    params = numpy_mlp.init_params(hidden_size=4, input_size=6)
    path = tmp_path / "mlp.npz"
    numpy_mlp.save_params(params, path)
    history = {"seconds": [1.0, 2.0, 3.0]}
    probabilities = np.full((4, 10), 0.05)
    probabilities[np.arange(4), [1, 2, 3, 0]] = 0.55
    record = numpy_mlp.metrics_record(params, history, np.array([1, 2, 3, 4]), probabilities, path)
    assert record["test_accuracy"] == 0.75 and record["test_errors"] == 1
    assert record["epochs"] == record["best_epoch"] == 3
    assert record["train_seconds"] == 6.0 and record["seconds_per_epoch"] == 2.0
    assert record["params"] == 6 * 4 + 4 + 4 * 10 + 10
    assert record["model_file_bytes"] == path.stat().st_size
    with pytest.raises(ValueError, match="no epoch times"):
        numpy_mlp.metrics_record(params, {}, np.array([1]), probabilities[:1], path)


def test_gradient_check_catches_a_wrong_backward_passed_in():
    def forgets_the_relu(params, cache, labels, weight_decay=0.0):
        grads = backward(params, cache, labels, weight_decay)
        x = cache["x"]
        d_logits = np.exp(cache["log_probs"])
        d_logits[np.arange(len(labels)), labels] -= 1
        grads["W1"] = x.T @ (d_logits / len(labels) @ params["W2"].T)  # no ReLU mask
        return grads

    assert max(numpy_mlp.gradient_check(backward_fn=backward).values()) < 1e-6
    errors = numpy_mlp.gradient_check(backward_fn=forgets_the_relu)
    assert errors["W1"] > 1e-3 and errors["W2"] < 1e-6
