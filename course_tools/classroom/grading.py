"""Grade students' notebooks against the instructor notebooks, the way nbgrader autograde does.

Usage::

    python -m course_tools.classroom.grading SUBMISSIONS_DIR [--source notebooks]
        [--out scratch/grades] [--timeout 300] [--notebooks 01_explore 02_preprocess ...]

``SUBMISSIONS_DIR`` holds one folder per student with that student's notebooks, named as in
``--source`` (directly in the folder, under ``notebooks/`` or deeper; a subset is fine).

For every student and graded notebook:

1. the submitted notebook is read (missing or not a notebook: 0 for its checks, and why);
2. its outputs are cleared and duplicated nbgrader ids dropped (nbgrader's ``ClearOutput`` and
   ``DeduplicateIds``), then every graded test cell and read-only cell is **restored from the
   instructor notebook** by ``grade_id``, hidden tests included; a deleted one is put back after
   the cell that precedes it in the instructor notebook;
3. it is executed with nbclient in the quick profile (``MNIST_COURSE_PROFILE=quick``) with the
   working directory ``notebooks/`` of the repository, a kernel running this environment's
   Python and ``allow_errors=True``, so every cell runs; the time limit counts the cells' run
   time for the whole notebook (a notebook over it scores 0 for all its checks);
4. each graded test cell scores its points unless it raised an error.

Results go to ``--out``: ``grades.csv``, ``grades.md``, ``feedback/<student>.md`` and the
executed notebooks under ``executed/<student>/``. One bad submission never stops the run.
"""

from __future__ import annotations

import argparse
import copy
import csv
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4.nbbase import random_cell_id
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import ClearOutput, DeduplicateIds
from traitlets import default

from helpers.settings import REPO_ROOT

DEFAULT_SOURCE = REPO_ROOT / "notebooks"
DEFAULT_OUT = REPO_ROOT / "scratch" / "grades"
DEFAULT_WORKDIR = REPO_ROOT / "notebooks"
DEFAULT_TIMEOUT = 300.0
# Committed outputs a grading run must never touch (the quick profile writes to scratch/).
PROTECTED_DIRS = (REPO_ROOT / "reports", REPO_ROOT / "models")
KERNEL_ENV = {
    "MNIST_COURSE_PROFILE": "quick",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONHASHSEED": "0",
}
CURRENT_ENV_KERNEL = "mnist-grader-current-env"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")

# Notebook statuses
OK, MISSING, INVALID, TIMEOUT, FAILED = "ok", "missing", "invalid", "timed out", "failed"


# ---------------------------------------------------------------------------------------------
# Checks and results


@dataclass(frozen=True)
class Check:
    """One autograded test cell of an instructor notebook."""

    notebook: str  # notebook name without .ipynb
    grade_id: str
    points: float

    @property
    def key(self) -> str:
        return f"{self.notebook}:{self.grade_id}"


@dataclass
class CheckResult:
    check: Check
    score: float
    message: str | None = None  # why it failed; None when it passed

    @property
    def passed(self) -> bool:
        return self.message is None


@dataclass
class NotebookResult:
    notebook: str
    status: str  # OK, MISSING, INVALID, TIMEOUT or FAILED
    checks: list[CheckResult]
    reason: str | None = None  # why the notebook was not graded normally
    cell_errors: list[str] = field(default_factory=list)  # errors outside the test cells
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(result.score for result in self.checks)

    @property
    def max_score(self) -> float:
        return sum(result.check.points for result in self.checks)


@dataclass
class StudentResult:
    student: str
    notebooks: list[NotebookResult]
    seconds: float = 0.0

    @property
    def checks(self) -> list[CheckResult]:
        return [result for nb in self.notebooks for result in nb.checks]

    @property
    def score(self) -> float:
        return sum(nb.score for nb in self.notebooks)

    @property
    def max_score(self) -> float:
        return sum(nb.max_score for nb in self.notebooks)

    def notes(self) -> str:
        return "; ".join(f"{nb.notebook}: {nb.reason}" for nb in self.notebooks if nb.reason)


