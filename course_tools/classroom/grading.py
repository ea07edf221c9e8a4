"""Grade a class with nbgrader: every student isolated, several at a time, into one gradebook.

Usage::

    python -m course_tools.classroom.grading SUBMISSIONS [--course grading] [--workers N]
        [--shard K/N] [--timeout 300] [--regrade] [--source notebooks]
        [--sandbox bubblewrap|none] [--memory 4G] [--threads N] [--lanes 1|2]

``SUBMISSIONS`` holds one folder per student (see :mod:`~course_tools.classroom.submissions`).

1. The course folder (:mod:`~course_tools.classroom.course`, default ``grading/``) receives the
   instructor notebooks; nbgrader's ``generate_assignment`` runs when they changed.
2. Every student folder is read; a hand-in already graded unchanged is skipped (``--regrade``
   grades it again), so a late submission or a corrected one adds to the gradebook.
   ``--shard K/N`` keeps every N-th student from the K-th, for a job array or a CI matrix
   (then ``python -m course_tools.classroom.merge`` gathers the shards' folders).
3. ``--workers`` processes (default: one per core; they start while step 1 runs) each grade
   whole students, one at a time, with nbgrader's ``autograde`` and ``generate_feedback`` in
   a working copy of their own
   (:mod:`~course_tools.classroom.workspace`), the student's code in a bubblewrap sandbox
   (:mod:`~course_tools.classroom.sandbox`; ``--sandbox none`` grades without one, and says so
   everywhere); each graded student is merged into the course's gradebook as soon as they are
   done (:mod:`~course_tools.classroom.merge`). Where no sandbox can be made, nothing is graded
   and the error says why and what to install. With ``--lanes 2`` (the default when there are
   at least twice as many cores as workers) a worker runs the notebooks nothing else reads
   beside the others (:mod:`~course_tools.classroom.lanes`).
4. ``exports/grades.csv`` is written from the gradebook (:mod:`~course_tools.classroom.export`);
   the feedback is in ``feedback/<student>/mnist/``, each student's grading log in ``logs/``.

nbgrader restores the instructor's test cells (hidden tests included), executes, scores, keeps
the gradebook and writes the feedback. What this module adds is what a class needs around it:
finding each student's notebooks, sandboxes, parallel workers and shards, skipping unchanged
hand-ins, and a check that the instructor's repository was not written to.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from course_tools.classroom.course import (
    DEFAULT_ROOT,
    DEFAULT_SOURCE,
    DEFAULT_TIMEOUT,
    Course,
    CourseError,
)
from course_tools.classroom.export import export_grades
from course_tools.classroom.integrity import fingerprint
from course_tools.classroom.kernels import kill_trees
from course_tools.classroom.merge import graded_students, merge_students
from course_tools.classroom.sandbox import (
    Limits,
    SandboxUnavailable,
    bwrap_version,
    parse_size,
    probe,
)
from course_tools.classroom.submissions import (
    already_submitted,
    collect_all,
    student_folders,
)
from course_tools.classroom.workspace import (
    LOG,
    NONE,
    SANDBOX_SUFFIX,
    GradingOptions,
    Outcome,
    grade_student,
    snapshot_gradebook,
)
from helpers.cores import usable_cores
from helpers.settings import REPO_ROOT

# What a grading run must never change: the instructor's course and its committed outputs.
PROTECTED = tuple(
    REPO_ROOT / name for name in ("notebooks", "helpers", "data", "reports", "models")
)
WORKSPACES = ".workspaces"
T = TypeVar("T")
BUBBLEWRAP = "bubblewrap"
NO_SANDBOX_WARNING = (
    "WARNING: grading WITHOUT a sandbox (SANDBOX=none): every student's code runs with your "
    "rights and can read and change whatever you can, the gradebook included. The CSV's "
    "sandbox column and every feedback file say so."
)


def with_sandbox(options: GradingOptions, kind: str = BUBBLEWRAP) -> GradingOptions:
    """``options`` with the sandbox ``kind`` (``bubblewrap`` or ``none``) that works here;
    :class:`~course_tools.classroom.sandbox.SandboxUnavailable` says why there is none."""
    if kind == NONE:
        return dataclasses.replace(options, sandbox=NONE)
    if kind != BUBBLEWRAP:
        raise ValueError(f"the sandbox is {BUBBLEWRAP} or {NONE}, not {kind!r}")
    bwrap = probe().bwrap
    return dataclasses.replace(options, sandbox=bwrap, bwrap_version=bwrap_version(bwrap))


def default_lanes(workers: int) -> int:
    """The lanes per worker when none are asked for: 2 with at least two cores per worker (a
    worker alone keeps about 1.2 cores busy), else 1."""
    return 2 if usable_cores() >= 2 * workers else 1


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/8"`` -> ``(2, 8)``: the 2nd of 8 shares of the class."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard wants K/N, whole numbers such as 2/8, not {text!r}") from None
    if not 1 <= index <= count:
        raise ValueError(f"--shard {text}: K must be between 1 and N")
    return index, count


def _shard_argument(text: str) -> tuple[int, int]:
    try:
        return parse_shard(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _size_argument(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def select_shard(hand_ins: Sequence[T], index: int, count: int,
                 student: Callable[[T], str] = lambda hand_in: hand_in.student) -> list[T]:
    """Every ``count``-th hand-in from the ``index``-th (1-based), in student order: the shares
    of ``1/N`` ... ``N/N`` cover the class once. ``student`` gives a hand-in's student (by
    default a
    :class:`~course_tools.classroom.submissions.HandIn`'s; a student folder's name works too)."""
    ordered = sorted(hand_ins, key=student)
    return ordered[index - 1 :: count]


@dataclass
class ClassRun:
    """What a grading run did."""

    course: Course
    graded: list[Outcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already graded, unchanged
    workers: int = 1
    seconds: float = 0.0
    export: Path | None = None
    warnings: list[str] = field(default_factory=list)


def _score_line(course: Course, outcome: Outcome) -> str:
    from nbgrader.api import MissingEntry

    with course.open_gradebook() as gradebook:
        try:
            submission = gradebook.find_submission(course.assignment, outcome.student)
            score = f"{submission.score:>5g} / {submission.max_score:<5g}"
        except MissingEntry:
            score = f"{'-':>5} / {'-':<5}"
    notes = "; ".join(outcome.notes)
    return (
        f"  {outcome.student:<24} {score} {outcome.seconds:7.1f} s"
        + (f"  ({notes})" if notes else "")
    )


def _merge(outcome: Outcome, course: Course) -> None:
    """Merge a graded student into the course; a student nbgrader gave up on before recording
    anything is noted and left out."""
    work = Course(outcome.workspace, course.assignment)
    if work.gradebook.is_file() and outcome.student in graded_students(work):
        merge_students(work, course, [outcome.student])
    else:
        outcome.failed = outcome.failed or "nothing recorded in the gradebook"
        outcome.notes.append("not in the gradebook: grade again once the cause is fixed")


def _keep_log(course: Course, outcome: Outcome) -> None:
    logs = course.root / "logs"
    logs.mkdir(exist_ok=True)
    log = outcome.workspace / LOG
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    header = "".join(f"NOTE: {note}\n" for note in outcome.notes)
    (logs / f"{outcome.student}.log").write_text(header + text, encoding="utf-8")


def _gather(futures, course: Course, run: ClassRun, options: GradingOptions, work_root: Path,
            keep_workspaces: bool, log: Callable[[str], None]) -> None:
    """Merge each student into the gradebook as their worker finishes."""
    for future in as_completed(futures):
        try:
            outcome = future.result()
        except Exception as error:  # a bug of ours or a dead worker: the class goes on
            hand_in = futures[future]
            reason = f"grading stopped: {type(error).__name__}: {error}"
            outcome = Outcome(hand_in.student, work_root / hand_in.student,
                              notes=[reason], failed=reason)
        _merge(outcome, course)
        course.record_isolation({outcome.student: options.describe()})
        _keep_log(course, outcome)
        if not keep_workspaces:
            shutil.rmtree(outcome.workspace, ignore_errors=True)
            shutil.rmtree(outcome.workspace.with_name(
                outcome.workspace.name + SANDBOX_SUFFIX), ignore_errors=True)
        run.graded.append(outcome)
        log(_score_line(course, outcome))


def worker_pool(size: int) -> ProcessPoolExecutor:
    """A pool of ``size`` worker processes, each a new interpreter (spawned), which leave
    Ctrl-C to grading's own process (:func:`_stop_workers`)."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=_leave_ctrl_c)


