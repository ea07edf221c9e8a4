"""Run settings: the active profile, the seed and the output folders.

The profile is chosen with the environment variable ``MNIST_COURSE_PROFILE``:

- ``full`` (default): all training images and the real number of epochs; writes
  ``reports/`` and ``models/`` at the top of the repository.
- ``quick`` (CI, tests and grading): stratified subsets of the training, validation and test
  digits, one or two epochs, fewer digits still for the measurements other than accuracy and
  no cost estimates, same code; writes under the git-ignored ``scratch/quick/`` and never over
  the committed outputs.

``MNIST_COURSE_OUTPUT`` moves a run's outputs (``reports/``, ``models/``) to another folder, in
either profile: grading gives every student a folder of their own this way.
"""

from __future__ import annotations

import dataclasses
import os
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PROFILE_ENV_VAR = "MNIST_COURSE_PROFILE"
OUTPUT_ENV_VAR = "MNIST_COURSE_OUTPUT"
REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data" / "mnist"
SAMPLES_DIR = REPO_ROOT / "data" / "samples"
SEED = 42
VALIDATION_SIZE = 6_000


@dataclass(frozen=True)
class Profile:
    """How much a run trains and where it writes."""

    name: str
    train_limit: int | None  # training images kept after the split; None keeps all
    epochs: dict[str, int] = field(default_factory=dict)  # maximum epochs per model
    accuracy_floor: dict[str, float] = field(default_factory=dict)  # checkpoint minimum
    seeds: int = 1  # training runs per recipe where notebook 06 measures the spread
    ablation_images: int = 1_000  # the training subset of notebook 06's ablation
    ablation_seeds: int = 3  # training runs per variant in that ablation
    # held-out digits read at most by the measurements other than test accuracy (07's t-SNE
    # and robustness, 08's latency, 06's ablation); None: as many as the notebook asks for
    probe_images: int | None = None
    # validation and test digits kept, each a stratified subset of its set; None keeps all
    held_out_limit: int | None = None
    # cost estimates before training cells and timing comparisons (06's batch norm): the full
    # profile's; the quick one leaves them out, as a few steps on a busy machine time only noise
    measure_costs: bool = True
    output_root: Path = REPO_ROOT

    @property
    def reports_dir(self) -> Path:
        return self.output_root / "reports"

    @property
    def figures_dir(self) -> Path:
        return self.reports_dir / "figures"

    @property
    def models_dir(self) -> Path:
        return self.output_root / "models"

    @property
    def metrics_path(self) -> Path:
        return self.reports_dir / "metrics.json"

    @property
    def seed_list(self) -> tuple[int, ...]:
        """The seeds of the runs whose spread notebook 06 measures."""
        return seed_range(self.seeds)

    @property
    def ablation_seed_list(self) -> tuple[int, ...]:
        """The seeds of notebook 06's ablation runs (of each variant)."""
        return seed_range(self.ablation_seeds)

    def held_out_count(self, available: int) -> int:
        """How many of the ``available`` validation or test digits this profile keeps."""
        return available if self.held_out_limit is None else min(available, self.held_out_limit)

    def probe_count(self, wanted: int) -> int:
        """How many of the ``wanted`` test digits a measurement other than test accuracy reads."""
        return wanted if self.probe_images is None else min(wanted, self.probe_images)

    def max_epochs(self, model_name: str) -> int:
        """The epoch budget of ``model_name`` in this profile."""
        return _setting(self.epochs, "epoch budget", model_name)

    def min_accuracy(self, model_name: str) -> float:
        """The sanity floor a checkpoint cell demands of ``model_name`` in this profile."""
        return _setting(self.accuracy_floor, "accuracy floor", model_name)

    def describe(self) -> str:
        images = "all" if self.train_limit is None else f"{self.train_limit:,}"
        held_out = "" if self.held_out_limit is None else \
            f", at most {self.held_out_limit:,} validation and test images"
        return (
            f"Profile: {self.name} ({images} training images{held_out}; "
            f"outputs in {relative_to_repo(self.output_root) or '.'}/)"
        )


def seed_range(count: int) -> tuple[int, ...]:
    """``count`` seeds: SEED, SEED + 1, ..."""
    return tuple(SEED + i for i in range(count))


