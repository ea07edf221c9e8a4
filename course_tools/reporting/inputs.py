"""What the report reads (metrics sections, figures); :mod:`helpers.outputs` says which notebook
produces each of them.

Every value the report prints is looked up through :class:`Record` (a missing one raises
:class:`ReportInputError` naming the notebook to run), every figure through :class:`Figures`
(which lists the missing ones with their notebooks).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from helpers.outputs import PRODUCERS, producer
from helpers.settings import Profile, relative_to_repo


class ReportInputError(LookupError):
    """A metrics file, section, key or figure the report needs is missing."""


class Record:
    """A section of metrics.json (or a part of one) whose missing keys are clear errors."""

    def __init__(self, values: dict, where: str, producer: str) -> None:
        self._values = values
        self.where = where  # e.g. "metrics.json: export.variants[0]"
        self.producer = producer

    def __getitem__(self, key: str):
        if key not in self._values:
            raise ReportInputError(
                f"{self.where} has no key {key!r}: run {self.producer} "
                "(the metrics may come from an older version of it)"
            )
        return self._wrap(self._values[key], f"{self.where}.{key}")

    def __contains__(self, key: str) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def items(self):
        return [(key, self[key]) for key in self._values]

    def _wrap(self, value, where: str):
        if isinstance(value, dict):
            return Record(value, where, self.producer)
        if isinstance(value, list):
            return [self._wrap(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return value


class Metrics:
    """The sections of one metrics file, each looked up with the notebook that writes it."""

    def __init__(self, values: dict, name: str = "metrics.json") -> None:
        if not isinstance(values, dict):
            raise ReportInputError(f"{name} does not hold a JSON object; delete it and re-run")
        self._values = values
        self.name = name

    def has(self, section: str) -> bool:
        return section in self._values

    def section(self, section: str) -> Record:
        if section not in self._values:
            raise ReportInputError(
                f"{self.name} has no {section!r} section: run {producer('sections', section)}"
            )
        values = self._values[section]
        if not isinstance(values, dict):
            raise ReportInputError(
                f"{self.name}: {section!r} is not a JSON object: "
                f"run {producer('sections', section)}"
            )
        return Record(values, f"{self.name}: {section}", producer("sections", section))

    @property
    def profile(self) -> str:
        if "profile" not in self._values:
            raise ReportInputError(
                f"{self.name} does not say its profile: re-run the notebooks "
                "(helpers.outputs.record_metrics writes it)"
            )
        return self._values["profile"]


def load_metrics(profile: Profile) -> Metrics:
    """The metrics file of ``profile``; an error naming what to run when it is missing."""
    path = profile.metrics_path
    shown = relative_to_repo(path)
    if not path.is_file():
        raise ReportInputError(
            f"{shown} is missing: run the notebooks in the {profile.name} profile, from "
            f"{next(iter(PRODUCERS))} on (`make run` runs them all in the full profile)"
        )
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReportInputError(f"{shown} is not valid JSON ({exc}); delete it and re-run") from None
    return Metrics(values, name=shown)


class Figures:
    """Links from the report to the figures of a profile; the missing ones are collected."""

    def __init__(self, profile: Profile) -> None:
        self.folder = profile.figures_dir
        self.report_dir = profile.reports_dir
        self.missing: list[str] = []  # one message per missing figure, naming its notebook

    def link(self, name: str) -> str:
        """The link to figure ``name`` relative to the report, e.g. ``figures/05_x.png``."""
        path = self.folder / name
        if not path.is_file():
            self.missing.append(
                f"{relative_to_repo(path)} is missing: run {producer('figures', name)}"
            )
        return path.relative_to(self.report_dir).as_posix()
