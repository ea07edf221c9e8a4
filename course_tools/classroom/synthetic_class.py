"""A synthetic class of 34 students, graded with one command and checked score by score.

Usage::

    python -m course_tools.classroom.synthetic_class [--out scratch/synthetic-class]
        [--workers N] [--threads N] [--lanes 1|2] [--timeout 300] [--sandbox bubblewrap|none]
        [--memory 4G] [--build-only]

The students (:mod:`~course_tools.classroom.synthetic_students`: full marks, typical
mistakes, the untouched edition, ...; and the ten cheaters of
:mod:`~course_tools.classroom.hostile_students`) each say which checks they must lose. The
command builds the class in ``--out``, grades it from scratch with
:func:`~course_tools.classroom.grading.grade_class` in a fresh course folder, then checks:

- every student's score, check by check, against the expected one;
- that nothing outside the students' own folders changed: the repository (its files, and
  ``git status``), the course folder's ``source/``, ``release/`` and settings, the hand-ins,
  a canary file in the home folder (:mod:`~course_tools.classroom.integrity`);
- that no connection reached a port listening on this machine's loopback;
- that no feedback file shows a line of a hidden test;
- that nbgrader's own command line (``nbgrader export``) shows the same totals from the same
  gradebook.

Without a sandbox (``--sandbox none``) the cheaters are left out: they would do real harm.
It prints the wall time, the time per student, and how many students one machine of 16 cores
would grade in an hour at the measured rate. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from course_tools.classroom import hostile_students
from course_tools.classroom.course import DEFAULT_SOURCE, DEFAULT_TIMEOUT, Course
from course_tools.classroom.grading import (
    BUBBLEWRAP,
    NO_SANDBOX_WARNING,
    grade_class,
    stop_on_sigterm,
    with_sandbox,
)
from course_tools.classroom.integrity import (
    HomeCanary,
    LoopbackListener,
    fingerprint,
    hidden_tests_in_feedback,
)
from course_tools.classroom.sandbox import Limits, SandboxUnavailable, parse_size
from course_tools.classroom.synthetic_students import ALL, NOTEBOOKS, STUDENTS, Student, hand_in
from course_tools.classroom.workspace import NONE, GradingOptions
from helpers.cores import usable_cores
from helpers.settings import REPO_ROOT

DEFAULT_OUT = REPO_ROOT / "scratch" / "synthetic-class"
TARGET_CORES, TARGET_SECONDS = 16, 3600


def students(hostile: bool) -> tuple[Student, ...]:
    """The class: the 24 students, and the cheaters when ``hostile``."""
    return STUDENTS + (hostile_students.STUDENTS if hostile else ())


def build(out: Path, source: Path = DEFAULT_SOURCE, hostile: bool = True,
          port: int = 0) -> tuple[Course, Path]:
    """The course folder (fresh) and the class's submissions under ``out``; ``port`` is where
    the cheater that opens the network connects."""
    out = Path(out)
    for folder in ("course", "submissions"):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    course = Course(out / "course")
    course.prepare(source)
    missing = sorted(set(NOTEBOOKS) - set(course.notebooks()))
    if missing:
        raise ValueError(f"the course has no {', '.join(missing)}")
    for student in students(hostile):
        hand_in(student, course.source_dir, course.release_dir, out / "submissions",
                {"{port}": str(port)})
    return course, out / "submissions"


def expected_scores(course: Course, hostile: bool = True) -> dict[str, dict[str, float]]:
    """``{student: {"<notebook>:<check>": points expected}}`` from the gradebook's checks."""
    with course.open_gradebook() as gradebook:
        checks = {
            f"{notebook.name}:{cell.name}": float(cell.max_score)
            for notebook in gradebook.find_assignment(course.assignment).notebooks
            for cell in notebook.grade_cells
        }

    def lost(student: Student, check: str) -> bool:
        notebook = check.split(":")[0]
        return any(rule in (ALL, check, f"{notebook}:{ALL}") for rule in student.loses)

    return {
        student.name: {check: 0.0 if lost(student, check) else points
                       for check, points in checks.items()}
        for student in students(hostile)
    }


