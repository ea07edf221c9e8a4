"""What a run writes and reads back: trained models, exported files, ``metrics.json`` and the
figures, each with the notebook that produces it.

A notebook that needs something an earlier notebook makes loads it from here; when it is
missing, :class:`MissingOutputError` says which notebook to run first. ``metrics.json`` holds
the measured results, one section per model or topic; notebooks add to it, nobody types it.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from helpers.settings import Profile, relative_to_repo


@dataclass(frozen=True)
class Produces:
    """What one notebook (or command) writes that others read."""

    models: tuple[str, ...] = ()  # models/<name>.keras (and <name>.history.json)
    sections: tuple[str, ...] = ()  # sections of reports/metrics.json
    exports: bool = False  # the TensorFlow Lite files, models/<name>_<mode>.tflite


# The one table of who makes what. A figure is made by the notebook its file name starts with
# (``07_grad_cam.png``: notebook 07).
PRODUCERS = {
    "notebooks/01_explore.ipynb": Produces(sections=("data",)),
    "notebooks/02_preprocess.ipynb": Produces(sections=("data",)),
    "notebooks/03_cnn.ipynb": Produces(models=("baseline_cnn_untrained",)),
    "notebooks/04_train.ipynb": Produces(models=("baseline_cnn",)),
    "notebooks/05_evaluate.ipynb": Produces(sections=("baseline_cnn",)),
    "notebooks/06_improve.ipynb": Produces(
        models=("keras_mlp", "improved_cnn", "ensemble", "resnet10", "best_cnn"),
        sections=(
            "numpy_mlp",
            "keras_mlp",
            "improved_cnn",
            "improved_cnn_seeds",
            "ensemble",
            "resnet10",
            "significance",
            "best_model",
            "ablation",
        ),
    ),
    "notebooks/07_visualize.ipynb": Produces(sections=("visualize",)),
    "notebooks/08_deploy.ipynb": Produces(
        sections=("export", "centring"), exports=True
    ),
    "make bench": Produces(sections=("benchmark",)),
}
KINDS = ("models", "sections", "exports", "figures")


def producer(kind: str, name: str) -> str:
    """What to run to get output ``name`` of ``kind`` (``"models"``, ``"sections"``,
    ``"exports"`` or ``"figures"``), e.g. ``notebooks/04_train.ipynb``."""
    if kind == "figures":
        found = [nb for nb in PRODUCERS if Path(nb).name[:2] == name[:2]]
    elif kind == "exports":
        found = [nb for nb, makes in PRODUCERS.items() if makes.exports]
    elif kind in KINDS:
        found = [nb for nb, makes in PRODUCERS.items() if name in getattr(makes, kind)]
    else:
        raise ValueError(f"unknown kind {kind!r}; choose one of: {', '.join(KINDS)}")
    return " and ".join(found) or "the notebook that makes it"


class MissingOutputError(FileNotFoundError):
    """A notebook (or command) needs a file that an earlier notebook has not written yet."""


def require(path: Path, kind: str, name: str, profile: Profile) -> Path:
    """``path`` when it exists, else :class:`MissingOutputError` naming the notebook to run."""
    path = Path(path)
    if not path.is_file():
        raise MissingOutputError(
            f"{relative_to_repo(path)} not found: run {producer(kind, name)} first "
            f"(in the {profile.name} profile) to make it."
        )
    return path


def model_path(profile: Profile, name: str) -> Path:
    """The ``.keras`` file of model ``name`` in this profile's models folder."""
    return profile.models_dir / f"{name}.keras"


def history_path(profile: Profile, name: str) -> Path:
    """The JSON file with the training history of model ``name``."""
    return profile.models_dir / f"{name}.history.json"


def tflite_path(profile: Profile, name: str, mode: str) -> Path:
    """The TensorFlow Lite export of model ``name`` in ``mode`` (float32, int8, ...)."""
    return profile.models_dir / f"{name}_{mode}.tflite"


def load_model(profile: Profile, name: str):
    """Load the model ``name`` saved by an earlier notebook."""
    import keras

    import helpers.batch_norm  # noqa: F401  (registers the layer the saved models use)

    path = require(model_path(profile, name), "models", name, profile)
    with warnings.catch_warnings():  # a model saved before training has no optimizer state yet
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        return keras.models.load_model(path)


def read_metrics(profile: Profile) -> dict:
    """The metrics file of this profile, or ``{"profile": name}`` when none was written yet."""
    path = profile.metrics_path
    if not path.is_file():
        return {"profile": profile.name}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name} is not valid JSON ({exc}); delete it and re-run") from None


def read_section(profile: Profile, section: str) -> dict:
    """One section of the metrics file; :class:`MissingOutputError` naming its notebook when
    it is not there yet."""
    values = read_metrics(profile).get(section)
    if not isinstance(values, dict):
        raise MissingOutputError(
            f"{relative_to_repo(profile.metrics_path)} has no {section!r} section: run "
            f"{producer('sections', section)} first (in the {profile.name} profile)."
        )
    return values


def record_metrics(profile: Profile, section: str, values: dict) -> dict:
    """Replace ``section`` (a model name, ``"data"``, ``"export"``...) with ``values``; return all.

    The file is written atomically, so an interrupted run never leaves half a file.
    """
    metrics = read_metrics(profile)
    metrics["profile"] = profile.name
    metrics[section] = values
    write_json(profile.metrics_path, metrics)
    return metrics


def write_json(path: Path, data) -> None:
    """Write ``data`` as indented JSON through a temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, sort_keys=False)
            stream.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