def _setting(table: dict, what: str, model_name: str):
    try:
        return table[model_name]
    except KeyError:
        known = ", ".join(sorted(table))
        raise KeyError(f"no {what} for model {model_name!r}; known: {known}") from None


# Accuracy floors are sanity checks, not goals: a floor stops a run only when a model is broken
# (a wrong loss, a leak, chance accuracy) and sits far below the spread of honest runs on any
# machine. What the course aims for is reported in the notebooks and the report, not asserted.
# tests/helpers/test_settings.py checks each full-profile floor against the lowest accuracy
# measured for it (reports/metrics.json) with a margin.
PROFILES = {
    "full": Profile(
        name="full",
        train_limit=None,
        epochs={
            "baseline_cnn": 15,
            "numpy_mlp": 15,
            "keras_mlp": 20,
            "ablation": 30,
            "improved_cnn": 30,
            "resnet10": 5,
        },
        accuracy_floor={
            "baseline_cnn": 0.98,
            "numpy_mlp": 0.96,
            "keras_mlp": 0.96,
            "improved_cnn": 0.98,
            "resnet10": 0.97,
        },
        seeds=5,
        ablation_images=1_000,
    ),
    "quick": Profile(
        name="quick",
        train_limit=3_000,
        # 2,000 digits keep the accuracy floors and the choice of the best model meaningful at a
        # fifth of the test set's cost: grading a class runs every student's notebooks in this
        # profile. (Notebook 08 reads all 10,000 in every profile, below.)
        held_out_limit=2_000,
        epochs={
            "baseline_cnn": 2,
            "numpy_mlp": 2,
            "keras_mlp": 2,
            "ablation": 1,
            "improved_cnn": 2,
            "resnet10": 1,
        },
        # Floors for 3,000 images and 1-2 epochs: far below what such runs reach, but a broken
        # model (chance is 10%) still fails them. ResNet-10 gets no floor here: after its few
        # steps the batch-norm statistics have not settled and its test accuracy can be near
        # chance (measured); notebook 06 checks it is finite, the full profile checks the floor.
        accuracy_floor={
            "baseline_cnn": 0.6,
            "numpy_mlp": 0.6,
            "keras_mlp": 0.6,
            "improved_cnn": 0.3,
            "resnet10": 0.0,
        },
        seeds=2,
        ablation_images=300,
        ablation_seeds=2,
        # 500 digits keep 07's and 08's figures and checks meaningful at a fraction of their
        # cost. (08's checks read all 10,000 test digits in every profile: on 2,000, int8
        # against Keras would miss a defect five times as frequent, and the quick model's
        # recentred digits came within 0.4-0.8 points of the centring check's 1-point margin.)
        probe_images=500,
        measure_costs=False,
        output_root=REPO_ROOT / "scratch" / "quick",
    ),
}


def active_profile() -> Profile:
    """The profile named by ``MNIST_COURSE_PROFILE`` (``full`` when unset), writing into
    ``MNIST_COURSE_OUTPUT`` when that is set."""
    name = os.environ.get(PROFILE_ENV_VAR, "full").strip().lower() or "full"
    if name not in PROFILES:
        choices = ", ".join(sorted(PROFILES))
        raise ValueError(f"{PROFILE_ENV_VAR}={name!r} is not a profile; choose one of: {choices}")
    profile = PROFILES[name]
    output = os.environ.get(OUTPUT_ENV_VAR, "").strip()
    if output:
        profile = dataclasses.replace(profile, output_root=Path(output).expanduser().resolve())
    return profile


def relative_to_repo(path: Path) -> str:
    """``path`` relative to the repository root when it lies inside it, else as given."""
    path = Path(path)
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def set_seeds(seed: int = SEED) -> None:
    """Seed Python and NumPy; once TensorFlow is loaded, seed it too and make its ops
    deterministic. Notebooks 01 and 02 never load it and do not pay its start-up."""
    random.seed(seed)
    np.random.seed(seed)
    if "tensorflow" in sys.modules or "keras" in sys.modules:
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(seed)
        tf.config.experimental.enable_op_determinism()


def start_notebook() -> Profile:
    """The one setup call of every notebook: create output folders, seed, print the profile."""
    profile = active_profile()
    for folder in (profile.reports_dir, profile.figures_dir, profile.models_dir):
        folder.mkdir(parents=True, exist_ok=True)
    set_seeds()
    print(profile.describe())
    return profile
