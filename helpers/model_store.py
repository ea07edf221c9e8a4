"""Where trained models live, and loading them with a message that says what to run first."""

from __future__ import annotations

from pathlib import Path

from helpers.settings import Profile, relative_to_repo

# The notebook that trains and saves each model.
PRODUCED_BY = {
    "baseline_cnn": "notebooks/04_train.ipynb",
    "keras_mlp": "notebooks/06_improve.ipynb",
    "improved_cnn": "notebooks/06_improve.ipynb",
    "resnet10": "notebooks/06_improve.ipynb",
    "best_cnn": "notebooks/06_improve.ipynb",
}


class MissingModelError(FileNotFoundError):
    """A notebook needs a model that an earlier notebook has not saved yet."""


def model_path(profile: Profile, name: str) -> Path:
    """The ``.keras`` file of model ``name`` in this profile's models folder."""
    return profile.models_dir / f"{name}.keras"


def history_path(profile: Profile, name: str) -> Path:
    """The JSON file with the training history of model ``name``."""
    return profile.models_dir / f"{name}.history.json"


def require(path: Path, name: str, profile: Profile) -> Path:
    """``path`` when it exists, else :class:`MissingModelError` naming the notebook to run."""
    if not path.is_file():
        notebook = PRODUCED_BY.get(name, "the notebook that trains it")
        raise MissingModelError(
            f"{relative_to_repo(path)} not found: run {notebook} first "
            f"(in the {profile.name} profile) to train and save {name!r}."
        )
    return path


def load_model(profile: Profile, name: str):
    """Load the trained model ``name`` saved by an earlier notebook."""
    import keras

    import helpers.batch_norm  # noqa: F401  (registers the layer the saved models use)

    return keras.models.load_model(require(model_path(profile, name), name, profile))
