"""helpers.training: checkpoint, history, timing and determinism of a short quick-profile run."""

import keras
import numpy as np
import pytest

from course_tools.reference_answers import reference_function
from helpers import settings, training
from helpers.outputs import MissingOutputError, load_model, require
from helpers.training import fit, load_history, save_history, warmup_cosine_schedule


def baseline_cnn():
    """Notebook 03's baseline CNN, compiled: its exercises, read from their solution cells."""
    build_cnn = reference_function("03_cnn", "build_cnn")
    return reference_function("03_cnn", "compile_model")(build_cnn())


def train_once(data, path):
    settings.set_seeds()
    model = baseline_cnn()
    result = fit(model, data, epochs=1, checkpoint_path=path, batch_size=64)
    return model, result


def test_same_seed_gives_the_same_weights_after_one_epoch(small_data, tmp_path):
    first, _ = train_once(small_data, tmp_path / "a.keras")
    second, _ = train_once(small_data, tmp_path / "b.keras")
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_fit_checkpoints_times_and_records_history(small_data, tmp_path, capsys):
    settings.set_seeds()
    model = baseline_cnn()
    path = tmp_path / "model.keras"
    result = fit(model, small_data, epochs=2, checkpoint_path=path, batch_size=64, patience=5)
    assert path.is_file()
    best = keras.models.load_model(path)
    for kept, saved in zip(model.get_weights(), best.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, saved)  # the model keeps the best epoch's weights
    assert result.epochs == 2 and len(result.history["val_loss"]) == 2
    assert all(s > 0 for s in result.epoch_seconds)
    assert result.best_epoch == int(np.argmin(result.history["val_loss"])) + 1
    assert result.history["val_accuracy"][-1] > 0.5  # 1,000 images, 2 epochs: well above chance
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch  1/2") and "val_accuracy" in lines[0]

    save_history(result, tmp_path / "h.json")
    again = load_history(tmp_path / "h.json")
    assert again.history == result.history and again.best_epoch == result.best_epoch


