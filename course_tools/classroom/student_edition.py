"""Build the student edition of the course: the notebooks without solutions, ready to hand out.

Usage::

    python -m course_tools.classroom.student_edition [--source notebooks] [--out dist/student]
                                                     [--force]

Exercises use nbgrader's own cell conventions and are cleared by nbgrader's own preprocessors,
applied through nbconvert's exporter API with nbgrader's default settings, in the order
``nbgrader generate_assignment`` uses (minus the steps that need its database):

- ``LockCells``: solution cells become undeletable, test cells read-only;
- ``ClearSolutions``: each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
  ``# YOUR CODE HERE`` + ``raise NotImplementedError()`` (``YOUR ANSWER HERE`` in Markdown);
- ``ClearOutput``: no outputs, no execution counts;
- ``CheckCellMetadata``: the nbgrader metadata is valid and the grade ids unique;
- ``ComputeChecksums``, ``ClearHiddenTests`` (drops ``### BEGIN HIDDEN TESTS`` ... ``### END
  HIDDEN TESTS``), ``ClearMarkScheme``, ``ComputeChecksums``, ``CheckCellMetadata``.

A notebook without nbgrader cells goes through the same pipeline: it comes out unchanged but
for its cleared outputs. After the build every text file of the edition is searched for the
solution and hidden-test markers, and the build fails if one is left.

Besides ``notebooks/`` the edition holds what it needs to run on its own: ``helpers/`` whole
(without caches), ``data/`` (the MNIST files), ``requirements.txt``, ``environment.yml``,
``pyproject.toml``, the licence, and the student ``README.md`` and ``Makefile`` written from the
templates beside this module. Nothing of ``course_tools`` goes in.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)
from traitlets.config import Config

from helpers.settings import REPO_ROOT

DEFAULT_SOURCE = REPO_ROOT / "notebooks"
DEFAULT_OUT = REPO_ROOT / "dist" / "student"

# nbgrader generate_assignment's pipeline without the database (SaveCells), the header/footer
# (none configured) and the AUTOTEST templates (InstantiateTests, not used by the course).
PIPELINE = (
    LockCells,
    ClearSolutions,
    ClearOutput,
    CheckCellMetadata,
    ComputeChecksums,
    ClearHiddenTests,
    ClearMarkScheme,
    ComputeChecksums,
    CheckCellMetadata,
)

# Text that must never reach students (nbgrader matches these anywhere in a line).
LEAK_MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "END MARK SCHEME",
)
TEXT_SUFFIXES = {".ipynb", ".py", ".md", ".txt", ".yml", ".yaml", ".toml", ".cfg", ".json", ""}

# Copied next to the notebooks; course_tools stays behind.
SUPPORT_FILES = ("requirements.txt", "environment.yml", "pyproject.toml", "LICENSE")
SUPPORT_DIRS = ("helpers", "data")
IGNORED = shutil.ignore_patterns("__pycache__", "*.py[cod]", ".ipynb_checkpoints", ".DS_Store")
TEMPLATES = Path(__file__).resolve().parent
STUDENT_FILES = {"README.md": "student_README.md", "Makefile": "student_Makefile"}


class BuildError(RuntimeError):
    """A notebook could not be turned into its student version (bad markers or metadata)."""


class LeakError(BuildError):
    """Solution or hidden-test text was found in the student edition."""


@dataclass(frozen=True)
class NotebookSummary:
    """What one notebook of the edition asks of students."""

    name: str
    exercises: int  # solution cells (code or written answers)
    checks: int  # autograded test cells
    points: float  # total points of all grade cells

    def row(self) -> str:
        return f"{self.name:<28} {self.exercises:>9} {self.checks:>6} {_fmt(self.points):>6}"


def _fmt(points: float) -> str:
    return f"{points:g}"


def summarise(nb: nbformat.NotebookNode, name: str) -> NotebookSummary:
    """Count the exercises, the graded checks and the points of ``nb``."""
    exercises = checks = 0
    points = 0.0
    for cell in nb.cells:
        if nbgrader_utils.is_solution(cell):
            exercises += 1
        if nbgrader_utils.is_grade(cell):
            points += float(cell.metadata.nbgrader.get("points", 0))
            if not nbgrader_utils.is_solution(cell):
                checks += 1
    return NotebookSummary(name=name, exercises=exercises, checks=checks, points=points)


def make_exporter() -> NotebookExporter:
    """An nbconvert notebook exporter running nbgrader's preprocessors with their defaults."""
    exporter = NotebookExporter(config=Config({"Exporter": {"default_preprocessors": []}}))
    for preprocessor in PIPELINE:
        exporter.register_preprocessor(preprocessor, enabled=True)
    return exporter


