"""Training (notebooks 04 and 06): early stopping, best-model checkpoint, epoch timing, compact
logs, a warm-up + cosine learning rate, and what a training step costs on this machine."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import keras

from helpers.outputs import write_json
from helpers.preprocessing import DataSplits


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time of every epoch in ``self.seconds``."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


class CompactProgress(keras.callbacks.Callback):
    """One short line per epoch: losses, accuracies and the epoch's seconds."""

    def __init__(self, timer: EpochTimer):
        super().__init__()
        self.timer = timer

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        parts = [f"epoch {epoch + 1:>2}/{self.params['epochs']}"]
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                parts.append(f"{key} {logs[key]:.4f}")
        if "learning_rate" in logs:
            parts.append(f"lr {logs['learning_rate']:.2e}")
        parts.append(f"{self.timer.seconds[-1]:.1f} s")
        print("  ".join(parts), flush=True)


@dataclass
class TrainingResult:
    """What a training run measured."""

    history: dict[str, list[float]]
    epoch_seconds: list[float]
    best_epoch: int  # 1-based epoch whose weights the model keeps

    @property
    def epochs(self) -> int:
        return len(self.epoch_seconds)

    @property
    def train_seconds(self) -> float:
        return float(sum(self.epoch_seconds))

    @property
    def seconds_per_epoch(self) -> float:
        return self.train_seconds / max(self.epochs, 1)


def fit(
    model: keras.Model,
    data: DataSplits,
    *,
    epochs: int,
    checkpoint_path: Path,
    batch_size: int = 128,
    patience: int = 4,
    monitor: str = "val_loss",
    extra_callbacks: tuple = (),
) -> TrainingResult:
    """Train on ``data.train``, validate on ``data.validation``, keep the best epoch.

    Training stops after ``patience`` epochs without a better ``monitor`` (``patience >=
    epochs``: never); at the end ``model`` holds the weights of its best epoch and is saved to
    ``checkpoint_path``. The test set is not touched.
    """
    checkpoint_path = Path(checkpoint_path)
    checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    timer = EpochTimer()
    keep_best = keras.callbacks.EarlyStopping(
        monitor=monitor, patience=patience, restore_best_weights=True
    )
    train, validation = data.train, data.validation
    history = model.fit(
        train.images,
        train.one_hot,
        validation_data=(validation.images, validation.one_hot),
        epochs=epochs,
        batch_size=batch_size,
        callbacks=[timer, keep_best, *extra_callbacks, CompactProgress(timer)],
        verbose=0,
    )
    model.save(checkpoint_path)
    logs = {key: [float(v) for v in values] for key, values in history.history.items()}
    scores = logs[monitor]
    best = min(scores) if "loss" in monitor else max(scores)
    return TrainingResult(logs, timer.seconds, best_epoch=scores.index(best) + 1)


def save_history(result: TrainingResult, path: Path) -> None:
    """Save the history and timings of a run as JSON beside the model."""
    write_json(
        path,
        {
            "history": result.history,
            "epoch_seconds": result.epoch_seconds,
            "best_epoch": result.best_epoch,
        },
    )


def load_history(path: Path) -> TrainingResult:
    """Read back what :func:`save_history` wrote."""
    saved = json.loads(Path(path).read_text(encoding="utf-8"))
    return TrainingResult(saved["history"], saved["epoch_seconds"], saved["best_epoch"])


def warmup_cosine_schedule(
    epochs: int,
    steps_per_epoch: int,
    peak_learning_rate: float = 3e-3,
    warmup_epochs: float = 1.0,
    final_fraction: float = 0.01,
):
    """Learning rate that rises linearly for ``warmup_epochs`` then follows a cosine to ~0.

    Warm-up keeps the first, large gradients of a fresh network from throwing it off; the
    cosine spends most steps at a high rate and ends with small, fine-tuning steps.
    """
    warmup_steps = max(1, int(warmup_epochs * steps_per_epoch))
    total_steps = max(epochs * steps_per_epoch, warmup_steps + 1)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak_learning_rate / 10,
        decay_steps=total_steps - warmup_steps,
        alpha=final_fraction,
        warmup_target=peak_learning_rate,
        warmup_steps=warmup_steps,
    )


