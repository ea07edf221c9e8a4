"""The exercises of the course notebooks, read from their nbgrader cells (no kernel needed).

An exercise is a solution cell (``### BEGIN SOLUTION`` ... ``### END SOLUTION``, one region or
more) followed by its graded test cell, whose ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN
TESTS`` part only the instructor version has. The student version of each cell is made by
nbgrader's own preprocessors (``ClearSolutions``, ``ClearHiddenTests``), as ``nbgrader
generate_assignment`` makes the student edition.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

from helpers.settings import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass(frozen=True)
class Exercise:
    """One exercise: its solution cell and the two versions of its test cell."""

    notebook: str
    solution_id: str
    test_id: str
    points: float
    solution: str  # the instructor's solution cell
    stub: str  # the same cell as students receive it (# YOUR CODE HERE ...)
    instructor_test: str  # the test cell with its hidden tests
    student_test: str  # the same cell as the student edition hands it out
    solution_index: int  # positions of the two cells in the notebook
    test_index: int

    @property
    def key(self) -> str:
        return f"{self.notebook}:{self.solution_id}"


def read_notebook(name: str, folder: Path = NOTEBOOKS) -> nbformat.NotebookNode:
    """The notebook ``name`` (``"01_explore"``) of ``folder``."""
    path = Path(folder) / f"{name}.ipynb"
    if not path.is_file():
        raise FileNotFoundError(f"no notebook {name!r} in {folder}")
    return nbformat.read(path, as_version=4)


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def exercises(nb: nbformat.NotebookNode, name: str) -> list[Exercise]:
    """The exercises of ``nb`` in notebook order; ValueError when the code cell after a
    solution cell is not a graded test cell (Markdown cells may come between)."""
    student = {grade_id(cell): cell for cell in student_version(nb).cells}
    found = []
    for index, cell in enumerate(nb.cells):
        if not nbgrader_utils.is_solution(cell):
            continue
        test_index = next(
            (i for i in range(index + 1, len(nb.cells)) if nb.cells[i].cell_type == "code"), None
        )
        following = None if test_index is None else nb.cells[test_index]
        if following is None or not nbgrader_utils.is_grade(following):
            raise ValueError(f"{name}: solution cell {grade_id(cell)!r} has no test cell after it")
        found.append(
            Exercise(
                notebook=name,
                solution_id=grade_id(cell),
                test_id=grade_id(following),
                points=float(following.metadata.nbgrader.get("points", 0)),
                solution=cell.source,
                stub=student[grade_id(cell)].source,
                instructor_test=following.source,
                student_test=student[grade_id(following)].source,
                solution_index=index,
                test_index=test_index,
            )
        )
    return found


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` with its solutions replaced by stubs and its hidden tests removed, by nbgrader's
    preprocessors (``nb`` itself is left untouched)."""
    student = copy.deepcopy(nb)
    for preprocessor in (ClearSolutions(), ClearHiddenTests()):
        student, _ = preprocessor.preprocess(student, {})
    return student


def solution_regions(source: str) -> list[str]:
    """The code between each ``### BEGIN SOLUTION`` and ``### END SOLUTION`` of ``source``,
    dedented."""
    return [textwrap.dedent("\n".join(body)) for _, _, body in _regions(source.splitlines())]


def with_answer(source: str, answer: str | tuple[str, ...]) -> str:
    """``source`` with its solution regions (markers included) replaced by ``answer``: one
    string per region, written without indentation (it takes the BEGIN marker's)."""
    parts = (answer,) if isinstance(answer, str) else tuple(answer)
    lines = source.splitlines()
    regions = _regions(lines)
    if len(parts) != len(regions):
        raise ValueError(f"the cell has {len(regions)} solution regions, the answer {len(parts)}")
    for (begin, end, _), part in zip(reversed(regions), reversed(parts), strict=True):
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        body = textwrap.indent(textwrap.dedent(part).strip("\n"), indent, lambda line: True)
        lines[begin : end + 1] = body.splitlines()
    return "\n".join(lines) + "\n"


def _regions(lines: list[str]) -> list[tuple[int, int, list[str]]]:
    """(line of BEGIN, line of END, the lines between) of every solution region."""
    regions, begin = [], None
    for number, line in enumerate(lines):
        if line.strip() == BEGIN:
            if begin is not None:
                raise ValueError(f"line {number + 1}: {BEGIN} inside another solution region")
            begin = number
        elif line.strip() == END:
            if begin is None:
                raise ValueError(f"line {number + 1}: {END} without {BEGIN}")
            regions.append((begin, number, lines[begin + 1 : number]))
            begin = None
    if begin is not None:
        raise ValueError(f"line {begin + 1}: {BEGIN} is never closed")
    if not regions:
        raise ValueError("no solution region in the cell")
    return regions