@dataclass
class GradingRun:
    checks: list[Check]
    students: list[StudentResult]
    out_dir: Path
    warnings: list[str] = field(default_factory=list)

    def by_student(self) -> dict[str, StudentResult]:
        return {result.student: result for result in self.students}


def _fmt(points: float) -> str:
    return f"{points:g}"


def is_test_cell(cell) -> bool:
    """An autograded test cell: graded, not an answer the student writes."""
    return (
        cell.cell_type == "code"
        and nbgrader_utils.is_grade(cell)
        and not nbgrader_utils.is_solution(cell)
    )


def find_checks(nb: nbformat.NotebookNode, notebook: str) -> list[Check]:
    """The autograded test cells of the instructor notebook ``nb``, in order."""
    return [
        Check(notebook, cell.metadata.nbgrader["grade_id"], float(cell.metadata.nbgrader["points"]))
        for cell in nb.cells
        if is_test_cell(cell)
    ]


# ---------------------------------------------------------------------------------------------
# Restoring the instructor's cells


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_restored(cell) -> bool:
    """Cells whose instructor version always wins: test cells and read-only cells."""
    return nbgrader_utils.is_locked(cell) and _grade_id(cell) is not None


def _fresh_copy(cell) -> nbformat.NotebookNode:
    cell = copy.deepcopy(cell)
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def restore_checks(
    submission: nbformat.NotebookNode, source: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """``submission`` with every test and read-only cell of ``source`` put back as it was.

    Cells are matched by nbgrader ``grade_id``; a matched cell is replaced by the instructor's
    (source, hidden tests, metadata), whatever the student did to it. A missing one is inserted
    after the nearest earlier instructor cell found in the submission (by ``grade_id``, else by
    cell id), or at the end. Outputs are cleared; a duplicated ``grade_id`` keeps its last cell
    (nbgrader's rule). Returns a new notebook.
    """
    nb = copy.deepcopy(submission)
    resources: dict = {}
    nb, resources = ClearOutput().preprocess(nb, resources)
    nb, resources = DeduplicateIds().preprocess(nb, resources)

    wanted = {_grade_id(cell): cell for cell in source.cells if _is_restored(cell)}
    cells = list(nb.cells)
    for index, cell in enumerate(cells):
        grade_id = _grade_id(cell)
        if grade_id in wanted:
            cells[index] = _fresh_copy(wanted[grade_id])
        elif nbgrader_utils.is_grade(cell) and not nbgrader_utils.is_solution(cell):
            # a test cell the instructor never wrote (renamed or invented): not graded
            cell.metadata.pop("nbgrader", None)

    present_grade_ids = {_grade_id(cell) for cell in cells} - {None}
    for position, source_cell in enumerate(source.cells):
        grade_id = _grade_id(source_cell)
        if grade_id not in wanted or grade_id in present_grade_ids:
            continue
        cells.insert(_insertion_point(cells, source.cells[:position]), _fresh_copy(source_cell))
        present_grade_ids.add(grade_id)

    seen: set[str] = set()
    for cell in cells:  # a re-inserted cell may carry an id the student reused
        if cell.get("id") in seen:
            cell["id"] = random_cell_id()
        seen.add(cell.get("id"))
    nb.cells = cells
    return nb


def _insertion_point(cells: list, earlier_source_cells: list) -> int:
    """Index just after the last of ``earlier_source_cells`` still present in ``cells``."""
    by_grade_id = {_grade_id(cell): i for i, cell in enumerate(cells) if _grade_id(cell)}
    by_cell_id = {cell.get("id"): i for i, cell in enumerate(cells) if cell.get("id")}
    for source_cell in reversed(earlier_source_cells):
        grade_id = _grade_id(source_cell)
        if grade_id and grade_id in by_grade_id:
            return by_grade_id[grade_id] + 1
        if not grade_id and source_cell.get("id") in by_cell_id:
            return by_cell_id[source_cell.get("id")] + 1
    return len(cells)


# ---------------------------------------------------------------------------------------------
# Execution


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Resolves :data:`CURRENT_ENV_KERNEL` to an ipykernel running ``sys.executable``."""

    def get_kernel_spec(self, kernel_name):
        if kernel_name == CURRENT_ENV_KERNEL:
            import ipykernel.kernelspec

            return self.kernel_spec_class(
                resource_dir=ipykernel.kernelspec.RESOURCES,
                **ipykernel.kernelspec.get_kernel_dict(),
            )
        return super().get_kernel_spec(kernel_name)


class CurrentEnvKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in this Python environment."""

    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self):
        return CurrentEnvKernelSpecManager(data_dir=self.data_dir)


