"""``make bench``: the official Keras MNIST convnet and our improved CNN, one run, one machine.

Usage::

    python -m course_tools.benchmark [--profile full|quick] [--epochs N]

Both models train on the same 54,000 images with the same 6,000 for validation (the Keras
example holds out 10% too), batch 128; the reference for 15 epochs as in its recipe, the
improved CNN with its own recipe and budget (:func:`helpers.recipes.train_improved_cnn`). The
test set is read once per model at the end. Writes ``reports/benchmark.md`` and the
``benchmark`` section of ``reports/metrics.json``. Shared machines make seconds noisy: the
ratio of the two wall times, measured back to back, is the number to read; the ratio of the
CPU times (all threads of this process) beside it shows how much of it is the work itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import keras

from helpers import models, recipes
from helpers.evaluation import accuracy_and_loss
from helpers.outputs import record_metrics
from helpers.preprocessing import DataSplits, load_splits
from helpers.settings import PROFILES, Profile, active_profile, relative_to_repo, set_seeds

REFERENCE_EPOCHS = 15
REFERENCE_URL = "https://keras.io/examples/vision/mnist_convnet/"


@dataclass
class BenchResult:
    """One model's row of the benchmark."""

    name: str
    params: int
    epochs: int
    train_seconds: float
    cpu_seconds: float
    test_accuracy: float


class _Stopwatch:
    """Wall time and this process's CPU time (all its threads) of a ``with`` block."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info):
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def _test_accuracy(model: keras.Model, data: DataSplits) -> float:
    probabilities = model.predict(data.test.images, batch_size=1024, verbose=0)
    return accuracy_and_loss(data.test.labels, probabilities)[0]


def run_reference(data: DataSplits, epochs: int = REFERENCE_EPOCHS) -> BenchResult:
    """Train the Keras example's convnet as its recipe says and time the training."""
    set_seeds()
    model = models.build_keras_reference()
    with _Stopwatch() as watch:
        model.fit(
            data.train.images,
            data.train.one_hot,
            batch_size=recipes.BATCH_SIZE,
            epochs=epochs,
            validation_data=(data.validation.images, data.validation.one_hot),
            verbose=0,
        )
    return BenchResult(
        "Keras example convnet",
        model.count_params(),
        epochs,
        watch.wall,
        watch.cpu,
        _test_accuracy(model, data),
    )


def run_improved(data: DataSplits, epochs: int) -> BenchResult:
    """Train the improved CNN with notebook 06's recipe (checkpoint in a temporary folder)."""
    set_seeds()
    with tempfile.TemporaryDirectory() as folder, _Stopwatch() as watch:
        model, result = recipes.train_improved_cnn(
            data, epochs=epochs, checkpoint_path=Path(folder) / "improved_cnn.keras"
        )
    return BenchResult(
        "Improved CNN (notebook 06)",
        model.count_params(),
        result.epochs,
        watch.wall,
        watch.cpu,
        _test_accuracy(model, data),
    )


def summary(reference: BenchResult, improved: BenchResult) -> dict:
    """The ``benchmark`` section of the metrics file (ratios of the rounded seconds)."""
    rows = {
        key: {
            "test_accuracy": round(result.test_accuracy, 6),
            "train_seconds": round(result.train_seconds, 1),
            "cpu_seconds": round(result.cpu_seconds, 1),
        }
        for key, result in (("reference", reference), ("improved", improved))
    }

    def ratio(field: str) -> float:
        return round(rows["improved"][field] / rows["reference"][field], 2)

    return {
        **rows,
        "time_ratio": ratio("train_seconds"),
        "cpu_time_ratio": ratio("cpu_seconds"),
        "accuracy_gain_points": round(100 * (improved.test_accuracy - reference.test_accuracy), 2),
    }


def render_markdown(
    reference: BenchResult, improved: BenchResult, profile: Profile, training_images: int
) -> str:
    """``reports/benchmark.md``: the two rows, the ratios, and how to reproduce them."""
    numbers = summary(reference, improved)
    rows = "\n".join(
        f"| {r.name} | {r.params:,} | {r.epochs} | {r.train_seconds:.0f} | {r.cpu_seconds:.0f} "
        f"| {r.test_accuracy:.2%} |"
        for r in (reference, improved)
    )
    return f"""# Benchmark: the Keras example convnet vs the improved CNN

Written by `make bench` (`python -m course_tools.benchmark --profile {profile.name}`); not
typed by hand. Both models trained back to back in one process on this machine
({os.cpu_count()} CPU cores, {platform.machine()}, Python {platform.python_version()}, Keras
{keras.__version__}), on the same {training_images:,} training images, batch
{recipes.BATCH_SIZE}, seeds fixed.
Reference recipe: [{REFERENCE_URL}]({REFERENCE_URL}) (Conv32-MaxPool-Conv64-MaxPool-Flatten-
Dropout 0.5-Dense 10, Adam, {REFERENCE_EPOCHS} epochs).

| model | parameters | epochs | training wall time (s) | CPU time (s) | test accuracy |
|---|---:|---:|---:|---:|---:|
{rows}

- **Time ratio** (improved / reference, wall time): **{numbers["time_ratio"]:.2f}x**
  (CPU time: {numbers["cpu_time_ratio"]:.2f}x)
- **Accuracy gain**: **{numbers["accuracy_gain_points"]:+.2f} percentage points**
  ({reference.test_accuracy:.2%} -> {improved.test_accuracy:.2%}; test errors
  {round((1 - reference.test_accuracy) * 10_000)} -> {round((1 - improved.test_accuracy) * 10_000)}
  of 10,000)

Seconds on a shared machine vary from run to run by tens of percent; the wall-time ratio,
measured in one run, is the figure to compare. CPU time counts the work of all the process's
threads: it varies much less, and where the two ratios differ, the machine (cores left idle or
lent to others) made the difference, not the models.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default=None)
    parser.add_argument(
        "--epochs", type=int, default=None, help="epochs of both models (default: their recipes)"
    )
    args = parser.parse_args(argv)
    profile = PROFILES[args.profile] if args.profile else active_profile()
    data = load_splits(profile)
    reference = run_reference(data, args.epochs or REFERENCE_EPOCHS)
    print(f"reference: {reference}", flush=True)
    improved = run_improved(data, args.epochs or profile.max_epochs("improved_cnn"))
    print(f"improved:  {improved}", flush=True)
    path = profile.reports_dir / "benchmark.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(reference, improved, profile, len(data.train)), "utf-8")
    record_metrics(profile, "benchmark", summary(reference, improved))
    print(f"wrote {relative_to_repo(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
