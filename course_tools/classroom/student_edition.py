"""Build the student edition of the course: the notebooks without solutions, ready to hand out.

Usage::

    python -m course_tools.classroom.student_edition [--source notebooks] [--out dist/student]
                                                     [--course grading] [--force]

The notebooks are made by nbgrader itself: the instructor notebooks are copied into the course
folder's ``source/mnist/`` and ``nbgrader generate_assignment`` writes ``release/mnist/`` (answers
replaced by ``# YOUR CODE HERE`` / ``raise NotImplementedError()``, hidden tests removed,
outputs cleared, cells locked) and records the assignment, its test cells and hidden tests in
the course's gradebook, where ``make grade`` finds them (see
:mod:`~course_tools.classroom.course`). The edition is that release plus what it needs to run on
its own: ``helpers/`` whole (without caches), ``data/`` (the MNIST files), ``student_lab/``
(the lab's Jupyter config), ``requirements.txt``, ``environment.yml``, ``pyproject.toml``, the
licence, and the student ``README.md`` and ``Makefile`` written from the templates beside this
module. Nothing of ``course_tools`` goes in. After the build every text file of the edition is
searched for the solution and hidden-test markers, and every function of its Python files is
compared with the reference answers of the instructor notebooks' solution cells
(:mod:`~course_tools.classroom.answer_key`): the build fails if a marker is left or a shipped
function answers an exercise.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils

from course_tools.classroom.answer_key import Answer, answers_in, references
from course_tools.classroom.course import DEFAULT_ROOT, DEFAULT_SOURCE, Course, CourseError
from helpers.settings import REPO_ROOT

DEFAULT_OUT = REPO_ROOT / "dist" / "student"

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
SUPPORT_DIRS = ("helpers", "data", "student_lab")
IGNORED = shutil.ignore_patterns("__pycache__", "*.py[cod]", ".ipynb_checkpoints", ".DS_Store")
TEMPLATES = Path(__file__).resolve().parent
STUDENT_FILES = {"README.md": "student_README.md", "Makefile": "student_Makefile"}


class BuildError(RuntimeError):
    """A notebook could not be turned into its student version (bad markers or metadata)."""


class LeakError(BuildError):
    """Solution or hidden-test text, or a function that answers an exercise, was found in the
    student edition."""


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


def answers_message(answers: Iterable[Answer], edition: Path) -> str:
    """Why the build fails when functions shipped in ``edition`` answer exercises, and what to
    do about it."""
    return (
        f"functions of the student edition ({edition}) answer an exercise:\n"
        + "\n".join(f"  {answer}" for answer in answers)
        + "\nmove that code into the exercise's solution cell, or have the notebook pass the "
        "student's function on to whatever needs it"
    )


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
    course: Course | None = None,
    force: bool = False,
    repo_root: Path = REPO_ROOT,
    log=print,
) -> list[NotebookSummary]:
    """Write the student edition of the notebooks in ``source`` to ``out``.

    nbgrader generates the notebooks in ``course`` (default: the course folder ``grading/``).
    Refuses a non-empty ``out`` unless ``force`` (which replaces it). Support files (helpers,
    data, requirements, ...) are copied from ``repo_root``. Returns one summary per notebook;
    raises :class:`BuildError` when nbgrader cannot generate a notebook,
    :class:`LeakError` if solution or hidden-test text survived anywhere in ``out`` or a
    function of its ``.py`` files answers an exercise, ``ValueError`` if a solution cell does
    not parse.
    """
    source, out, repo_root = Path(source), Path(out), Path(repo_root)
    course = course or Course(DEFAULT_ROOT)
    notebooks = source_notebooks(source)
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {source}")
    _check_output_dir(out, source, repo_root, force)
    summaries = [summarise(nbformat.read(path, as_version=4), path.stem) for path in notebooks]
    known = references(notebooks)  # the reference answers, read before anything is written
    try:
        course.prepare(source)
    except CourseError as error:
        raise BuildError(str(error)) from error
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        released = course.release_dir / path.name
        nbformat.validate(nbformat.read(released, as_version=4))
        shutil.copyfile(released, out / "notebooks" / path.name)
    copied = _copy_support(out, repo_root)

    leaks = find_leaks(out)
    if leaks:
        raise LeakError(
            "solution or hidden-test text left in the student edition:\n" + "\n".join(leaks)
        )
    shipped = answers_in(out, known, root=out)
    if shipped:
        raise LeakError(answers_message(shipped, out))

    log(f"Student edition written to {out} (nbgrader generate_assignment in {course.root})")
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
    log(f"checked: no function of the edition answers an exercise ({len(known)} reference "
        "answers)")
    return summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom.student_edition",
        description="Build the student edition: notebooks without solutions, plus what runs them.",
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="instructor notebooks")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--course", type=Path, default=DEFAULT_ROOT,
        help="nbgrader course folder that generates the notebooks and keeps the gradebook",
    )
    parser.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    args = parser.parse_args(argv)
    try:
        build_student_edition(args.source, args.out, course=Course(args.course), force=args.force)
    except (FileExistsError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
