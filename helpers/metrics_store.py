"""``reports/metrics.json``: the measured results that notebooks add to, never typed by hand."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from helpers.settings import Profile

# What writes each section of the metrics file (the report names it when a section is missing).
WRITTEN_BY = {
    "data": "notebooks/01_explore.ipynb and notebooks/02_preprocess.ipynb",
    "baseline_cnn": "notebooks/05_evaluate.ipynb",
    **dict.fromkeys(
        ("numpy_mlp", "keras_mlp", "improved_cnn", "resnet10", "best_model", "ablation"),
        "notebooks/06_improve.ipynb",
    ),
    "benchmark": "make bench",
    "visualize": "notebooks/07_visualize.ipynb",
    "export": "notebooks/08_deploy.ipynb",
    "centring": "notebooks/08_deploy.ipynb",
}


def read_metrics(profile: Profile) -> dict:
    """The metrics file of this profile, or ``{"profile": name}`` when none was written yet."""
    path = profile.metrics_path
    if not path.is_file():
        return {"profile": profile.name}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name} is not valid JSON ({exc}); delete it and re-run") from None


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
