"""Grading one student in a working copy of their own, their code in a sandbox.

Each student is graded in a course folder made for them alone (``<work>/<student>/``): a
snapshot of the class's gradebook, the instructor notebooks, the student's hand-in. nbgrader
works there, outside the sandbox: it restores the test cells, executes, scores and writes the
feedback. The student's code runs in kernels started in a
:class:`~course_tools.classroom.sandbox.Sandbox` that sees none of that folder, only the
student's own folder ``<work>/<student>.sandbox/``: a copy of their notebooks and an
``outputs/`` folder that the course's ``MNIST_COURSE_OUTPUT`` setting sends every model,
metrics file and figure to. So a student's notebook 05 can only load the model the same
student's notebook 04 trained: when 04 failed, 05 fails with the message naming 04, never with
another student's file, and nothing is written into the instructor's repository. With
``sandbox="none"`` the kernels run unconfined in the course folder's ``autograded/<student>/``,
with ``outputs/`` beside it. With two lanes (:mod:`~course_tools.classroom.lanes`), the side
notebooks write into ``outputs/side-lane/``, whose ``models`` is ``outputs/models``.

:func:`grade_student` runs in a worker process (one student at a time per worker); the caller
merges the result into the class's gradebook (:mod:`~course_tools.classroom.merge`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sqlite3
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from course_tools.classroom.attempts import reaching_out
from course_tools.classroom.course import (
    DEFAULT_TIMEOUT,
    SIDE_NOTEBOOKS,
    Course,
    ensure_alembic_on_path,
    failure,
)
from course_tools.classroom.kernels import KERNEL_LOG
from course_tools.classroom.lanes import autograde
from course_tools.classroom.sandbox import Limits, Sandbox
from course_tools.classroom.submissions import TIMESTAMP, HandIn, submit
from course_tools.classroom.warm_kernels import ahead, imports
from helpers.deploy.quiet import native_stderr_to

OUTPUTS = "outputs"
LOG = "grading.log"
SANDBOX_SUFFIX = ".sandbox"
SIDE_OUTPUTS = "side-lane"  # in OUTPUTS: where the side lane's notebooks write
SIDE_THREADS = 1  # TensorFlow/OpenMP threads of the side lane's kernels
NONE = "none"  # GradingOptions.sandbox: kernels unconfined
KERNEL_LOG_KEPT = 64 * 1024  # bytes of a sandboxed kernel's own output kept in the grading log


@dataclass(frozen=True)
class GradingOptions:
    """How the notebooks run: per-cell time limit, profile, threads, and where: ``sandbox`` is
    the ``bwrap`` command (see :func:`~course_tools.classroom.sandbox.probe`) or ``"none"``;
    ``bwrap_version`` its version; ``limits`` what a student's kernels may use."""

    timeout: int = DEFAULT_TIMEOUT
    profile: str = "quick"
    threads: int | None = None  # TensorFlow/OpenMP threads per kernel; None: all cores
    lanes: int | None = None  # 2: the side notebooks run beside the others (lanes.py);
    # None: grading picks (grading.default_lanes), one when a student is graded directly
    sandbox: str = NONE
    bwrap_version: tuple[int, ...] = (0, 8)
    limits: Limits = field(default_factory=Limits)

    @property
    def sandboxed(self) -> bool:
        return self.sandbox != NONE

    def describe(self) -> str:
        """How the kernels run, in a few words, for the output and the CSV."""
        if not self.sandboxed:
            return "no sandbox (SANDBOX=none)"
        version = ".".join(map(str, self.bwrap_version))
        return f"bubblewrap {version}; {self.limits.describe()}"

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

    def config(self, course: Course, sandbox: Sandbox | None = None) -> Config:
        """nbgrader's settings for grading in ``course``, kernels in ``sandbox`` if any."""
        config = course.config(self.timeout)
        config.merge(Config({
            "GradingKernelManager": {"sandbox": sandbox, "limits": self.limits},
            "GuardedExecute": {"output_limit": self.limits.output},
        }))
        if not self.sandboxed:
            feedback = [*config.GenerateFeedback.preprocessors,
                        "course_tools.classroom.feedback.GradedWithoutSandbox"]
            config.merge(Config({"GenerateFeedback": {"preprocessors": feedback}}))
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


def make_sandbox(options: GradingOptions, work_root: Path, hand_in: HandIn) -> Sandbox:
    """The student's sandbox: their folder (a copy of their notebooks, an empty ``outputs/``)
    and a folder for the kernel's sockets (short: a Unix socket's path has ~100 characters)."""
    folder = Path(work_root) / f"{hand_in.student}{SANDBOX_SUFFIX}"
    if folder.exists():
        shutil.rmtree(folder)
    sockets = Path(tempfile.mkdtemp(prefix="mnist-kernel-"))
    os.chmod(sockets, 0o755)
    sandbox = Sandbox(folder, sockets, options.sandbox, version=options.bwrap_version,
                      limits=options.limits)
    sandbox.prepare()
    for name in hand_in.readable():
        shutil.copyfile(hand_in.found[name], folder / "notebooks" / f"{name}.ipynb")
    return sandbox


