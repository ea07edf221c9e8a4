"""What students hand in, put where nbgrader looks for it.

The instructor collects one folder per student (``submissions/alice/``), with the notebooks
named as handed out, directly in the folder, under ``notebooks/`` or deeper, and optionally
nbgrader's ``timestamp.txt``. Before nbgrader sees a hand-in, every file is checked: nbgrader
gives up on a student's whole assignment at the first notebook it cannot read, so a file that
is not a valid notebook is kept as ``<name>.ipynb.unreadable`` instead, and nbgrader grades the
notebook as not handed in (0 for its checks); the grading notes say why.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course_tools.classroom.course import Course

UNREADABLE_SUFFIX = ".unreadable"
TIMESTAMP = "timestamp.txt"
GLOB_CHARACTERS = "*?[]"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


@dataclass
class HandIn:
    """One student's folder: the notebooks found in it and what was wrong with them."""

    student: str
    folder: Path
    found: dict[str, Path] = field(default_factory=dict)  # notebook name -> file
    unreadable: dict[str, str] = field(default_factory=dict)  # notebook name -> why

    def readable(self) -> list[str]:
        """The notebooks found that nbgrader can grade."""
        return [name for name in self.found if name not in self.unreadable]

    def notes(self) -> list[str]:
        return [f"{name}: {reason}" for name, reason in self.unreadable.items()]


def student_folders(submissions_dir: Path, skip: Iterable[Path] = ()) -> list[Path]:
    """Every student folder of ``submissions_dir``, sorted (hidden, ``_``-prefixed and ``skip``
    folders left out)."""
    submissions_dir = Path(submissions_dir)
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"no submissions folder {submissions_dir}")
    skipped = {Path(path).resolve() for path in skip}
    return sorted(
        path
        for path in submissions_dir.iterdir()
        if path.is_dir() and not path.name.startswith((".", "_"))
        and path.resolve() not in skipped
    )


def find_notebook(student_dir: Path, name: str) -> Path | None:
    """``name``.ipynb in a student's folder: at the top, under ``notebooks/``, else the
    shallowest one deeper down (checkpoint copies ignored)."""
    filename = f"{name}.ipynb"
    for candidate in (student_dir / filename, student_dir / "notebooks" / filename):
        if candidate.is_file():
            return candidate
    found = [
        path
        for path in Path(student_dir).rglob(filename)
        if path.is_file() and ".ipynb_checkpoints" not in path.parts
    ]
    return min(found, key=lambda path: (len(path.parts), str(path))) if found else None


def unreadable_reason(path: Path) -> str | None:
    """Why ``path`` is not a notebook nbgrader can grade (None when it is one)."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # not JSON, not a notebook, not valid, not UTF-8 ...
        message = (ANSI_ESCAPE.sub("", str(error)).strip().splitlines() or [""])[0][:200]
        return f"not a readable notebook ({type(error).__name__}: {message})"
    return None


def collect(student_dir: Path, notebooks: Sequence[str]) -> HandIn:
    """Find and check the notebooks ``notebooks`` in one student's folder."""
    student_dir = Path(student_dir)
    hand_in = HandIn(student_dir.name, student_dir)
    for name in notebooks:
        path = find_notebook(student_dir, name)
        if path is None:
            continue
        hand_in.found[name] = path
        reason = unreadable_reason(path)
        if reason:
            hand_in.unreadable[name] = reason
    return hand_in


def _timestamp(hand_in: HandIn) -> Path | None:
    path = hand_in.folder / TIMESTAMP
    return path if path.is_file() else None


def submit(hand_in: HandIn, course: Course) -> Path:
    """Copy a hand-in into ``submitted/<student>/<assignment>/`` of ``course`` (replacing what
    was there); an unreadable notebook is copied as ``<name>.ipynb.unreadable``. Returns the
    folder."""
    dest = course.submitted_dir(hand_in.student)
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name, path in hand_in.found.items():
        if name in hand_in.unreadable:
            shutil.copyfile(path, dest / f"{name}.ipynb{UNREADABLE_SUFFIX}")
        else:
            shutil.copyfile(path, dest / f"{name}.ipynb")
    if (timestamp := _timestamp(hand_in)) is not None:
        shutil.copyfile(timestamp, dest / TIMESTAMP)
    return dest


def already_submitted(hand_in: HandIn, course: Course) -> bool:
    """Whether ``course`` already holds exactly this hand-in (same files, same bytes) and
    autograded it (or there was nothing nbgrader could run)."""
    dest = course.submitted_dir(hand_in.student)
    executed = course.autograded_dir(hand_in.student).is_dir() or not hand_in.readable()
    if not executed or not dest.is_dir():
        return False
    expected = {}
    for name, path in hand_in.found.items():
        suffix = UNREADABLE_SUFFIX if name in hand_in.unreadable else ""
        expected[f"{name}.ipynb{suffix}"] = path
    if (timestamp := _timestamp(hand_in)) is not None:
        expected[TIMESTAMP] = timestamp
    present = {path.name for path in dest.iterdir() if path.is_file()}
    if present != set(expected):
        return False
    return all(_same_bytes(path, dest / name) for name, path in expected.items())


def _same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def collect_all(
    submissions_dir: Path, notebooks: Sequence[str], skip: Iterable[Path] = ()
) -> list[HandIn]:
    """The hand-ins of every student folder of ``submissions_dir``, sorted by student.

    ``ValueError`` for folder names nbgrader would read as file patterns (``*?[]``)."""
    folders = student_folders(submissions_dir, skip)
    bad = [folder.name for folder in folders if set(folder.name) & set(GLOB_CHARACTERS)]
    if bad:
        raise ValueError(
            f"rename these student folders: nbgrader reads {GLOB_CHARACTERS} in a student id "
            f"as a file pattern: {', '.join(bad)}"
        )
    return [collect(folder, notebooks) for folder in folders]