def student_notebook(
    nb: nbformat.NotebookNode, exporter: NotebookExporter | None = None
) -> nbformat.NotebookNode:
    """The student version of the instructor notebook ``nb`` (which is left untouched)."""
    exporter = exporter or make_exporter()
    body, _ = exporter.from_notebook_node(nb, resources={})
    return nbformat.reads(body, as_version=4)


def find_leaks(folder: Path, markers: Iterable[str] = LEAK_MARKERS) -> list[str]:
    """``path: marker`` for every text file under ``folder`` that still holds a marker."""
    leaks = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        leaks += [f"{path}: {marker!r}" for marker in markers if marker in text]
    return leaks


def source_notebooks(source: Path) -> list[Path]:
    """The notebooks of ``source`` in course order (checkpoints excluded)."""
    return sorted(p for p in Path(source).glob("*.ipynb") if p.is_file())


def _check_output_dir(out: Path, source: Path, repo_root: Path, force: bool) -> None:
    out = out.resolve()
    protected = {repo_root.resolve(), source.resolve(), Path.home().resolve(), Path("/")}
    if out in protected or source.resolve().is_relative_to(out):
        raise ValueError(f"refusing to build the student edition into {out}")
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty; pass --force to replace it")
        shutil.rmtree(out)


def _copy_support(out: Path, repo_root: Path) -> list[str]:
    copied = []
    for name in SUPPORT_DIRS:
        if (repo_root / name).is_dir():
            shutil.copytree(repo_root / name, out / name, ignore=IGNORED)
            copied.append(f"{name}/")
    for name in SUPPORT_FILES:
        if (repo_root / name).is_file():
            shutil.copy2(repo_root / name, out / name)
            copied.append(name)
    for name, template in STUDENT_FILES.items():
        shutil.copyfile(TEMPLATES / template, out / name)
    return copied + list(STUDENT_FILES)


def build_student_edition(
    source: Path = DEFAULT_SOURCE,
    out: Path = DEFAULT_OUT,
    *,
    force: bool = False,
    repo_root: Path = REPO_ROOT,
    log=print,
) -> list[NotebookSummary]:
    """Write the student edition of the notebooks in ``source`` to ``out``.

    Refuses a non-empty ``out`` unless ``force`` (which replaces it). Support files (helpers,
    data, requirements, ...) are copied from ``repo_root``. Returns one summary per notebook;
    raises :class:`LeakError` if solution or hidden-test text survived anywhere in ``out``.
    """
    source, out, repo_root = Path(source), Path(out), Path(repo_root)
    notebooks = source_notebooks(source)
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {source}")
    _check_output_dir(out, source, repo_root, force)
    (out / "notebooks").mkdir(parents=True, exist_ok=True)

    exporter = make_exporter()
    summaries = []
    for path in notebooks:
        try:
            nb = nbformat.read(path, as_version=4)
            summaries.append(summarise(nb, path.stem))
            student = student_notebook(nb, exporter)
            nbformat.validate(student)
        except Exception as error:  # nbgrader raises RuntimeError/ValidationError, nbformat more
            raise BuildError(f"{path}: {type(error).__name__}: {error}") from error
        nbformat.write(student, out / "notebooks" / path.name)
    copied = _copy_support(out, repo_root)

    leaks = find_leaks(out)
    if leaks:
        raise LeakError(
            "solution or hidden-test text left in the student edition:\n" + "\n".join(leaks)
        )

    log(f"Student edition written to {out}")
    log(f"{'notebook':<28} {'exercises':>9} {'checks':>6} {'points':>6}")
    for summary in summaries:
        log(summary.row())
    total = NotebookSummary(
        "total",
        sum(s.exercises for s in summaries),
        sum(s.checks for s in summaries),
        sum(s.points for s in summaries),
    )
    log(total.row())
    log(f"also copied: {', '.join(copied)}")
    log("checked: no solution or hidden-test markers left")
    return summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom.student_edition",
        description="Build the student edition: notebooks without solutions, plus what runs them.",
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="instructor notebooks")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    args = parser.parse_args(argv)
    try:
        build_student_edition(args.source, args.out, force=args.force)
    except (FileExistsError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