class SpoilSecondEpoch(keras.callbacks.Callback):
    """Keeps the weights at the end of epoch 1, then multiplies them by 50 before epoch 2, so
    that epoch 2 ends far worse than epoch 1."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            self.first_epoch_weights = self.model.get_weights()

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            self.model.set_weights([50 * w for w in self.model.get_weights()])


def test_fit_goes_back_to_the_best_epoch_and_saves_it(small_data, tmp_path):
    settings.set_seeds()
    model, spoil, path = baseline_cnn(), SpoilSecondEpoch(), tmp_path / "model.keras"
    result = fit(
        model, small_data, epochs=2, checkpoint_path=path, batch_size=64, extra_callbacks=(spoil,)
    )
    assert result.epochs == 2 and result.best_epoch == 1
    assert result.history["val_loss"][1] > result.history["val_loss"][0]
    saved = keras.models.load_model(path).get_weights()
    weights = zip(spoil.first_epoch_weights, model.get_weights(), saved, strict=True)
    for best, kept, in_file in weights:
        np.testing.assert_array_equal(kept, best)  # the model went back to epoch 1
        np.testing.assert_array_equal(in_file, best)  # and so did its file


def test_missing_model_names_the_notebook_to_run(tmp_path):
    profile = settings.Profile("quick", 10, {}, output_root=tmp_path)
    with pytest.raises(MissingOutputError, match=r"run notebooks/04_train\.ipynb first"):
        load_model(profile, "baseline_cnn")
    with pytest.raises(MissingOutputError, match="the notebook that makes it"):
        require(tmp_path / "x.keras", "models", "unknown_model", profile)


def test_warmup_cosine_schedule_rises_then_decays():
    schedule = warmup_cosine_schedule(epochs=10, steps_per_epoch=100, peak_learning_rate=3e-3)
    rate = lambda step: float(schedule(step))  # noqa: E731
    assert rate(0) == pytest.approx(3e-4)
    assert rate(50) == pytest.approx(3e-4 + 0.5 * (3e-3 - 3e-4), rel=1e-4)
    assert rate(100) == pytest.approx(3e-3)
    assert rate(550) == pytest.approx(3e-3 * (0.01 + 0.99 * 0.5), rel=1e-3)  # half-way down
    assert rate(1000) == pytest.approx(3e-5, rel=1e-3)
    steps = [rate(s) for s in range(100, 1001, 50)]
    assert all(a >= b for a, b in zip(steps, steps[1:], strict=False))


def _dense_model():
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    return model


def test_seconds_per_training_image_trains_and_returns_the_fastest_run(small_data, monkeypatch):
    model = _dense_model()
    before = model.get_weights()[0].copy()
    clock = iter([0.0, 3.0, 10.0, 11.0, 20.0, 22.0])  # runs of 3 s, 1 s and 2 s
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(clock))
    seconds = training.seconds_per_training_image(
        model, small_data.train.images, small_data.train.one_hot, batch_size=32, steps=4, repeats=3
    )
    assert seconds == pytest.approx(1.0 / (32 * 4))
    assert not np.array_equal(model.get_weights()[0], before)  # it really trained


def test_seconds_per_training_image_is_a_real_positive_time(small_data):
    seconds = training.seconds_per_training_image(
        _dense_model(), small_data.train.images, small_data.train.one_hot, batch_size=50, steps=2
    )
    assert 0 < seconds < 1


@pytest.mark.parametrize(
    "kwargs, message",
    [({"steps": 100}, "need 12800 images"), ({"steps": 1, "repeats": 0}, "at least 1")],
)
def test_seconds_per_training_image_rejects_impossible_requests(small_data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        training.seconds_per_training_image(
            _dense_model(), small_data.train.images, small_data.train.one_hot, **kwargs
        )


def test_seconds_per_prediction_times_a_real_forward_pass(small_data):
    images = small_data.validation.images[:50]
    seconds = training.seconds_per_prediction(_dense_model(), images, batch_size=25)
    assert 0 < seconds < 0.1
    with pytest.raises(ValueError, match="at least one image"):
        training.seconds_per_prediction(_dense_model(), images[:0])


def test_estimate_training_cost_times_steps_and_scales_to_the_whole_cell(small_data, monkeypatch):
    timings = iter([3e-4, 1e-4, 2e-4])  # three timed runs: the median, 2e-4, is kept
    monkeypatch.setattr(training, "seconds_per_training_image", lambda *a, **k: next(timings))
    monkeypatch.setattr(training, "seconds_per_prediction", lambda *a, **k: 5e-5)
    clock = iter([10.0, 10.5])  # building the model and its graphs: 0.5 s per run
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(clock))
    cost = training.estimate_training_cost(
        _dense_model, small_data.train, epochs=3, validation=small_data.validation, runs=2
    )
    assert cost.seconds_per_image == 2e-4 and cost.seconds_per_prediction == 5e-5
    per_epoch = 1_000 * 2e-4 + 500 * 5e-5
    assert cost.seconds == pytest.approx(2 * (0.5 + 3 * per_epoch))
    assert str(cost).startswith("about 2 s on this machine (measured here: 200 µs per training")
    assert cost.versus(4.7) == "⏱ took 5 s, 2.00 x the estimate"
    assert training.CostEstimate(1e-4, 0, 600).versus(630) == "⏱ took 10.5 min, 1.05 x the estimate"
    once = iter([10.0, 10.5])
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(once))
    timings = iter([2e-4] * 3)
    single_pass = training.estimate_training_cost(
        _dense_model, small_data.train, epochs=3, validation=small_data.validation,
        validation_passes=1,
    )  # fmt: skip
    assert single_pass.seconds == pytest.approx(0.5 + 3 * 1_000 * 2e-4 + 500 * 5e-5)


def test_estimate_training_cost_on_a_real_model_is_positive(small_data):
    cost = training.estimate_training_cost(_dense_model, small_data.train, epochs=2)
    assert cost.seconds_per_prediction == 0
    assert cost.seconds > 2 * len(small_data.train) * cost.seconds_per_image > 0


def test_estimate_training_cost_without_measuring_builds_nothing(small_data):
    def build():
        raise AssertionError("measure=False must not build a model")

    cost = training.estimate_training_cost(build, small_data.train, epochs=2, measure=False)
    assert isinstance(cost, training.NoEstimate)
    assert str(cost) == "not estimated in this profile"
    assert cost.versus(75) == "⏱ took 1.2 min"
