"""``make bench``: the official Keras MNIST convnet and our improved CNN, one run, one machine.

Usage::

    python -m course_tools.benchmark [--profile full|quick] [--epochs N] [--seeds N]

Both models train on the same images with the same validation set (in the full profile, 54,000
and 6,000: the Keras example holds out 10% too), batch 128; the reference for 15 epochs as in
its recipe, the improved CNN with its own recipe and budget
(:func:`helpers.recipes.train_improved_cnn`, with the augmentation of notebook 06's reference
answer), once per seed (the profile's seeds, as in notebook 06), the two recipes in turn. The
test set is read once per trained model. Writes ``reports/benchmark.md`` and the ``benchmark``
section of ``reports/metrics.json``: each recipe's mean test accuracy with its spread over the
seeds.
Shared machines make seconds noisy: the ratio of the two wall times, measured in one run, is
the number to read; the ratio of the CPU times (all threads of this process) beside it shows
how much of it is the work itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras

from course_tools.reference_answers import reference_function
from course_tools.reporting.report import BENCHMARK_NAME
from helpers import models, recipes
from helpers.evaluation import accuracy_and_loss
from helpers.outputs import record_metrics
from helpers.preprocessing import DataSplits, load_splits
from helpers.settings import (
    PROFILES,
    SEED,
    Profile,
    active_profile,
    relative_to_repo,
    seed_range,
    set_seeds,
)

REFERENCE_EPOCHS = 15
REFERENCE_URL = "https://keras.io/examples/vision/mnist_convnet/"
RECIPES = ("reference", "improved")  # the keys of the metrics' benchmark section


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


def run_reference(
    data: DataSplits, epochs: int = REFERENCE_EPOCHS, seed: int = SEED
) -> BenchResult:
    """Train the Keras example's convnet as its recipe says and time the training."""
    set_seeds(seed)
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


def run_improved(
    data: DataSplits, epochs: int, seed: int = SEED, *, augmentation: Callable[[], keras.Layer]
) -> BenchResult:
    """Train the improved CNN with notebook 06's recipe, ``augmentation()`` building its
    augmentation layer (checkpoint in a temporary folder)."""
    with tempfile.TemporaryDirectory() as folder, _Stopwatch() as watch:
        model, result = recipes.train_improved_cnn(
            data,
            epochs=epochs,
            seed=seed,
            checkpoint_path=Path(folder) / "improved_cnn.keras",
            augmentation=augmentation,
        )
    return BenchResult(
        "Improved CNN (notebook 06)",
        model.count_params(),
        result.epochs,
        watch.wall,
        watch.cpu,
        _test_accuracy(model, data),
    )


def _recipe_summary(runs: list[BenchResult]) -> dict:
    """One recipe over its seeds: mean test accuracy and spread, mean seconds per training."""
    accuracies = [run.test_accuracy for run in runs]
    return {
        "test_accuracy": round(statistics.fmean(accuracies), 6),
        "test_accuracy_std": round(statistics.stdev(accuracies), 6) if len(runs) > 1 else 0.0,
        "test_accuracies": [round(accuracy, 6) for accuracy in accuracies],
        "train_seconds": round(statistics.fmean(run.train_seconds for run in runs), 1),
        "cpu_seconds": round(statistics.fmean(run.cpu_seconds for run in runs), 1),
    }


def summary(references: list[BenchResult], improved: list[BenchResult], seeds) -> dict:
    """The ``benchmark`` section of the metrics file: both recipes over the same ``seeds``
    (ratios of the rounded mean seconds, gain of the mean accuracies)."""
    if not references or len(references) != len(improved) or len(improved) != len(seeds):
        raise ValueError("the benchmark needs one run of each recipe per seed")
    rows = dict(zip(RECIPES, map(_recipe_summary, (references, improved)), strict=True))

    def ratio(field: str) -> float:
        return round(rows["improved"][field] / rows["reference"][field], 2)

    gain = rows["improved"]["test_accuracy"] - rows["reference"]["test_accuracy"]
    return {
        **rows,
        "seeds": list(seeds),
        "time_ratio": ratio("train_seconds"),
        "cpu_time_ratio": ratio("cpu_seconds"),
        "accuracy_gain_points": round(100 * gain, 2),
    }


def _accuracy_cell(row: dict) -> str:
    if len(row["test_accuracies"]) == 1:
        return f"{row['test_accuracy']:.2%}"
    return (
        f"{row['test_accuracy']:.2%} ± {100 * row['test_accuracy_std']:.2f} "
        f"({min(row['test_accuracies']):.2%}–{max(row['test_accuracies']):.2%})"
    )


