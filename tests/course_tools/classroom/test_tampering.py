"""Answers that change the tests' tools: found by reading the code, never the course's own."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader import utils as nbgrader_utils

from course_tools.classroom.tampering import ERROR_NAME, FlagTampering, affected, changes, is_module
from tests.notebooks.answer_trials import Right
from tests.notebooks.answers import TABLES
from tests.notebooks.exercise_cells import exercises, read_notebook, with_answer

SETUP = "import builtins\nimport sys\nimport numpy as np\nimport pandas as pd\n"


def found(code: str, setup: str = SETUP):
    return {(change.line, change.what, change.name) for change in
            changes([(1, code)], [setup, code])}


@pytest.mark.parametrize("code, what", [
    ("np.allclose = lambda *a, **k: True", "numpy.allclose"),
    ("np.testing.assert_allclose = print", "numpy.testing.assert_allclose"),
    ("del np.array_equal", "numpy.array_equal"),
    ("setattr(np, 'allclose', print)", "numpy.allclose"),
    ("object.__setattr__(np, 'allclose', print)", "numpy.allclose"),
    ("builtins.isinstance = lambda *a: True", "builtins.isinstance"),
    ("__builtins__.len = len", "builtins.len"),
    ("vars(np)['allclose'] = print", "numpy"),
    ("np.__dict__.update(allclose=print)", "numpy"),
    ("sys.modules['numpy'].allclose = print", "numpy.allclose"),
    ("__import__('numpy').allclose = print", "numpy.allclose"),
    ("globals()['np'] = None", "the notebook's globals"),
    ("from unittest import mock\nmock.patch('numpy.allclose', print).start()",
     "a module (unittest.mock.patch)"),
    ("def f():\n    np.allclose = print", "numpy.allclose"),  # inside a function too
])
def test_a_module_changed_is_found_with_its_line(code, what):
    assert (code.count("\n") + 1, what, None) in found(code)


@pytest.mark.parametrize("code, name", [
    ("isinstance = lambda *a: True", "isinstance"),
    ("def len(x):\n    return 3", "len"),
    ("np = None", "np"),
    ("import math as np", "np"),
    ("for sum in range(3):\n    pass", "sum"),
    ("def f():\n    global abs\n    abs = print", "abs"),
])
def test_a_name_the_tests_use_rebound_is_found(code, name):
    assert any(change[2] == name for change in found(code))


@pytest.mark.parametrize("code", [
    "pd.options.display.max_rows = 10",  # configuring a library, not a module
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (4, 3)",
    "import numpy as np",  # the same module again
    "np.random.seed(0)\nx = np.zeros(3)\nx[0] = 1",
    "def count(labels):\n    total = 0\n    for label in labels:\n        total += 1\n"
    "    return total",
    "model = object()\nmodel.name = 'mine'",
    "this is not python (",
])
def test_ordinary_code_is_not_tampering(code):
    assert found(code) == set()


def test_is_module_reads_the_installed_files():
    assert is_module("numpy") and is_module("numpy.testing") and is_module("builtins")
    assert is_module("os.path")  # imported already
    assert not is_module("pandas.options") and not is_module("no_such_package.x")


def test_a_rebound_name_zeroes_only_the_checks_that_read_it():
    code = "isinstance = lambda *a: True"
    (change,) = changes([(1, code)], [code])
    assert affected(2, "assert isinstance(x, int)", [change]) == [change]
    assert affected(2, "assert x == 1", [change]) == []
    assert affected(0, "assert isinstance(x, int)", [change]) == []  # the test came first
    assert affected(2, "isinstance = builtins.isinstance\nassert isinstance(x, int)",
                    [change]) == []  # it binds the name itself


def test_the_course_notebooks_and_every_correct_answer_change_nothing():
    for name, table in TABLES.items():
        nb = read_notebook(name)
        code = [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        editable = {i: cell.source for i, cell in code
                    if not (nbgrader_utils.is_grade(cell) or nbgrader_utils.is_locked(cell))}
        assert changes(list(editable.items()), [c.source for _, c in code]) == [], name
        for exercise in exercises(nb, name):
            for answer in table.get(exercise.solution_id, []):
                if isinstance(answer, Right):
                    cells = {**editable, exercise.solution_index: with_answer(
                        exercise.solution, answer.code)}
                    assert changes(list(cells.items()), list(cells.values())) == [], (
                        name, exercise.solution_id, answer.name)


def test_the_preprocessor_puts_an_error_in_each_test_cell_it_zeroes():
    nb = new_notebook(cells=[
        new_code_cell("import numpy as np"),
        new_code_cell("np.allclose = lambda *a, **k: True", metadata={"nbgrader": {
            "solution": True, "grade": False, "locked": False, "grade_id": "answer",
            "schema_version": 3}}),
        new_code_cell("assert np.allclose(1, 2)", metadata={"nbgrader": {
            "solution": False, "grade": True, "locked": True, "grade_id": "test_answer",
            "points": 2, "schema_version": 3}}),
    ])
    nb, _ = FlagTampering().preprocess(nb, {"nbgrader": {"notebook": "01_x"}})
    (output,) = nb.cells[2].outputs
    assert output.ename == ERROR_NAME and "changes numpy.allclose" in output.evalue
    assert "cell 2, line 1 (`np.allclose = lambda *a, **k: True`)" in output.evalue
    assert nb.cells[1].outputs == [] and nbformat.validate(nb) is None
