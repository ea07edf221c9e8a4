"""Grading one student in a working copy of their own.

Each student is graded in a course folder made for them alone (``<work>/<student>/``): a
snapshot of the class's gradebook, the instructor notebooks, the student's hand-in, and an
``outputs/`` folder that the course's ``MNIST_COURSE_OUTPUT`` setting sends every model,
metrics file and figure to. nbgrader executes the notebooks in that folder's
``autograded/<student>/mnist/``, so a student's notebook 05 can only load the model the same
student's notebook 04 trained: when 04 failed, 05 fails with the message naming 04, never with
another student's file, and nothing is written into the instructor's repository.

:func:`grade_student` runs in a worker process (one student at a time per worker); the caller
merges the result into the class's gradebook (:mod:`~course_tools.classroom.merge`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from course_tools.classroom.course import DEFAULT_TIMEOUT, Course, ensure_alembic_on_path, failure
from course_tools.classroom.submissions import TIMESTAMP, HandIn, submit
from helpers.deploy.quiet import native_stderr_to

OUTPUTS = "outputs"
LOG = "grading.log"


@dataclass(frozen=True)
class GradingOptions:
    """How the notebooks run: per-cell time limit, profile, threads, delegation table."""

    timeout: int = DEFAULT_TIMEOUT
    profile: str = "quick"
    threads: int | None = None  # TensorFlow/OpenMP threads per kernel; None: all cores
    references: dict | None = None  # FlagDelegation's table; None: the course's

    def kernel_env(self, outputs: Path) -> dict[str, str]:
        """The environment the notebooks' kernels get (on top of this process's)."""
        env = {
            "MNIST_COURSE_PROFILE": self.profile,
            "MNIST_COURSE_OUTPUT": str(outputs),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONHASHSEED": "0",
            "GRADIO_ANALYTICS_ENABLED": "False",
        }
        if self.threads:
            threads = str(self.threads)
            env.update(TF_NUM_INTRAOP_THREADS=threads, OMP_NUM_THREADS=threads)
        return env

    def config(self, course: Course) -> Config:
        config = course.config(self.timeout)
        if self.references is not None:
            config.merge(Config({"FlagDelegation": {"references": self.references}}))
        return config


@dataclass
class Outcome:
    """What grading one student did (the grades themselves are in the gradebook)."""

    student: str
    workspace: Path
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    failed: str | None = None  # nbgrader's message when it could not grade the submission


def snapshot_gradebook(course: Course, dest: Path) -> Path:
    """A consistent copy of the course's gradebook (SQLite's backup API), safe while the
    course folder is being written to."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(course.gradebook)) as source, contextlib.closing(
        sqlite3.connect(dest)
    ) as copy:
        source.backup(copy)
    return dest


@contextlib.contextmanager
def environment(values: dict[str, str]):
    """``os.environ`` updated with ``values`` inside the block, restored after it."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def make_workspace(course: Course, gradebook: Path, work_root: Path, student: str) -> Course:
    """An empty course folder for one student: the gradebook snapshot and the source notebooks."""
    work = Course(Path(work_root) / student, course.assignment)
    if work.root.exists():
        shutil.rmtree(work.root)
    work.root.mkdir(parents=True)
    shutil.copyfile(gradebook, work.gradebook)
    shutil.copytree(course.source_dir, work.source_dir)
    return work


def record_nothing_handed_in(work: Course, student: str) -> None:
    """A submission with 0 for every check, as nbgrader records a notebook not handed in
    (nbgrader's autograde stops before the gradebook when it finds no notebook at all)."""
    stamp = work.submitted_dir(student) / TIMESTAMP
    timestamp = None
    if stamp.is_file():
        timestamp = stamp.read_text(encoding="utf-8").strip() or None
    with work.open_gradebook() as gradebook, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission makes it warn
        gradebook.update_or_create_student(student)
        submission = gradebook.update_or_create_submission(
            work.assignment, student, timestamp=timestamp
        )
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = 0.0, False
        gradebook.db.commit()


def grade_student(
    hand_in: HandIn, course_root: Path, gradebook: Path, work_root: Path, options: GradingOptions
) -> Outcome:
    """Autograde one hand-in with nbgrader in a workspace of its own and write its feedback.

    ``gradebook`` is a snapshot of the class's gradebook (it is copied, never written).
    """
    from nbgrader.apps import NbGraderAPI

    start = time.monotonic()
    course = Course(course_root)
    work = make_workspace(course, gradebook, work_root, hand_in.student)
    outcome = Outcome(hand_in.student, work.root, notes=hand_in.notes())
    submit(hand_in, work)
    if not hand_in.readable():
        record_nothing_handed_in(work, hand_in.student)
        outcome.notes.append("no readable notebook handed in: 0 for every check")
        outcome.seconds = time.monotonic() - start
        return outcome
    env = options.kernel_env(work.root / OUTPUTS)
    ensure_alembic_on_path()
    with environment(env), native_stderr_to(work.root / LOG):
        api = NbGraderAPI(config=options.config(work))
        results = [api.autograde(course.assignment, hand_in.student)]
        if results[0]["success"]:
            results.append(api.generate_feedback(course.assignment, hand_in.student))
    with open(work.root / LOG, "a", encoding="utf-8") as log:
        for result in results:
            log.write(result.get("log") or "")
    result = results[-1]
    if not result["success"]:
        outcome.failed = failure(result)
        outcome.notes.append(f"nbgrader could not grade this submission: {outcome.failed}")
    outcome.seconds = time.monotonic() - start
    return outcome