def seconds_per_training_image(
    model: keras.Model,
    images,
    one_hot,
    *,
    batch_size: int = 128,
    steps: int = 20,
    repeats: int = 3,
) -> float:
    """Wall time of training ``model`` on one image, from the fastest of ``repeats`` short
    runs of ``steps`` mini-batches each (after one warm-up run that builds the graph).

    The minimum is the least disturbed by whatever else the machine is doing. It trains the
    model: use a throw-away copy.
    """
    count = batch_size * steps
    if len(images) < count:
        raise ValueError(
            f"need {count} images for {steps} steps of {batch_size}, got {len(images)}"
        )
    if steps < 1 or repeats < 1:
        raise ValueError("steps and repeats must be at least 1")
    images, one_hot = images[:count], one_hot[:count]
    model.fit(images[:batch_size], one_hot[:batch_size], batch_size=batch_size, verbose=0)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.fit(images, one_hot, batch_size=batch_size, epochs=1, verbose=0)
        timings.append(time.perf_counter() - started)
    return min(timings) / count


@dataclass(frozen=True)
class CostEstimate:
    """What a training cell will cost on this machine, from a few measured steps."""

    seconds_per_image: float  # one training image, one step
    seconds_per_prediction: float  # one validation image, inference
    seconds: float  # the whole cell

    def __str__(self) -> str:
        return (
            f"about {_duration(self.seconds)} on this machine (measured here: "
            f"{self.seconds_per_image * 1e6:.0f} µs per training image, "
            f"{self.seconds_per_prediction * 1e6:.0f} µs per validation image)"
        )

    def versus(self, seconds: float) -> str:
        """How long the cell took, against this estimate."""
        return f"⏱ took {_duration(seconds)}, {seconds / self.seconds:.2f} x the estimate"


@dataclass(frozen=True)
class NoEstimate:
    """Stands for a :class:`CostEstimate` where the profile measures no costs (quick: grading
    and CI, where a few timed steps on a busy machine would be noise)."""

    def __str__(self) -> str:
        return "not estimated in this profile"

    def versus(self, seconds: float) -> str:
        """How long the cell took."""
        return f"⏱ took {_duration(seconds)}"


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def seconds_per_prediction(model, images, *, batch_size: int = 500) -> float:
    """Wall time of one image's forward pass in inference mode, from predicting ``images``
    in batches (after a warm-up batch that builds the graph)."""
    if len(images) == 0:
        raise ValueError("need at least one image to time a prediction")
    model.predict(images[:batch_size], batch_size=batch_size, verbose=0)
    started = time.perf_counter()
    model.predict(images, batch_size=batch_size, verbose=0)
    return (time.perf_counter() - started) / len(images)


def estimate_training_cost(
    build,
    train,
    *,
    epochs: int,
    validation=None,
    validation_passes: int | None = None,
    runs: int = 1,
    batch_size: int = 128,
    measure: bool = True,
) -> CostEstimate | NoEstimate:
    """Time a throw-away model from ``build()`` on ``train`` (a
    :class:`~helpers.preprocessing.Split`) and predict the cost of ``runs`` trainings of
    ``epochs`` epochs, each with ``validation_passes`` passes over ``validation`` (default: one
    per epoch), plus each run's set-up (building the model and its graphs, timed too).

    The training steps are timed three times and the median kept, so that a machine busy for a
    moment neither shortens nor stretches the estimate much. ``measure=False`` (a profile's
    ``measure_costs``) builds and times nothing and returns a :class:`NoEstimate`.
    """
    if not measure:
        return NoEstimate()
    steps = max(1, min(10, len(train) // batch_size))
    started = time.perf_counter()
    model = build()
    model.fit(train.images[:batch_size], train.one_hot[:batch_size], verbose=0)
    if validation is not None:
        model.predict(validation.images[:batch_size], verbose=0)
    setup = time.perf_counter() - started
    timings = [
        seconds_per_training_image(
            model, train.images, train.one_hot, batch_size=batch_size, steps=steps, repeats=1
        )
        for _ in range(3)
    ]
    per_image = sorted(timings)[1]
    per_run = setup + epochs * len(train) * per_image
    per_prediction = 0.0
    if validation is not None:
        per_prediction = seconds_per_prediction(model, validation.images[:2_000])
        passes = epochs if validation_passes is None else validation_passes
        per_run += passes * len(validation) * per_prediction
    return CostEstimate(per_image, per_prediction, runs * per_run)
