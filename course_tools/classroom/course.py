"""The nbgrader course folder that handing out and grading work in: its layout, its settings
and nbgrader's API on it.

The folder has nbgrader's own layout, so nbgrader's command line works in it as well
(``cd grading && nbgrader export``)::

    grading/                     (git-ignored; kept between runs: it holds the gradebook)
      nbgrader_config.py         the settings below, for nbgrader's command line
      gradebook.db               nbgrader's gradebook (SQLite): every grade, late or manual
      source/mnist/              the instructor notebooks, copied from notebooks/
      release/mnist/             the student version nbgrader generated (make student)
      submitted/<student>/mnist/ autograded/<student>/mnist/ feedback/<student>/mnist/
      exports/grades.csv         one row per student (make grade writes it)
      isolation.json             how each student's kernels ran: in which sandbox, or none

The whole course is one nbgrader assignment, ``mnist``: its notebooks depend on each other
(05 loads the model 04 trains), so a student's notebooks are executed in order in one folder,
but for :data:`SIDE_NOTEBOOKS`, which grading may run beside the others.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

from helpers.settings import REPO_ROOT

ASSIGNMENT = "mnist"
DEFAULT_ROOT = REPO_ROOT / "grading"
DEFAULT_SOURCE = REPO_ROOT / "notebooks"  # the instructor notebooks, solutions and hidden tests
DEFAULT_TIMEOUT = 300  # seconds one cell may run (nbgrader's default, 30 s, is too short)
# Notebooks whose outputs no other notebook reads: metrics sections nobody else reads, and
# figures. Grading may run them beside the others (lanes.py), each after every notebook before
# it; their kernels write into an outputs folder of their own, which sees the same models.
# tests/course_tools/classroom/test_lanes.py checks the claim against the notebooks.
SIDE_NOTEBOOKS = ("01_explore", "02_preprocess", "07_visualize")

# nbgrader's autograde pipeline (nbgrader.converters.Autograde.autograde_preprocessors) with
# its execution step guarded (execution.py: sandboxed, watched kernels, capped output) and one
# step added after it: a test run with tools a student changed (tampering.py) loses the check's
# points.
AUTOGRADE_PREPROCESSORS = (
    "course_tools.classroom.execution.GuardedExecute",
    "course_tools.classroom.tampering.FlagTampering",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
)
# nbgrader's feedback pipeline (GenerateFeedback.preprocessors) with the hidden tests kept
# hidden (feedback.py).
FEEDBACK_PREPROCESSORS = (
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "course_tools.classroom.feedback.HideHiddenTests",
)


class CourseError(RuntimeError):
    """nbgrader could not do a step (its own message is included)."""


def settings(timeout: int = DEFAULT_TIMEOUT) -> dict[str, dict[str, object]]:
    """nbgrader's settings for this course, by configurable class and trait."""
    return {
        "Execute": {"timeout": int(timeout)},
        # a deleted test cell is put back (and run) instead of scoring nothing
        "OverwriteCells": {"add_missing_cells": True},
        "Autograde": {"autograde_preprocessors": list(AUTOGRADE_PREPROCESSORS)},
        "GenerateFeedback": {"preprocessors": list(FEEDBACK_PREPROCESSORS)},
        # what a student's code printed as HTML cannot run script in whoever opens the feedback
        "HTMLExporter": {"sanitize_html": True},
    }


def ensure_alembic_on_path() -> None:
    """nbgrader runs the ``alembic`` command when it creates a gradebook: find this
    environment's copy even when the environment is not activated."""
    bin_dir = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and (Path(bin_dir) / "alembic").exists():
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


