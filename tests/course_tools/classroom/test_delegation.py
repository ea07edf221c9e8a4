"""Answers that call the course's reference implementation of their exercise score 0."""

import ast
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader import utils as nbgrader_utils

from course_tools.classroom import delegation, grading
from course_tools.classroom.export import export_grades
from course_tools.classroom.workspace import GradingOptions
from helpers.settings import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
BACKWARD = ("helpers.numpy_mlp.backward",)
SETUP = ["from helpers import numpy_mlp, preprocessing\nimport numpy as np"]


def nbgrader_cells(path):
    nb = nbformat.read(path, as_version=4)
    return nb, {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def defines(module: str, name: str) -> bool:
    """Whether the file of ``module`` defines a function ``name`` (read, not imported)."""
    path = REPO_ROOT.joinpath(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        path = path.with_suffix("") / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)


def test_the_table_covers_every_exercise_of_the_course():
    assert [path.stem for path in NOTEBOOKS] == list(delegation.REFERENCES)
    for path in NOTEBOOKS:
        nb, cells = nbgrader_cells(path)
        solutions = [c.metadata.nbgrader["grade_id"] for c in nb.cells
                     if nbgrader_utils.is_solution(c)]
        assert solutions == list(delegation.REFERENCES[path.stem]), path.name
        for exercise, references in delegation.REFERENCES[path.stem].items():
            assert delegation.test_cell_id(exercise) in cells, f"{path.stem}: {exercise}"
            for reference in references:
                module, _, name = reference.rpartition(".")
                assert defines(module, name), reference


def test_the_instructor_answers_are_not_flagged():
    for path in NOTEBOOKS:
        nb, cells = nbgrader_cells(path)
        editable = [c.source for c in nb.cells
                    if c.cell_type == "code" and not nbgrader_utils.is_locked(c)]
        for exercise, references in delegation.REFERENCES[path.stem].items():
            solution = cells[exercise].source
            others = [source for source in editable if source != solution]
            assert delegation.delegated_to(solution, others, references) == [], exercise


@pytest.mark.parametrize(
    "answer",
    [
        "def backward(params, cache, labels, weight_decay=0.0):\n"
        "    return numpy_mlp.backward(params, cache, labels, weight_decay)",
        "from helpers.numpy_mlp import backward as reference\n"
        "def backward(p, c, l, w=0.0):\n    return reference(p, c, l, w)",
        "import helpers.numpy_mlp as m\ndef backward(p, c, l, w=0.0):\n"
        "    f = m.backward\n    return f(p, c, l, w)",
        "def backward(p, c, l, w=0.0):\n    return getattr(numpy_mlp, 'backward')(p, c, l, w)",
        "def backward(p, c, l, w=0.0):\n    return helper(p, c, l, w)",  # defined in another cell
        "import helpers\ndef backward(p, c, l, w=0.0):\n"
        "    return helpers.numpy_mlp.backward(p, c, l, w)",
        "%load_ext autoreload\ndef backward(p, c, l, w=0.0):\n"
        "    return numpy_mlp.backward(p, c, l, w)",
    ],
)
def test_delegation_is_found_through_aliases(answer):
    others = [*SETUP, "def helper(*args):\n    return numpy_mlp.backward(*args)"]
    assert delegation.delegated_to(answer, others, BACKWARD) == list(BACKWARD)


@pytest.mark.parametrize(
    "answer",
    [
        "def backward(p, c, l, w=0.0):\n    return backward(p, c, l, w)",  # its own name
        "def backward(p, c, l, w=0.0):\n    z, cache = numpy_mlp.forward(p, c['x'])\n"
        "    return model.backward(z)",
        "def backward(p, c, l, w=0.0):\n    return {'W1': data.backward}",  # data is a variable
        "def backward(p, c, l, w=0.0):\n    return (",  # does not parse: nothing to read
    ],
)
def test_other_code_is_not_flagged(answer):
    others = [*SETUP, "from helpers import data\ndata = make_data()"]
    assert delegation.delegated_to(answer, others, BACKWARD) == []


def test_star_imports_and_reexports_count():
    forbidden = ("helpers.exploration.class_counts",)
    answer = "def count_per_class(labels):\n    return class_counts(labels)"
    assert delegation.delegated_to(answer, ["from helpers.exploration import *"], forbidden)
    reexport = "def count_per_class(labels):\n    return helpers.plots.class_counts(labels)"
    assert delegation.delegated_to(reexport, ["import helpers.plots"], forbidden)
    assert delegation.delegated_to(answer, [], ()) == []


def graded_cell(grade_id, source, *, solution):
    meta = {"grade": not solution, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution}
    if not solution:
        meta["points"] = 4
    return new_code_cell(source, metadata={"nbgrader": meta})


def test_the_preprocessor_fails_the_exercises_test_cell_with_a_reason():
    nb = new_notebook(cells=[
        new_code_cell(SETUP[0]),
        graded_cell("mlp_backward", "def backward(*a):\n    return numpy_mlp.backward(*a)",
                    solution=True),
        graded_cell("test_mlp_backward", "assert True", solution=False),
        graded_cell("choose_best", "def choose_best(d):\n    return max(d, key=d.get)",
                    solution=True),
        graded_cell("test_choose_best", "assert True", solution=False),
    ])
    resources = {"nbgrader": {"notebook": "06_improve"}}
    nb, _ = delegation.FlagDelegation().preprocess(nb, resources)
    test, other = nb.cells[2], nb.cells[4]
    assert nbgrader_utils.determine_grade(test) == (0, 4)
    assert nbgrader_utils.determine_grade(other) == (4, 4)
    (error,) = test.outputs
    assert error.ename == "DelegationError"
    assert "`helpers.numpy_mlp.backward`" in error.evalue and "mlp_backward" in error.evalue


def test_the_real_02_preprocess_is_graded_and_delegation_caught(new_course, tmp_path):
    """One real course notebook through the whole pipeline: the answers score 6, an answer
    that calls preprocessing.scale_images loses that exercise's 2 points."""
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(REPO_ROOT / "notebooks" / "02_preprocess.ipynb", source)
    nb, cells = nbgrader_cells(source / "02_preprocess.ipynb")
    students = tmp_path / "submissions"
    (students / "answers").mkdir(parents=True)
    nbformat.write(nb, students / "answers" / "02_preprocess.ipynb")
    cells["normalise"].source = (
        "def normalise(images):\n    return preprocessing.scale_images(images)\n\n\n"
        "x_train_scaled = normalise(x_train_raw)"
    )
    (students / "calls_the_reference").mkdir()
    nbformat.write(nb, students / "calls_the_reference" / "02_preprocess.ipynb")
    run = grading.grade_class(
        students, course=new_course(tmp_path / "course"), source=source, workers=2,
        options=GradingOptions(timeout=120), protected=[], log=lambda _: None,
    )
    scores = {outcome.student: outcome for outcome in run.graded}
    assert set(scores) == {"answers", "calls_the_reference"}
    import csv

    with open(export_grades(run.course), newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert rows["answers"]["score"] == "6"
    assert rows["calls_the_reference"]["score"] == "4"
    assert rows["calls_the_reference"]["02_preprocess:test_normalise"] == "0"