def _leave_ctrl_c() -> None:
    """Ctrl-C reaches a worker too (the terminal's process group), and a worker that died of
    it would lead the pool to SIGTERM the others before they are frozen. A handler, unlike
    ``SIG_IGN``, is not passed on to the kernels the worker starts."""
    signal.signal(signal.SIGINT, _ignore)


def _ignore(signum, frame) -> None:
    """A signal handler that does nothing."""


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's workers now, not after their students, and with them their kernels and
    the kernels' sandboxes, which would otherwise go on as orphans (see ``kill_trees``)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # public in 3.14 only
    pool.shutdown(wait=False, cancel_futures=True)
    # all at once: once one worker is gone, the pool's own thread SIGTERMs the others
    kill_trees([process.pid for process in processes if process.exitcode is None])
    for process in processes:
        process.join(timeout=5)  # gone before grading goes on


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")


def stop_on_sigterm() -> None:
    """Let SIGTERM (``kill``, a job scheduler) stop grading the way Ctrl-C does, workers and
    their kernels included."""
    signal.signal(signal.SIGTERM, _interrupt)


def grade_class(
    submissions: Path,
    *,
    course: Course,
    source: Path = DEFAULT_SOURCE,
    workers: int | None = None,
    shard: tuple[int, int] | None = None,
    options: GradingOptions | None = None,
    regrade: bool = False,
    keep_workspaces: bool = False,
    protected: Iterable[Path] = PROTECTED,
    log: Callable[[str], None] = print,
) -> ClassRun:
    """Grade the student folders of ``submissions`` into ``course`` (see the module's doc)."""
    start = time.monotonic()
    workers = max(1, workers or usable_cores())
    options = options or GradingOptions()
    if not options.sandboxed:
        log(NO_SANDBOX_WARNING)
    if options.threads is None and workers > 1:  # share the cores instead of fighting over them
        options = dataclasses.replace(options, threads=max(1, usable_cores() // workers))
    protected = list(protected)
    before = fingerprint(protected, skip=course.root)

    folders = student_folders(submissions)  # a missing folder is reported before nbgrader runs
    if shard:
        folders = select_shard(folders, *shard, student=lambda folder: folder.name)
    pool_size = max(1, min(workers, len(folders)))  # never more workers than students
    if options.lanes is None:
        options = dataclasses.replace(options, lanes=default_lanes(pool_size))
    with worker_pool(pool_size) as pool:
        try:
            # the workers' interpreters start and import while generate_assignment runs
            for _ in range(pool_size if folders else 0):
                pool.submit(worker_ready)
            run = _grade(pool, submissions, course, source, workers, shard, options, regrade,
                         keep_workspaces, log)
        except BaseException:  # Ctrl-C, SIGTERM (stop_on_sigterm), a bug of ours
            _stop_workers(pool)
            raise

    run.export = export_grades(course)
    run.seconds = time.monotonic() - start
    if fingerprint(protected, skip=course.root) != before:
        run.warnings.append(
            "WARNING: files of the instructor's repository changed during grading ("
            + ", ".join(str(path) for path in protected)
            + "): a submission wrote outside its working copy, or another job did"
        )
    if not options.sandboxed:
        run.warnings.append(NO_SANDBOX_WARNING)
    for warning in run.warnings:
        log(warning)
    if run.graded:
        log(
            f"Graded {len(run.graded)} student(s) in {run.seconds:.1f} s with {workers} "
            f"worker(s): {run.seconds / len(run.graded):.1f} s per student"
        )
    log(f"Grades: {run.export}; feedback: {course.root / 'feedback'}")
    return run


def worker_ready() -> None:
    """Nothing: a worker that runs it has started and imported this module."""


def _grade(pool: ProcessPoolExecutor, submissions: Path, course: Course, source: Path,
           workers: int, shard: tuple[int, int] | None, options: GradingOptions, regrade: bool,
           keep_workspaces: bool, log: Callable[[str], None]) -> ClassRun:
    """Prepare the course and grade the students who need it with ``pool``'s workers."""
    if course.prepare(source, options.timeout):
        log(f"nbgrader generate_assignment: {course.release_dir}")
    hand_ins = collect_all(submissions, course.notebooks(), skip=[course.root])
    if shard:
        hand_ins = select_shard(hand_ins, *shard)
    run = ClassRun(course, workers=workers)
    in_gradebook = set(graded_students(course))
    todo = []
    for hand_in in hand_ins:
        if not regrade and hand_in.student in in_gradebook and already_submitted(hand_in, course):
            run.skipped.append(hand_in.student)
        else:
            todo.append(hand_in)
    log(
        f"Grading {len(todo)} student(s) with {workers} worker(s), {options.profile} profile, "
        f"{options.timeout} s per cell" + (", two lanes" if (options.lanes or 1) > 1 else "")
        + (f"; {len(run.skipped)} already graded and unchanged" if run.skipped else "")
    )
    log(f"Students' code runs in: {options.describe()}")

    work_root = course.root / WORKSPACES
    if todo:
        snapshot = snapshot_gradebook(course, work_root / "gradebook-snapshot.db")
        futures = {
            _submit(pool, grade_student, hand_in, course.root, snapshot, work_root, options):
            hand_in
            for hand_in in todo
        }
        _gather(futures, course, run, options, work_root, keep_workspaces, log)
        if not keep_workspaces:
            shutil.rmtree(work_root, ignore_errors=True)
    else:  # nobody to grade: the workers started for nothing, end them now
        _stop_workers(pool)
    return run


def _submit(pool: ProcessPoolExecutor, function: Callable, *args) -> Future:
    """``pool.submit(function, *args)``; a pool broken by a worker that died (while starting,
    out of memory) gives a failed future, which :func:`_gather` records for its student."""
    try:
        return pool.submit(function, *args)
    except BrokenProcessPool as error:
        failed: Future = Future()
        failed.set_exception(error)
        return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom.grading",
        description="Grade one folder per student with nbgrader into the course's gradebook.",
    )
    parser.add_argument("submissions", type=Path, help="one folder per student")
    parser.add_argument("--course", type=Path, default=DEFAULT_ROOT,
                        help="nbgrader course folder, kept between runs (default: grading/)")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="instructor notebooks (default: notebooks/)")
    parser.add_argument("--workers", type=int, default=None,
                        help="students graded at once (default: one per core)")
    parser.add_argument("--shard", type=_shard_argument, default=None, metavar="K/N",
                        help="grade only the K-th of N shares of the class")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT,
                        help="seconds one cell may run")
    parser.add_argument("--profile", default="quick", help="course profile the notebooks run in")
    parser.add_argument("--regrade", action="store_true",
                        help="grade again students whose hand-in is already graded")
    parser.add_argument("--keep-workspaces", action="store_true",
                        help="keep each student's working copy (models, outputs) after grading")
    parser.add_argument("--sandbox", choices=(BUBBLEWRAP, NONE), default=BUBBLEWRAP,
                        help="where students' code runs (default: a bubblewrap sandbox; "
                        "none: with your rights, said in the output, the CSV and the feedback)")
    parser.add_argument("--memory", type=_size_argument, default=Limits().memory,
                        help="memory one student's kernels may hold at once (default: 4G)")
    parser.add_argument("--threads", type=int, default=None,
                        help="TensorFlow threads per kernel (default: the cores shared out "
                        "among the workers)")
    parser.add_argument("--lanes", type=int, choices=(1, 2), default=None,
                        help="2: each worker runs the notebooks nothing else reads beside the "
                        "others (default: 2 with at least two cores per worker, else 1)")
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be 1 or more")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be 1 or more")
    options = GradingOptions(timeout=args.timeout, profile=args.profile,
                             limits=Limits(memory=args.memory), threads=args.threads,
                             lanes=args.lanes)
    stop_on_sigterm()
    try:
        options = with_sandbox(options, args.sandbox)
        run = grade_class(
            args.submissions,
            course=Course(args.course),
            source=args.source,
            workers=args.workers,
            shard=args.shard,
            options=options,
            regrade=args.regrade,
            keep_workspaces=args.keep_workspaces,
        )
    except SandboxUnavailable as error:
        print(f"error: nothing was graded: {error}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError, CourseError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 1 if any(outcome.failed for outcome in run.graded) else 0


if __name__ == "__main__":
    sys.exit(main())