@dataclass(frozen=True)
class Course:
    """An nbgrader course folder holding one assignment."""

    root: Path
    assignment: str = ASSIGNMENT

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    @property
    def source_dir(self) -> Path:
        return self.root / "source" / self.assignment

    @property
    def release_dir(self) -> Path:
        return self.root / "release" / self.assignment

    def submitted_dir(self, student: str) -> Path:
        return self.root / "submitted" / student / self.assignment

    def autograded_dir(self, student: str) -> Path:
        return self.root / "autograded" / student / self.assignment

    def feedback_dir(self, student: str) -> Path:
        return self.root / "feedback" / student / self.assignment

    @property
    def isolation_file(self) -> Path:
        return self.root / "isolation.json"

    def isolation(self) -> dict[str, str]:
        """student -> how their kernels ran (a sandbox and its limits, or none)."""
        if not self.isolation_file.is_file():
            return {}
        return json.loads(self.isolation_file.read_text(encoding="utf-8"))

    def record_isolation(self, records: dict[str, str]) -> None:
        """Add ``records`` (student -> how their kernels ran) to :meth:`isolation`."""
        merged = {**self.isolation(), **records}
        self.isolation_file.write_text(json.dumps(merged, indent=1, sort_keys=True) + "\n",
                                       encoding="utf-8")

    def notebooks(self) -> list[str]:
        """The assignment's notebooks (names without ``.ipynb``), in course order."""
        return sorted(path.stem for path in self.source_dir.glob("*.ipynb"))

    def config(self, timeout: int = DEFAULT_TIMEOUT) -> Config:
        config = Config({"CourseDirectory": {"root": str(self.root)}})
        config.merge(Config(settings(timeout)))
        return config

    def write_config_file(self, timeout: int = DEFAULT_TIMEOUT) -> Path:
        """``nbgrader_config.py``: the same settings for nbgrader's command line."""
        lines = ["# Written by course_tools.classroom.course: nbgrader's settings for this course.",
                 "c = get_config()  # noqa: F821"]
        for section, values in settings(timeout).items():
            lines += [f"c.{section}.{name} = {value!r}" for name, value in values.items()]
        path, text = self.root / "nbgrader_config.py", "\n".join(lines) + "\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:  # unchanged: untouched
            path.write_text(text, encoding="utf-8")
        return path

    def api(self, timeout: int = DEFAULT_TIMEOUT):
        """nbgrader's Python API (``NbGraderAPI``) on this folder."""
        from nbgrader.apps import NbGraderAPI

        ensure_alembic_on_path()
        self.root.mkdir(parents=True, exist_ok=True)
        return NbGraderAPI(config=self.config(timeout))

    def open_gradebook(self):
        """nbgrader's ``Gradebook`` of this folder (use it in a ``with`` block)."""
        from nbgrader.api import Gradebook

        ensure_alembic_on_path()
        return Gradebook(self.db_url)

    def prepare(self, notebooks_dir: Path, timeout: int = DEFAULT_TIMEOUT) -> bool:
        """Copy the instructor notebooks of ``notebooks_dir`` into ``source/`` and run nbgrader's
        ``generate_assignment`` when they changed (or nothing was generated yet).

        Returns whether the assignment was (re)generated. Raises ``FileNotFoundError`` when
        ``notebooks_dir`` has no notebook, :class:`CourseError` when nbgrader fails.
        """
        wanted = sorted(Path(notebooks_dir).glob("*.ipynb"))
        if not wanted:
            raise FileNotFoundError(f"no notebooks in {notebooks_dir}")
        self.source_dir.mkdir(parents=True, exist_ok=True)
        changed = False
        for stale in set(self.source_dir.glob("*.ipynb")) - {
            self.source_dir / path.name for path in wanted
        }:
            stale.unlink()
            changed = True
        for path in wanted:
            copy = self.source_dir / path.name
            if not copy.is_file() or not filecmp.cmp(path, copy, shallow=False):
                shutil.copyfile(path, copy)
                changed = True
        self.write_config_file(timeout)
        released = {path.name for path in self.release_dir.glob("*.ipynb")}
        if not changed and self.gradebook.is_file() and released == {p.name for p in wanted}:
            return False
        result = self.api(timeout).generate_assignment(self.assignment, force=True)
        if not result["success"]:
            raise CourseError(f"nbgrader generate_assignment failed:\n{failure(result)}")
        return True


def failure(result: dict) -> str:
    """What went wrong in an ``NbGraderAPI`` call: its error, else the end of its log."""
    text = (result.get("error") or result.get("log") or "no message").strip()
    return "\n".join(text.splitlines()[-15:])
