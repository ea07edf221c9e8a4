"""The training recipes of notebook 06, shared by the notebook, its ablation and ``make bench``.

Each function seeds everything (so a result does not depend on what ran before it), builds
a fresh model, trains it on ``data.train`` with ``data.validation`` for
model selection (the test set is not touched) and returns ``(model, TrainingResult)``.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import keras

from helpers import models
from helpers.preprocessing import DataSplits
from helpers.settings import set_seeds
from helpers.training import TrainingResult, fit, warmup_cosine_schedule

BATCH_SIZE = 128
PEAK_LEARNING_RATE = 3e-3
CONSTANT_LEARNING_RATE = 1e-3


def steps_per_epoch(data: DataSplits, batch_size: int = BATCH_SIZE) -> int:
    """Mini-batches in one pass over the training images."""
    return math.ceil(len(data.train) / batch_size)


def _seeded_fit(
    build, data: DataSplits, *, epochs: int, checkpoint_path: Path, patience: int
) -> tuple[keras.Model, TrainingResult]:
    """Seed, build the model with ``build()``, train it with :func:`helpers.training.fit`."""
    set_seeds()
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


def train_improved_cnn(
    data: DataSplits,
    *,
    epochs: int,
    checkpoint_path: Path,
    schedule: bool = True,
    **architecture,
) -> tuple[keras.Model, TrainingResult]:
    """The improved CNN with warm-up + cosine learning rate, trained for all ``epochs``.

    ``architecture`` switches are passed to :func:`helpers.models.build_improved_cnn`
    (``augment``, ``batch_norm``, ``dropout``, ``l2``); ``schedule=False`` trains at a
    constant rate instead. With a schedule that ends near zero, stopping early would waste the
    best, final epochs, so patience is the whole budget; the checkpoint still keeps the epoch
    with the lowest validation loss.
    """
    learning_rate = (
        warmup_cosine_schedule(epochs, steps_per_epoch(data), PEAK_LEARNING_RATE)
        if schedule
        else CONSTANT_LEARNING_RATE
    )
    return _seeded_fit(
        lambda: models.build_improved_cnn(learning_rate, **architecture),
        data,
        epochs=epochs,
        checkpoint_path=checkpoint_path,
        patience=epochs,
    )


def train_resnet10(
    data: DataSplits, *, epochs: int, checkpoint_path: Path
) -> tuple[keras.Model, TrainingResult]:
    """ResNet-10 with the same augmentation and schedule as the improved CNN."""
    schedule = warmup_cosine_schedule(
        epochs, steps_per_epoch(data), PEAK_LEARNING_RATE, warmup_epochs=min(1.0, epochs / 4)
    )
    return _seeded_fit(
        lambda: models.build_resnet10(schedule),
        data,
        epochs=epochs,
        checkpoint_path=checkpoint_path,
        patience=epochs,
    )


def train_keras_mlp(
    data: DataSplits, *, epochs: int, checkpoint_path: Path
) -> tuple[keras.Model, TrainingResult]:
    """The Keras MLP with Adam at a constant rate and early stopping (patience 4)."""
    return _seeded_fit(
        models.build_keras_mlp, data, epochs=epochs, checkpoint_path=checkpoint_path, patience=4
    )


def run_ablation(
    data: DataSplits, variants: dict[str, dict], *, epochs: int
) -> dict[str, dict[str, float]]:
    """Train the improved CNN once per variant (its switches for :func:`train_improved_cnn`)
    on the same budget, from the same seed; return each one's validation accuracy and loss
    at its best epoch. The models are thrown away: only the scores matter here."""
    scores = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, switches in variants.items():
            print(f"-- {name} {switches or ''}", flush=True)
            _, result = train_improved_cnn(
                data, epochs=epochs, checkpoint_path=Path(folder) / f"{name}.keras", **switches
            )
            best = result.best_epoch - 1
            scores[name] = {
                "val_accuracy": round(result.history["val_accuracy"][best], 6),
                "val_loss": round(result.history["val_loss"][best], 6),
            }
    return scores
