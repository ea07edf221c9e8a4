"""The training recipes of notebook 06, shared by the notebook, its ablation and ``make bench``.

Each function seeds everything with its ``seed`` (so a result does not depend on what ran
before it), builds a fresh model, trains it on ``data.train`` with ``data.validation`` for
model selection (the test set is not touched) and returns ``(model, TrainingResult)``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import keras

from helpers import models
from helpers.preprocessing import DataSplits, Split, subset
from helpers.settings import SEED, set_seeds
from helpers.training import TrainingResult, fit, warmup_cosine_schedule

BATCH_SIZE = 128
PEAK_LEARNING_RATE = 3e-3
CONSTANT_LEARNING_RATE = 1e-3
# Keras traces a model's training step into a TensorFlow graph before its first step, which
# takes the improved CNN 2-4 s on a laptop CPU: more than a run of a few steps then saves.
# Such a run goes eagerly, step by step (the quick profile's ablation: 3 steps a run, 1 s
# eagerly against 3-4 s as a graph). Longer runs, such as the full profile's, use the graph.
EAGER_MAX_STEPS = 10


def steps_per_epoch(data: DataSplits | Split, batch_size: int = BATCH_SIZE) -> int:
    """Mini-batches in one pass over the training images."""
    train = data.train if isinstance(data, DataSplits) else data
    return math.ceil(len(train) / batch_size)


def _seeded_fit(
    build, data: DataSplits, *, epochs: int, checkpoint_path: Path, patience: int, seed: int
) -> tuple[keras.Model, TrainingResult]:
    """Seed, build the model with ``build()``, train it with :func:`helpers.training.fit`."""
    set_seeds(seed)
    model = build()
    result = fit(
        model,
        data,
        epochs=epochs,
        checkpoint_path=checkpoint_path,
        batch_size=BATCH_SIZE,
        patience=patience,
    )
    return model, result


def improved_learning_rate(epochs: int, steps: int, schedule: bool = True):
    """The improved CNN's learning rate: warm-up + cosine to its peak, or a constant rate."""
    if not schedule:
        return CONSTANT_LEARNING_RATE
    return warmup_cosine_schedule(epochs, steps, PEAK_LEARNING_RATE)


def train_improved_cnn(
    data: DataSplits,
    *,
    epochs: int,
    checkpoint_path: Path,
    augmentation: Callable[[], keras.Layer],
    seed: int = SEED,
    schedule: bool = True,
    augment: bool = True,
    **architecture,
) -> tuple[keras.Model, TrainingResult]:
    """The improved CNN with warm-up + cosine learning rate, trained for all ``epochs``.

    ``augmentation()`` builds the augmentation layer (notebook 06's exercise; ``augment=False``
    leaves it out); ``architecture`` switches are passed to
    :func:`helpers.models.build_improved_cnn` (``batch_norm``, ``dropout``, ``l2``);
    ``schedule=False`` trains at a constant rate instead. With a schedule that ends near zero,
    stopping early would waste the best, final epochs, so patience is the whole budget; the
    checkpoint still keeps the epoch with the lowest validation loss.
    """
    learning_rate = improved_learning_rate(epochs, steps_per_epoch(data), schedule)
    return _seeded_fit(
        lambda: models.build_improved_cnn(
            learning_rate, augmentation=augmentation if augment else None, **architecture
        ),
        data,
        epochs=epochs,
        checkpoint_path=checkpoint_path,
        patience=epochs,
        seed=seed,
    )


def train_resnet10(
    data: DataSplits,
    *,
    epochs: int,
    checkpoint_path: Path,
    augmentation: Callable[[], keras.Layer],
    seed: int = SEED,
) -> tuple[keras.Model, TrainingResult]:
    """ResNet-10 (stem at 14x14) with the improved CNN's augmentation and schedule."""
    schedule = warmup_cosine_schedule(
        epochs, steps_per_epoch(data), PEAK_LEARNING_RATE, warmup_epochs=min(1.0, epochs / 4)
    )
    return _seeded_fit(
        lambda: models.build_resnet10(schedule, augmentation=augmentation),
        data,
        epochs=epochs,
        checkpoint_path=checkpoint_path,
        patience=epochs,
        seed=seed,
    )


def train_keras_mlp(
    data: DataSplits, *, epochs: int, checkpoint_path: Path, seed: int = SEED
) -> tuple[keras.Model, TrainingResult]:
    """The Keras MLP with Adam at a constant rate and early stopping (patience 4)."""
    return _seeded_fit(
        models.build_keras_mlp,
        data,
        epochs=epochs,
        checkpoint_path=checkpoint_path,
        patience=4,
        seed=seed,
    )


def ablation_subset(train: Split, images: int, seed: int = SEED) -> Split:
    """A stratified subset of ``images`` training images: little data, so that the improved
    CNN overfits without its regularisers and their effect shows in a short training."""
    if not 10 <= images <= len(train):
        raise ValueError(f"the subset needs 10 to {len(train):,} images, got {images:,}")
    return subset(train, images, seed)


def train_ablation_variant(
    train: Split,
    validation: Split,
    *,
    epochs: int,
    seed: int,
    augmentation: Callable[[], keras.Layer],
    schedule: bool = True,
    augment: bool = True,
    **switches,
) -> float:
    """Train the improved CNN with ``switches`` on ``train`` for ``epochs`` (no validation
    during training, no early stopping) and return its validation accuracy at the end; eagerly
    when that is at most :data:`EAGER_MAX_STEPS` steps."""
    set_seeds(seed)
    steps = steps_per_epoch(train)
    learning_rate = improved_learning_rate(epochs, steps, schedule)
    model = models.build_improved_cnn(
        learning_rate, augmentation=augmentation if augment else None, **switches
    )
    model.run_eagerly = epochs * steps <= EAGER_MAX_STEPS
    model.fit(train.images, train.one_hot, batch_size=BATCH_SIZE, epochs=epochs, verbose=0)
    _, accuracy = model.evaluate(
        validation.images, validation.one_hot, batch_size=1_000, verbose=0
    )
    return float(accuracy)


def run_ablation(
    train: Split,
    validation: Split,
    variants: dict[str, dict],
    *,
    epochs: int,
    seeds: tuple[int, ...],
    augmentation: Callable[[], keras.Layer],
) -> dict[str, list[float]]:
    """Every variant (its switches for :func:`train_ablation_variant`) trained once per seed
    on the same images and budget, with ``augmentation()`` unless a variant says
    ``augment=False``; the validation accuracy of each run, by variant."""
    scores: dict[str, list[float]] = {}
    for name, switches in variants.items():
        for seed in seeds:
            started = time.perf_counter()
            accuracy = train_ablation_variant(
                train, validation, epochs=epochs, seed=seed, augmentation=augmentation, **switches
            )
            scores.setdefault(name, []).append(round(accuracy, 6))
            print(
                f"{name:<24} seed {seed}: validation accuracy {accuracy:.2%} "
                f"({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    return scores