class NotebookTimeout(Exception):
    """The notebook used up its time limit."""


def execute(
    nb: nbformat.NotebookNode,
    *,
    cwd: Path = DEFAULT_WORKDIR,
    timeout: float = DEFAULT_TIMEOUT,
    env: dict[str, str] | None = None,
) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in place (errors recorded in the outputs, execution goes on).

    ``timeout`` bounds the run time of all cells together, counted from the first cell (kernel
    start-up has its own limit). Raises :class:`NotebookTimeout` past it, ``DeadKernelError``
    if the kernel dies.
    """
    deadline: list[float] = []
    current = {"index": None}

    def remaining(cell) -> float:
        if not deadline:
            deadline.append(time.monotonic() + timeout)
        return max(0.05, deadline[0] - time.monotonic())

    def on_cell_start(cell, cell_index, **_):
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        timeout=timeout,
        timeout_func=remaining,
        startup_timeout=120,
        allow_errors=True,
        interrupt_on_timeout=False,
        kernel_name=CURRENT_ENV_KERNEL,
        kernel_manager_class=CurrentEnvKernelManager,
        shutdown_kernel="immediate",
        record_timing=False,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no start-up warnings on stderr
        on_cell_start=on_cell_start,
        resources={"metadata": {"path": str(cwd)}},
    )
    kernel_env = {**os.environ, **KERNEL_ENV, **(env or {})}
    try:
        client.execute(env=kernel_env)
    except CellTimeoutError as error:
        where = "" if current["index"] is None else f" (still running cell {current['index']})"
        raise NotebookTimeout(f"time limit of {_fmt(timeout)} s exceeded{where}") from error
    return nb


def error_message(output) -> str:
    """The line a student can act on: ``ErrorName: message``, ANSI colours stripped.

    A bare ``assert`` has no message: the failing line of the traceback is added instead.
    """
    ename = ANSI_ESCAPE.sub("", str(output.get("ename", "Error")))
    evalue = ANSI_ESCAPE.sub("", str(output.get("evalue", ""))).strip()
    traceback = [ANSI_ESCAPE.sub("", line) for line in output.get("traceback", [])]
    if ename == "NotImplementedError" and not evalue:
        return f"{ename}: an exercise still has its `raise NotImplementedError()` placeholder"
    if evalue:
        return f"{ename}: {evalue}"
    lines = [line for block in traceback for line in block.splitlines()]
    failing = [line.split("---->", 1)[1].strip() for line in lines if "---->" in line]
    if failing:
        return f"{ename} at `{failing[-1].lstrip('0123456789 ')}`"
    last = next((line.strip() for line in reversed(lines) if line.strip()), "")
    return last or ename


def _first_error(cell) -> str | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return error_message(output)
    return None


def score(nb: nbformat.NotebookNode, checks: Sequence[Check]) -> list[CheckResult]:
    """Points of every check in the executed ``nb``: all of them unless the cell raised."""
    cells = {_grade_id(cell): cell for cell in nb.cells if is_test_cell(cell)}
    results = []
    for check in checks:
        cell = cells.get(check.grade_id)
        if cell is None:
            results.append(CheckResult(check, 0.0, "test cell not found"))
            continue
        message = _first_error(cell)
        if message is None and cell.get("execution_count") is None:
            message = "test cell did not run"
        results.append(CheckResult(check, 0.0 if message else check.points, message))
    return results


# ---------------------------------------------------------------------------------------------
# Grading


def find_submission(student_dir: Path, notebook: str) -> Path | None:
    """``notebook``.ipynb of a student: in the folder, under ``notebooks/`` or deeper."""
    name = f"{notebook}.ipynb"
    for candidate in (student_dir / name, student_dir / "notebooks" / name):
        if candidate.is_file():
            return candidate
    found = [
        path
        for path in student_dir.rglob(name)
        if path.is_file() and ".ipynb_checkpoints" not in path.parts
    ]
    return min(found, key=lambda path: (len(path.parts), str(path))) if found else None


def _zeros(checks: Sequence[Check], reason: str) -> list[CheckResult]:
    return [CheckResult(check, 0.0, reason) for check in checks]


def grade_notebook(
    path: Path | None,
    source: nbformat.NotebookNode,
    notebook: str,
    *,
    cwd: Path = DEFAULT_WORKDIR,
    timeout: float = DEFAULT_TIMEOUT,
    executed_path: Path | None = None,
) -> NotebookResult:
    """Grade one submitted notebook (``path`` None: not handed in). Never raises."""
    checks = find_checks(source, notebook)
    start = time.monotonic()

    def result(status, reason=None, check_results=None, cell_errors=()):
        return NotebookResult(
            notebook,
            status,
            check_results if check_results is not None else _zeros(checks, reason),
            reason,
            list(cell_errors),
            time.monotonic() - start,
        )

    if path is None:
        return result(MISSING, "missing: not found in the submission")
    try:
        submission = nbformat.read(path, as_version=4)
        if not isinstance(submission.get("cells"), list):
            raise ValueError("no list of cells")
        nb = restore_checks(submission, source)
    except Exception as error:  # not JSON, not a notebook, unreadable
        message = (ANSI_ESCAPE.sub("", str(error)).splitlines() or [""])[0][:200]
        return result(
            INVALID, f"invalid: not a readable notebook ({type(error).__name__}: {message})"
        )

    try:
        status, reason = OK, None
        try:
            execute(nb, cwd=cwd, timeout=timeout)
        except NotebookTimeout as error:
            status, reason = TIMEOUT, f"timed out: {error}"
        except DeadKernelError:
            status, reason = FAILED, "failed: the kernel died (crash, out of memory or exit)"
        except Exception as error:
            status, reason = FAILED, f"failed: could not execute ({type(error).__name__}: {error})"
        if executed_path is not None:
            executed_path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, executed_path)
    except Exception as error:  # writing the executed copy failed: still grade
        status, reason = FAILED, f"failed: {type(error).__name__}: {error}"

    if status != OK:
        return result(status, reason)
    cell_errors = [
        f"cell {index}: {message}"
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and not is_test_cell(cell)
        and (message := _first_error(cell)) is not None
    ]
    return result(OK, None, score(nb, checks), cell_errors)


def grade_student(
    student_dir: Path,
    sources: dict[str, nbformat.NotebookNode],
    *,
    cwd: Path = DEFAULT_WORKDIR,
    timeout: float = DEFAULT_TIMEOUT,
    executed_dir: Path | None = None,
) -> StudentResult:
    """Grade every notebook of ``sources`` (name -> instructor notebook) for one student."""
    start = time.monotonic()
    results = []
    for notebook, source in sources.items():
        executed = executed_dir / f"{notebook}.ipynb" if executed_dir else None
        try:
            results.append(
                grade_notebook(
                    find_submission(student_dir, notebook),
                    source,
                    notebook,
                    cwd=cwd,
                    timeout=timeout,
                    executed_path=executed,
                )
            )
        except Exception as error:  # a bug of ours must not stop the class's grading
            reason = f"failed: grader error ({type(error).__name__}: {error})"
            checks = find_checks(source, notebook)
            results.append(NotebookResult(notebook, FAILED, _zeros(checks, reason), reason))
    return StudentResult(student_dir.name, results, time.monotonic() - start)


def load_sources(
    source_dir: Path, notebooks: Iterable[str] | None = None
) -> dict[str, nbformat.NotebookNode]:
    """The instructor notebooks to grade, by name: those named, else every one with checks."""
    source_dir = Path(source_dir)
    if notebooks:
        names = [Path(name).name.removesuffix(".ipynb") for name in notebooks]
        missing = [name for name in names if not (source_dir / f"{name}.ipynb").is_file()]
        if missing:
            raise FileNotFoundError(f"not in {source_dir}: {', '.join(missing)}")
        return {name: nbformat.read(source_dir / f"{name}.ipynb", as_version=4) for name in names}
    sources = {}
    for path in sorted(source_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if find_checks(nb, path.stem):
            sources[path.stem] = nb
    return sources


def student_dirs(submissions_dir: Path, skip: Iterable[Path] = ()) -> list[Path]:
    """Every student folder (hidden, ``_``-prefixed and ``skip`` folders excluded)."""
    skipped = {Path(path).resolve() for path in skip}
    return sorted(
        path
        for path in Path(submissions_dir).iterdir()
        if path.is_dir() and not path.name.startswith((".", "_")) and path.resolve() not in skipped
    )


def _fingerprint(folders: Iterable[Path]) -> dict[str, tuple[int, int]]:
    state = {}
    for folder in folders:
        for path in Path(folder).rglob("*") if Path(folder).is_dir() else []:
            if path.is_file():
                stat = path.stat()
                state[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return state


def grade_submissions(
    submissions_dir: Path,
    *,
    source_dir: Path = DEFAULT_SOURCE,
    out_dir: Path = DEFAULT_OUT,
    timeout: float = DEFAULT_TIMEOUT,
    notebooks: Iterable[str] | None = None,
    cwd: Path = DEFAULT_WORKDIR,
    protected: Iterable[Path] = PROTECTED_DIRS,
    log: Callable[[str], None] = print,
) -> GradingRun:
    """Grade every student folder of ``submissions_dir``; write the reports into ``out_dir``."""
    submissions_dir, out_dir = Path(submissions_dir), Path(out_dir)
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"no submissions folder {submissions_dir}")
    sources = load_sources(source_dir, notebooks)
    if not sources:
        raise ValueError(f"no graded test cells in the notebooks of {source_dir}")
    checks = [check for name, nb in sources.items() for check in find_checks(nb, name)]
    students = student_dirs(submissions_dir, skip=[out_dir])
    for stale in ("feedback", "executed"):  # ours, from an earlier run
        if (out_dir / stale).is_dir():
            shutil.rmtree(out_dir / stale)
    protected = list(protected)
    before = _fingerprint(protected)

    log(
        f"Grading {len(students)} student(s) on {len(sources)} notebook(s), {len(checks)} checks, "
        f"{_fmt(sum(c.points for c in checks))} points; time limit {_fmt(timeout)} s per notebook"
    )
    results = []
    for student_dir in students:
        result = grade_student(
            student_dir,
            sources,
            cwd=cwd,
            timeout=timeout,
            executed_dir=out_dir / "executed" / student_dir.name,
        )
        results.append(result)
        notes = result.notes()
        log(
            f"  {result.student:<20} {_fmt(result.score):>6} / {_fmt(result.max_score):<6}"
            f" {result.seconds:6.1f} s" + (f"  ({notes})" if notes else "")
        )

    run = GradingRun(checks, results, out_dir)
    if _fingerprint(protected) != before:
        run.warnings.append(
            "WARNING: files under "
            + ", ".join(str(p) for p in protected)
            + " changed during grading (a submission writing outside scratch/, or another job)"
        )
    write_reports(run)
    for warning in run.warnings:
        log(warning)
    log(f"Wrote {out_dir / 'grades.csv'}, grades.md, feedback/ and executed/")
    return run


# ---------------------------------------------------------------------------------------------
# Reports


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_reports(run: GradingRun) -> None:
    """``grades.csv``, ``grades.md`` and ``feedback/<student>.md`` in ``run.out_dir``."""
    out = run.out_dir
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    keys = [check.key for check in run.checks]
    max_total = sum(check.points for check in run.checks)

    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *keys, "total", "max", "notes"])
        for student in run.students:
            scores = {r.check.key: r.score for r in student.checks}
            writer.writerow(
                [
                    student.student,
                    *(_fmt(scores.get(key, 0.0)) for key in keys),
                    _fmt(student.score),
                    _fmt(max_total),
                    student.notes(),
                ]
            )

    notebooks = list(dict.fromkeys(check.notebook for check in run.checks))
    lines = ["# Grades", "", "## Per check", ""]
    lines.append("| student | " + " | ".join(keys) + " | total | max | notes |")
    lines.append("|---" * (len(keys) + 4) + "|")
    for student in run.students:
        scores = {r.check.key: r.score for r in student.checks}
        cells = [_fmt(scores.get(key, 0.0)) for key in keys]
        row = [_md(student.student), *cells, _fmt(student.score), _fmt(max_total)]
        lines.append("| " + " | ".join(row) + f" | {_md(student.notes())} |")
    passed = [
        sum(r.check.key == key and r.passed for s in run.students for r in s.checks) for key in keys
    ]
    lines.append(
        "| *passed by* | " + " | ".join(f"{n}/{len(run.students)}" for n in passed) + " | | | |"
    )
    lines += ["", "## Per notebook", ""]
    lines.append("| student | " + " | ".join(notebooks) + " | total |")
    lines.append("|---" * (len(notebooks) + 2) + "|")
    for student in run.students:
        by_nb = {nb.notebook: nb for nb in student.notebooks}
        cells = [
            f"{_fmt(by_nb[name].score)} / {_fmt(by_nb[name].max_score)}"
            + ("" if by_nb[name].status == OK else f" ({by_nb[name].status})")
            for name in notebooks
        ]
        total = f"{_fmt(student.score)} / {_fmt(max_total)}"
        lines.append(f"| {_md(student.student)} | " + " | ".join(cells) + f" | {total} |")
    lines += ["", *run.warnings]
    (out / "grades.md").write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")

    for student in run.students:
        (out / "feedback" / f"{student.student}.md").write_text(feedback(student), encoding="utf-8")


def feedback(student: StudentResult) -> str:
    """The Markdown feedback for one student."""
    lines = [f"# Feedback: {student.student}", ""]
    lines.append(f"**Score: {_fmt(student.score)} / {_fmt(student.max_score)}**")
    lines += ["", "| notebook | score | status |", "|---|---|---|"]
    for nb in student.notebooks:
        lines.append(f"| {nb.notebook} | {_fmt(nb.score)} / {_fmt(nb.max_score)} | {nb.status} |")

    not_graded = [nb for nb in student.notebooks if nb.status != OK]
    if not_graded:
        lines += ["", "## Notebooks not graded (0 for all their checks)", ""]
        lines += [f"- **{nb.notebook}**: {nb.reason}" for nb in not_graded]

    failed = [r for nb in student.notebooks if nb.status == OK for r in nb.checks if not r.passed]
    lines += ["", "## Failed checks", ""]
    if failed:
        lines += [
            f"- **{r.check.key}** (0 / {_fmt(r.check.points)}): {_md(r.message)}" for r in failed
        ]
    else:
        lines.append("None." if not not_graded else "None among the notebooks that ran.")

    errored = [nb for nb in student.notebooks if nb.cell_errors]
    if errored:
        lines += ["", "## Errors outside the test cells", ""]
        lines.append("These cells raised; later cells that need their results fail with them.")
        lines.append("")
        for nb in errored:
            lines += [f"- {nb.notebook}, {_md(error)}" for error in nb.cell_errors]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom.grading",
        description="Grade student notebooks against the instructor notebooks (nbgrader cells).",
    )
    parser.add_argument("submissions", type=Path, help="one folder per student")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="instructor notebooks")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where reports go")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per notebook"
    )
    parser.add_argument(
        "--notebooks", nargs="+", metavar="NAME", help="grade only these (default: all with checks)"
    )
    parser.add_argument(
        "--cwd", type=Path, default=DEFAULT_WORKDIR, help="working directory of the notebooks"
    )
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        grade_submissions(
            args.submissions,
            source_dir=args.source,
            out_dir=args.out,
            timeout=args.timeout,
            notebooks=args.notebooks,
            cwd=args.cwd,
        )
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Done in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