def preloads(work: Course, hand_in: HandIn) -> dict[str, tuple[str, ...]]:
    """The student's notebooks in grading order, each with the modules the instructor's copy
    imports: what a kernel started ahead for it imports."""
    found = {}
    for name in sorted(hand_in.readable(), key=lambda name: f"{name}.ipynb"):  # as nbgrader
        source = work.source_dir / f"{name}.ipynb"
        found[name] = imports(source) if source.is_file() else ()
    return found


def side_outputs(outputs: Path, sandbox: Sandbox | None) -> Path:
    """The side lane's outputs folder (``outputs/side-lane/``), whose ``models`` is the other
    notebooks' (a relative link, the same inside the sandbox); owned by the kernels' user."""
    folder = outputs / SIDE_OUTPUTS
    for made in (outputs / "models", folder):
        made.mkdir(parents=True, exist_ok=True)
        if sandbox is not None and sandbox.as_root:
            os.chown(made, *sandbox.user)
    (folder / "models").symlink_to(Path("..") / "models", target_is_directory=True)
    return folder


def lanes_config(options: GradingOptions, found: dict[str, tuple[str, ...]], outputs: Path,
                 sandbox: Sandbox | None) -> Config:
    """The side lane's settings for :class:`~course_tools.classroom.lanes.LaneAutograde`:
    none with one lane, or when the student handed in no side notebook."""
    side = [name for name in found if name in SIDE_NOTEBOOKS] if (options.lanes or 1) > 1 else []
    if not side:
        return Config()
    main_env = options.kernel_env(outputs)
    # one thread: the side notebooks are light, and OpenMP's threads (scikit-learn's t-SNE
    # in 07) spin for cores the other lane holds, which made 07's t-SNE 7-12 times as slow
    one_thread = dataclasses.replace(options, threads=SIDE_THREADS)
    side_env = {name: value for name, value in
                one_thread.kernel_env(side_outputs(outputs, sandbox)).items()
                if main_env.get(name) != value}
    return Config({"LaneAutograde": {
        "side_notebooks": side, "side_env": side_env,
        "side_preloads": {name: list(found[name]) for name in side},
    }})


def _keep_kernel_log(sandbox: Sandbox, log: Path) -> None:
    """The end of what the sandboxed kernels printed themselves, added to the grading log."""
    kernel_log = sandbox.folder / KERNEL_LOG
    if not kernel_log.is_file():
        return
    with open(kernel_log, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - KERNEL_LOG_KEPT))
        tail = handle.read().decode("utf-8", errors="replace")
    with open(log, "a", encoding="utf-8") as target:
        cut = f" (last {KERNEL_LOG_KEPT} of {size} bytes)" if size > KERNEL_LOG_KEPT else ""
        target.write(f"\n--- what the kernels printed themselves{cut} ---\n{tail}")


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
    outcome.notes += reaching_out(hand_in, work.source_dir)
    if not hand_in.readable():
        record_nothing_handed_in(work, hand_in.student)
        outcome.notes.append("no readable notebook handed in: 0 for every check")
        outcome.seconds = time.monotonic() - start
        return outcome
    sandbox = make_sandbox(options, work_root, hand_in) if options.sandboxed else None
    outputs = sandbox.folder / OUTPUTS if sandbox else work.root / OUTPUTS
    env = options.kernel_env(outputs)
    ensure_alembic_on_path()
    found = preloads(work, hand_in)
    config = options.config(work, sandbox)
    config.merge(lanes_config(options, found, outputs, sandbox))
    side = config.LaneAutograde.get("side_notebooks", [])
    try:
        with environment(env), native_stderr_to(work.root / LOG):
            api = NbGraderAPI(config=config)
            main = {name: found[name] for name in found if name not in side}
            with ahead(main) as warm:  # kernels start while others run
                result, taken = autograde(api, course.assignment, hand_in.student)
            results = [result]
            if result["success"]:
                results.append(api.generate_feedback(course.assignment, hand_in.student))
    finally:
        if sandbox is not None:
            shutil.rmtree(sandbox.sockets, ignore_errors=True)
            _keep_kernel_log(sandbox, work.root / LOG)
    with open(work.root / LOG, "a", encoding="utf-8") as log:
        for result in results:
            log.write(result.get("log") or "")
        log.write(f"\n{warm.taken + taken} of {len(hand_in.readable())} notebooks ran in a "
                  "kernel started ahead" + (f"; {', '.join(side)} beside the others" if side
                                            else "") + "\n")
    result = results[-1]
    if not result["success"]:
        outcome.failed = failure(result)
        outcome.notes.append(f"nbgrader could not grade this submission: {outcome.failed}")
    outcome.seconds = time.monotonic() - start
    return outcome