def read_export(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


REFERENCE = "full_marks_a"


def compare(expected: dict[str, dict[str, float]], export: Path) -> list[str]:
    """What differs between the exported grades and the expected ones, as lines to print.

    The instructor's answers (:data:`REFERENCE`) must score every check; a check they lose is
    a bug of the course's notebooks, reported once, and is then expected at 0 from everyone, so
    that each other line points at grading, not at the course.
    """
    rows = read_export(export)
    problems = []
    reference = rows.get(REFERENCE, {})
    broken = sorted(check for check, points in expected[REFERENCE].items()
                    if float(reference.get(check) or 0) != points)
    if broken:
        problems.append(f"the instructor's answers ({REFERENCE}) lose {', '.join(broken)}: "
                        "the notebooks fail with their own answers (a course bug, not grading)")
    for student, checks in expected.items():
        row = rows.get(student)
        if row is None:
            problems.append(f"{student}: not in {export.name}")
            continue
        checks = {check: 0.0 if check in broken else points for check, points in checks.items()}
        differ = [f"{check} {row.get(check)} (expected {points:g})"
                  for check, points in checks.items() if float(row.get(check) or 0) != points]
        if differ and student != REFERENCE:
            problems.append(f"{student}: score {row['score']}, expected "
                            f"{sum(checks.values()):g}; " + "; ".join(differ))
    return problems


def nbgrader_totals(course: Course, dest: Path) -> dict[str, float]:
    """The totals ``nbgrader export`` (nbgrader's own command line) reads from the gradebook."""
    nbgrader = Path(sys.executable).with_name("nbgrader")
    env = {**os.environ, "PATH": f"{nbgrader.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run([str(nbgrader), "export", "--to", str(dest)], cwd=course.root, env=env,
                   check=True, capture_output=True, text=True)
    return {student: float(row["score"]) for student, row in read_export(dest).items()}


def git_status() -> str | None:
    """``git status --porcelain`` of the repository, or None without git."""
    try:
        done = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT,
                              capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout


def per_hour(students: int, seconds: float, cores: int, target_cores: int = TARGET_CORES) -> int:
    """Students ``target_cores`` cores grade in an hour at the rate measured on ``cores``."""
    return int(TARGET_SECONDS * students * target_cores / (seconds * cores))


def run(out: Path, workers: int | None, timeout: int, options: GradingOptions | None = None,
        log: Callable[[str], None] = print) -> int:
    """Build, grade and check the class; 0 when every check passed."""
    options = options or GradingOptions(timeout=timeout)
    hostile = options.sandboxed
    if not hostile:
        log("No sandbox: the cheaters are left out of the class (they would do real harm)")
    with LoopbackListener() as listener, HomeCanary() as canary:
        course, submissions = build(out, hostile=hostile, port=listener.port)
        expected = expected_scores(course, hostile)
        watched = [course.source_dir, course.release_dir, course.root / "nbgrader_config.py",
                   submissions]
        before = fingerprint(watched), fingerprint([REPO_ROOT], skip=Path(out)), git_status()
        workers = workers or usable_cores()
        started = time.monotonic()
        # graded against the notebooks the class was built from, even if notebooks/ changes
        graded = grade_class(submissions, course=course, source=course.source_dir,
                             workers=workers, options=options, log=log)
        wall = time.monotonic() - started
        problems = compare(expected, graded.export)
        # the home folder as grading left it: the nbgrader command below is the instructor's
        # own, and a first Jupyter command writes ~/.jupyter/migrated
        problems += canary.check()
        ours = {student: float(row["score"]) for student, row in
                read_export(graded.export).items()}
        if nbgrader_totals(course, out / "nbgrader-export.csv") != ours:
            problems.append("nbgrader export shows other totals than exports/grades.csv")
        if fingerprint(watched) != before[0]:
            problems.append("the course's source/, release/, settings or the hand-ins changed")
        if fingerprint([REPO_ROOT], skip=Path(out)) != before[1] or git_status() != before[2]:
            problems.append("the repository changed during grading")
        if listener.connections:
            problems.append(f"{listener.connections} connection(s) reached the loopback port")
        problems += [f"a hidden test in the feedback: {line}"
                     for line in hidden_tests_in_feedback(course.source_dir,
                                                          course.root / "feedback")]
        problems += [warning for warning in graded.warnings if warning != NO_SANDBOX_WARNING]

    cores = min(workers, usable_cores())
    count = len(graded.graded)
    log("")
    log(f"{count} students graded in {wall:.0f} s with {workers} worker(s) on {cores} "
        f"core(s): {wall / count:.1f} s per student (wall), "
        f"{sum(o.seconds for o in graded.graded) / count:.1f} s per student in a worker")
    log(f"at this rate one machine of {TARGET_CORES} cores grades about "
        f"{per_hour(count, wall, cores)} students in an hour "
        f"(assumes throughput grows with cores: one worker per core, memory to match)")
    for problem in problems:
        log(f"FAILED: {problem}")
    if not problems:
        log(f"OK: all {len(expected)} scores as expected; nothing outside the students' folders "
            "changed; no connection reached the loopback; no hidden test in the feedback; "
            "nbgrader export agrees")
    return 1 if problems else 0


def check_only(out: Path, log: Callable[[str], None] = print) -> int:
    """The score checks again on a class already graded in ``out`` (no grading)."""
    course = Course(Path(out) / "course")
    hostile = (Path(out) / "submissions" / hostile_students.STUDENTS[0].name).is_dir()
    expected = expected_scores(course, hostile)
    problems = compare(expected, course.root / "exports" / "grades.csv")
    for problem in problems:
        log(f"FAILED: {problem}")
    if not problems:
        log(f"OK: all {len(expected)} scores as expected")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom.synthetic_class",
        description="Build a synthetic class of 34 students, grade it and check every score.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the class goes")
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per cell")
    parser.add_argument("--build-only", action="store_true", help="build the class, no grading")
    parser.add_argument("--check-only", action="store_true",
                        help="check the scores of the class graded last time in --out")
    parser.add_argument("--sandbox", choices=(BUBBLEWRAP, NONE), default=BUBBLEWRAP,
                        help="where students' code runs (none: without the cheaters)")
    parser.add_argument("--memory", type=parse_size, default=Limits().memory,
                        help="memory one student's kernels may hold at once (default: 4G)")
    parser.add_argument("--threads", type=int, default=None,
                        help="TensorFlow threads per kernel (default: the cores shared out)")
    parser.add_argument("--lanes", type=int, choices=(1, 2), default=None,
                        help="2: the notebooks nothing else reads beside the others (default: "
                        "2 with at least two cores per worker)")
    args = parser.parse_args(argv)
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be 1 or more")
    if args.check_only:
        return check_only(args.out)
    if args.build_only:
        _, submissions = build(args.out)
        print(f"{len(students(True))} students in {submissions}")
        return 0
    options = GradingOptions(timeout=args.timeout, limits=Limits(memory=args.memory),
                             threads=args.threads, lanes=args.lanes)
    stop_on_sigterm()
    try:
        options = with_sandbox(options, args.sandbox)
    except SandboxUnavailable as error:
        print(f"error: nothing was graded: {error}", file=sys.stderr)
        return 2
    return run(args.out, args.workers, args.timeout, options)


if __name__ == "__main__":
    sys.exit(main())