def _how_to_read(seeds: int) -> str:
    if seeds == 1:
        return "Times and test accuracies are those of one training of each recipe."
    return (
        "Times are the mean of one training over the seeds; the test accuracy is the mean ±\n"
        "standard deviation over the seeds (points), then the lowest and the highest."
    )


def render_markdown(
    references: list[BenchResult],
    improved: list[BenchResult],
    numbers: dict,
    profile: Profile,
    training_images: int,
    test_images: int,
) -> str:
    """``reports/benchmark.md`` from the runs and their :func:`summary` (``numbers``): the two
    recipes over the seeds, the ratios, how to reproduce them."""
    seeds = numbers["seeds"]
    rows = "\n".join(
        f"| {runs[0].name} | {runs[0].params:,} | {runs[0].epochs} | "
        f"{numbers[key]['train_seconds']:.0f} | {numbers[key]['cpu_seconds']:.0f} | "
        f"{_accuracy_cell(numbers[key])} |"
        for key, runs in zip(RECIPES, (references, improved), strict=True)
    )
    per_seed = "\n".join(
        f"| {seed} | {ref.test_accuracy:.2%} | {imp.test_accuracy:.2%} | "
        f"{ref.train_seconds:.0f} | {imp.train_seconds:.0f} |"
        for seed, ref, imp in zip(seeds, references, improved, strict=True)
    )
    errors = {key: round((1 - numbers[key]["test_accuracy"]) * test_images) for key in RECIPES}
    return f"""# Benchmark: the Keras example convnet vs the improved CNN

Written by `make bench` (`python -m course_tools.benchmark --profile {profile.name}`); not
typed by hand. Both recipes trained once per seed ({", ".join(map(str, seeds))}), in turn, in
one process on this machine ({os.cpu_count()} CPU cores, {platform.machine()}, Python
{platform.python_version()}, Keras {keras.__version__}), on the same {training_images:,}
training images, batch {recipes.BATCH_SIZE}.
Reference recipe: [{REFERENCE_URL}]({REFERENCE_URL}) (Conv32-MaxPool-Conv64-MaxPool-Flatten-
Dropout 0.5-Dense 10, Adam, {REFERENCE_EPOCHS} epochs).

{_how_to_read(len(seeds))}

| model | parameters | epochs | training wall time (s) | CPU time (s) | test accuracy |
|---|---:|---:|---:|---:|---:|
{rows}

- **Time ratio** (improved / reference, wall time): **{numbers["time_ratio"]:.2f}x**
  (CPU time: {numbers["cpu_time_ratio"]:.2f}x)
- **Accuracy gain** (means): **{numbers["accuracy_gain_points"]:+.2f} percentage points**
  ({numbers["reference"]["test_accuracy"]:.2%} -> {numbers["improved"]["test_accuracy"]:.2%};
  test errors about {errors["reference"]} -> {errors["improved"]} of {test_images:,})

| seed | test accuracy, reference | improved | wall time (s), reference | improved |
|---:|---:|---:|---:|---:|
{per_seed}

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
    parser.add_argument(
        "--seeds", type=int, default=None, help="trainings per recipe (default: the profile's)"
    )
    args = parser.parse_args(argv)
    profile = PROFILES[args.profile] if args.profile else active_profile()
    if args.seeds is not None and args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    seeds = profile.seed_list if args.seeds is None else seed_range(args.seeds)
    data = load_splits(profile)
    # read before any training, so that a notebook without the answer fails at once
    augmentation = reference_function("06_improve", "build_augmentation")
    references, improved = [], []
    for seed in seeds:
        references.append(run_reference(data, args.epochs or REFERENCE_EPOCHS, seed))
        print(f"seed {seed} reference: {references[-1]}", flush=True)
        epochs = args.epochs or profile.max_epochs("improved_cnn")
        improved.append(run_improved(data, epochs, seed, augmentation=augmentation))
        print(f"seed {seed} improved:  {improved[-1]}", flush=True)
    path = profile.reports_dir / BENCHMARK_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    numbers = summary(references, improved, seeds)
    markdown = render_markdown(references, improved, numbers, profile, len(data.train),
                               len(data.test))
    path.write_text(markdown, "utf-8")
    record_metrics(profile, "benchmark", numbers)
    print(f"wrote {relative_to_repo(path)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
