"""Try many answers to a notebook's exercises in one pass over the notebook, in this process.

The notebook's code cells run in order in one namespace (its outputs go to a folder of their
own through ``MNIST_COURSE_OUTPUT``), up to the test cell of its last exercise. At each
exercise, every answer of its table runs on a shallow copy of that namespace: the solution
cell with the answer in place of its solution regions, then the instructor's test cell and (for a
correct answer, which must pass both) the student edition's test cell, each on a copy of its
own. Then the notebook's own cells go on.

Only the cells the exercises need run: the setup cell, the exercises' own cells, and every
earlier cell that defines a name one of those reads, transitively (:func:`needed_cells`).
Figures, checkpoints and long training that no exercise needs are left out; a cell needed only
for a side effect would be missed, and the reference answer's failure would show it.

A test cell's result is one of:

- ``passed``: full points;
- ``failed``: an ``AssertionError``, with its message: zero points, and the message tells why;
- ``answer raised``: another exception, raised inside the answer's own code;
- ``test crashed``: another exception, raised by the test cell's own code, which a test cell
  must never do (it has to check types and shapes before it relies on them).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import os
import shutil
import symtable
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.settings import OUTPUT_ENV_VAR, REPO_ROOT
from tests.notebooks.exercise_cells import (
    NOTEBOOKS,
    Exercise,
    exercises,
    read_notebook,
    with_answer,
)

PASSED, FAILED, ANSWER_RAISED, TEST_CRASHED = "passed", "failed", "answer raised", "test crashed"
# The trained models notebooks 05, 07 and 08 load: the committed full-profile ones, copied into
# each run's own output folder (training them again in the quick profile would only cost time).
SEEDED_MODELS = (
    "baseline_cnn.keras",
    "baseline_cnn.history.json",
    "improved_cnn.keras",
    "best_cnn.keras",
)


@dataclass(frozen=True)
class Right:
    """A correct answer: it must score full points in both versions of the test cell."""

    name: str
    code: str | tuple[str, ...]  # one string per solution region of the cell


@dataclass(frozen=True)
class Wrong:
    """A typical mistake: the instructor's test cell must fail with an AssertionError whose
    message contains ``says``."""

    name: str
    code: str | tuple[str, ...]
    says: str


@dataclass(frozen=True)
class Outcome:
    """What one test cell did with one answer."""

    status: str
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def __str__(self) -> str:
        return f"{self.status}: {self.message}" if self.message else self.status


@dataclass(frozen=True)
class Trial:
    """One answer tried on one exercise."""

    answer: Right | Wrong
    cell_error: str  # what the answer's own cell raised, "" when it ran
    instructor: Outcome
    student: Outcome | None  # not run for a Wrong answer


class NotebookError(RuntimeError):
    """A cell of the notebook itself failed, so its exercises could not be tried."""


def run_test_cell(source: str, namespace: dict, filename: str, answer_file: str) -> Outcome:
    """Execute a test cell in ``namespace`` and say how it went (see the module docstring)."""
    try:
        _execute(source, namespace, filename)
    except AssertionError as error:
        return Outcome(FAILED, str(error))
    except Exception as error:  # anything else a test cell or an answer can raise
        status = ANSWER_RAISED if _raised_in(error, answer_file) else TEST_CRASHED
        return Outcome(status, f"{type(error).__name__}: {error}")
    return Outcome(PASSED)


def try_answer(exercise: Exercise, answer: Right | Wrong, namespace: Mapping) -> Trial:
    """Run ``answer``'s solution cell, then the instructor's test cell and, for a right answer,
    the student's, each on a copy of ``namespace``."""
    answer_file = f"<answer {exercise.solution_id}: {answer.name}>"
    return _trial(
        exercise, answer, with_answer(exercise.solution, answer.code), answer_file, namespace
    )


def try_source(exercise: Exercise, label: str, source: str, namespace: Mapping) -> Trial:
    """Like :func:`try_answer` for a whole solution cell (the reference, or the stub)."""
    return _trial(
        exercise, Right(label, ""), source, f"<answer {exercise.solution_id}: {label}>", namespace
    )


def _trial(exercise, answer, source, answer_file, namespace) -> Trial:
    answered = dict(namespace)
    cell_error = ""
    try:
        _execute(source, answered, answer_file)
    except Exception as error:  # the answer's own cell fails; the tests still run, as in grading
        cell_error = f"{type(error).__name__}: {error}"
    test_file = f"<{exercise.test_id}: %s>"
    instructor = run_test_cell(
        exercise.instructor_test, dict(answered), test_file % "instructor", answer_file
    )
    student = None  # a mistake may pass the visible tests; only a right answer must pass both
    if isinstance(answer, Right):
        student = run_test_cell(
            exercise.student_test, dict(answered), test_file % "student", answer_file
        )
    return Trial(answer, cell_error, instructor, student)


def names_used(source: str) -> set[str]:
    """The global names ``source`` reads before it binds them itself, in its functions and
    comprehensions too: what it needs from earlier cells."""
    reads = _Reads()
    reads.visit(ast.parse(source))
    return reads.names


class _Reads(ast.NodeVisitor):
    """Visits a cell in the order Python runs it, noting each name read before it is bound.

    The body of a function, a lambda or a comprehension counts as read where it is defined,
    less its own parameters and the names it binds (its locals)."""

    def __init__(self):
        self.bound: set[str] = set()
        self.names: set[str] = set()

    def _read(self, names):
        self.names.update(set(names) - self.bound)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            self._read([node.id])
        else:
            self.bound.add(node.id)

    def visit_Assign(self, node):
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node):
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self._read([node.target.id])
        self.visit(node.target)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_NamedExpr(self, node):
        self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node):
        self.visit(node.iter)
        self.visit(node.target)
        for statement in node.body + node.orelse:
            self.visit(statement)

    visit_AsyncFor = visit_For

    def visit_Import(self, node):
        self.bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node):
        for expression in node.decorator_list + node.args.defaults + node.args.kw_defaults:
            if expression is not None:
                self.visit(expression)
        self._scope(node)
        self.bound.add(node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        for expression in node.decorator_list + node.bases:
            self.visit(expression)
        self._scope(node)
        self.bound.add(node.name)

    def visit_Lambda(self, node):
        for expression in node.args.defaults + node.args.kw_defaults:
            if expression is not None:
                self.visit(expression)
        self._scope(node)

    def visit_ListComp(self, node):
        self._scope(node)

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def _scope(self, node):
        """Names a nested scope reads that are neither its parameters nor its locals."""
        inner = [n for n in ast.walk(node) if n is not node]
        local = {n.arg for n in inner if isinstance(n, ast.arg)}
        local |= {
            n.id for n in inner if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
        }
        local |= {n.name for n in inner if isinstance(n, ast.FunctionDef | ast.ClassDef)}
        self._read(
            n.id
            for n in inner
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in local
        )


def names_defined(source: str) -> set[str]:
    """The names ``source`` binds at the top level (not those local to a function, a class or
    a comprehension), as Python's own symbol table sees them."""
    return {
        symbol.get_name()
        for symbol in symtable.symtable(source, "<cell>", "exec").get_symbols()
        if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()
    }


def needed_cells(
    sources: Mapping[int, str], targets: Iterable[int], extra_names: Iterable[str] = ()
) -> set[int]:
    """The cells (index -> source) that ``targets`` need: each target, and every cell that
    binds a name a later needed cell reads (or one of ``extra_names``, read by every target).
    The first cell, the notebook's setup, is always needed."""
    order = sorted(sources)
    targets = set(targets)
    needed, wanted = {order[0]}, set()
    for index in reversed(order):
        if index in targets:
            wanted |= set(extra_names)
        elif not names_defined(sources[index]) & wanted:
            continue
        needed.add(index)
        wanted |= names_used(sources[index])
    return needed


def try_notebook(
    name: str,
    tables: Mapping[str, Sequence[Right | Wrong]],
    output_root: Path,
    *,
    stand_ins: Mapping[str, str] | None = None,
    folder: Path = NOTEBOOKS,
) -> dict[str, list[Trial]]:
    """Run notebook ``name`` of ``folder`` and try every answer of ``tables`` (solution
    grade_id -> answers) at its exercise; only the cells the exercises need run
    (:func:`needed_cells`).

    Returns solution grade_id -> trials: the notebook's own solution first ("reference"), the
    table's answers, and last the stub students receive ("unanswered"). ``stand_ins`` maps the
    first line of a long cell to code that binds the same names more cheaply (from the
    committed full run); each must name exactly one cell. Raises :class:`NotebookError` when
    one of the notebook's own cells fails.
    """
    nb = read_notebook(name, folder)
    listed = exercises(nb, name)
    if not listed:
        raise ValueError(f"{name} has no exercises")
    found = {exercise.solution_index: exercise for exercise in listed}
    unknown = set(tables) - {exercise.solution_id for exercise in found.values()}
    if unknown:
        raise ValueError(f"{name} has no exercise {sorted(unknown)}")
    sources = {
        index: cell.source
        for index, cell in enumerate(nb.cells[: listed[-1].test_index + 1])
        if cell.cell_type == "code"
    }
    sources.update(_stand_ins(sources, stand_ins or {}, name))
    by_id = {exercise.solution_id: exercise for exercise in listed}
    answered = [
        with_answer(by_id[solution_id].solution, answer.code)
        for solution_id, table in tables.items()
        for answer in table
    ]
    run = needed_cells(
        sources,
        [index for e in listed for index in (e.solution_index, e.test_index)],
        set().union(*map(names_used, answered)),
    )

    _prepare_output(output_root)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    trials: dict[str, list[Trial]] = {}
    printed = io.StringIO()
    with _output_folder(output_root), contextlib.redirect_stdout(printed):
        for index in sorted(run):
            exercise = found.get(index)
            if exercise is not None:
                trials[exercise.solution_id] = _try_all(exercise, tables, namespace)
            try:
                _execute(sources[index], namespace, f"<{name} cell {index}>")
            except Exception as error:
                tail = printed.getvalue()[-2000:]
                raise NotebookError(
                    f"{name}, cell {index} failed: {type(error).__name__}: {error}\n"
                    f"cell:\n{sources[index]}\nlast output:\n{tail}"
                ) from error
    return trials


def _try_all(exercise, tables, namespace) -> list[Trial]:
    return [
        try_source(exercise, "reference", exercise.solution, namespace),
        *(
            try_answer(exercise, answer, namespace)
            for answer in tables.get(exercise.solution_id, ())
        ),
        try_source(exercise, "unanswered", exercise.stub, namespace),
    ]


def _stand_ins(sources: Mapping[int, str], stand_ins: Mapping[str, str], name: str) -> dict:
    replaced = {}
    for first_line, code in stand_ins.items():
        matching = [i for i, source in sources.items() if source.split("\n", 1)[0] == first_line]
        if len(matching) != 1:
            raise ValueError(
                f"{name}: {len(matching)} code cells up to the last test cell start with "
                f"{first_line!r}; a stand-in replaces exactly one"
            )
        replaced[matching[0]] = code
    return replaced


def _prepare_output(output_root: Path) -> None:
    models = Path(output_root) / "models"
    models.mkdir(parents=True, exist_ok=True)
    for file_name in SEEDED_MODELS:
        shutil.copy2(REPO_ROOT / "models" / file_name, models / file_name)


@contextlib.contextmanager
def _output_folder(output_root: Path):
    """``MNIST_COURSE_OUTPUT`` set to ``output_root`` for the duration, then restored."""
    before = os.environ.get(OUTPUT_ENV_VAR)
    os.environ[OUTPUT_ENV_VAR] = str(output_root)
    try:
        yield
    finally:
        if before is None:
            del os.environ[OUTPUT_ENV_VAR]
        else:
            os.environ[OUTPUT_ENV_VAR] = before


def _execute(source: str, namespace: dict, filename: str) -> None:
    exec(compile(source, filename, "exec"), namespace)


def _raised_in(error: BaseException, filename: str) -> bool:
    """True when a frame of ``error``'s traceback runs code compiled from ``filename``."""
    frame = error.__traceback__
    while frame is not None:
        if frame.tb_frame.f_code.co_filename == filename:
            return True
        frame = frame.tb_next
    return False
