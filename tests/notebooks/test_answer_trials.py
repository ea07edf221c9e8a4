"""Unit tests of the machinery that tries answers on the notebooks' exercises, on tiny made-up
notebooks (no TensorFlow): reading the exercises, swapping answers in, slicing out the cells
the exercises need, and telling a failed test from a crashed one."""

import os

import nbformat
import pytest

from tests.notebooks import answer_trials
from tests.notebooks.answer_trials import (
    ANSWER_RAISED,
    FAILED,
    PASSED,
    TEST_CRASHED,
    NotebookError,
    Right,
    Wrong,
    names_defined,
    names_used,
    needed_cells,
    run_test_cell,
    try_notebook,
)
from tests.notebooks.exercise_cells import exercises, solution_regions, with_answer

SOLUTION = '''def double(x):
    """Twice x."""
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION


doubled = double(base)
'''
TEST = """assert double(2) == 4, f"double(2) should be 4, got {double(2)}"
### BEGIN HIDDEN TESTS
assert double(-1) == -2, "double(-1) should be -2"
### END HIDDEN TESTS
"""


def graded(source, grade_id, *, solution):
    metadata = {
        "grade_id": grade_id,
        "locked": not solution,
        "schema_version": 3,
        "solution": solution,
        "grade": not solution,
    }
    if not solution:
        metadata["points"] = 1
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": metadata})


def write_notebook(folder, name, cells):
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nbformat.write(nb, folder / f"{name}.ipynb")
    return nb


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(
        folder,
        "99_tiny",
        [
            nbformat.v4.new_code_cell("base = 3"),
            nbformat.v4.new_code_cell("raise RuntimeError('a cell no exercise needs')"),
            nbformat.v4.new_markdown_cell("**Exercise.** Write `double(x)`."),
            graded(SOLUTION, "double", solution=True),
            nbformat.v4.new_markdown_cell("A word between the answer and its test."),
            graded(TEST, "test_double", solution=False),
            nbformat.v4.new_code_cell("print(doubled)"),
        ],
    )
    return folder


# ---------------------------------------------------------------------------------------------
# exercise_cells


def test_exercises_pairs_each_solution_with_the_next_code_cell(folder):
    nb = nbformat.read(folder / "99_tiny.ipynb", as_version=4)
    (exercise,) = exercises(nb, "99_tiny")
    assert (exercise.solution_id, exercise.test_id, exercise.points) == ("double", "test_double", 1)
    assert (exercise.solution_index, exercise.test_index) == (3, 5)
    assert "HIDDEN" in exercise.instructor_test
    assert "HIDDEN" not in exercise.student_test and "double(2) == 4" in exercise.student_test
    assert "raise NotImplementedError()" in exercise.stub and "return 2 * x" not in exercise.stub


def test_exercises_refuses_a_solution_without_its_test(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[graded(SOLUTION, "double", solution=True), nbformat.v4.new_code_cell("print(1)")]
    )
    with pytest.raises(ValueError, match="solution cell 'double' has no test cell after it"):
        exercises(nb, "broken")


def test_with_answer_replaces_each_region_at_its_indentation():
    answered = with_answer(
        SOLUTION,
        """
        result = x + x
        return result
    """,
    )
    assert "    result = x + x\n    return result\n" in answered
    assert "BEGIN SOLUTION" not in answered and "return 2 * x" not in answered
    assert answered.endswith("doubled = double(base)\n")
    assert solution_regions(SOLUTION) == ["return 2 * x"]


def test_with_answer_needs_one_part_per_region():
    two = (
        SOLUTION
        + "\n\ndef half(x):\n    ### BEGIN SOLUTION\n    return x / 2\n    ### END SOLUTION\n"
    )
    answered = with_answer(two, ("return x * 2", "return x * 0.5"))
    assert "return x * 2" in answered and "return x * 0.5" in answered
    with pytest.raises(ValueError, match="2 solution regions, the answer 1"):
        with_answer(two, "return 0")


@pytest.mark.parametrize(
    "source, message",
    [
        ("x = 1\n", "no solution region"),
        ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n### END SOLUTION\n", "without ### BEGIN SOLUTION"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
    ],
)
def test_with_answer_refuses_broken_markers(source, message):
    with pytest.raises(ValueError, match=message):
        with_answer(source, "x = 2")


# ---------------------------------------------------------------------------------------------
# Which cells an exercise needs


def test_names_used_counts_reads_before_the_cell_binds_them():
    source = (
        "def f(a):\n    b = a + c\n    return [x for x in b if x > d]\n"
        "for n in m:\n    print(n)\nmodel = g(model)\nt += 1\nimport q\nq.x\n"
    )
    assert names_used(source) == {"c", "d", "m", "print", "g", "model", "t"}


def test_names_defined_ignores_locals():
    source = (
        "import os.path as p, numpy\nfor i in r:\n    q = 1\ndef f():\n    t = 1\n[k for k in z]\n"
    )
    assert names_defined(source) == {"p", "numpy", "i", "q", "f"}


def test_needed_cells_follows_names_back_from_the_targets():
    sources = {
        0: "import numpy as np",
        1: "data = np.arange(3)",
        2: "figure = draw(data)",  # read by nobody later
        3: "scale = 2",
        4: "answer = data * scale",  # the exercise
        5: "later = answer",  # after the exercise
    }
    assert needed_cells(sources, [4]) == {0, 1, 3, 4}
    assert needed_cells(sources, [4], extra_names={"figure"}) == {0, 1, 2, 3, 4}


# ---------------------------------------------------------------------------------------------
# Running a test cell


def test_run_test_cell_tells_the_four_outcomes_apart():
    answer_file = "<answer x: y>"
    namespace = {}
    exec(compile("def broken():\n    raise KeyError('k')\n", answer_file, "exec"), namespace)
    cases = {
        "assert 1 == 1": (PASSED, ""),
        "assert 1 == 2, 'one is not two'": (FAILED, "one is not two"),
        "broken()": (ANSWER_RAISED, "KeyError: 'k'"),
        "[1, 2].sum()": (TEST_CRASHED, "AttributeError: 'list' object has no attribute 'sum'"),
    }
    for source, expected in cases.items():
        outcome = run_test_cell(source, dict(namespace), "<test>", answer_file)
        assert (outcome.status, outcome.message) == expected, source
    assert str(run_test_cell("assert False, 'why'", {}, "<test>", answer_file)) == "failed: why"


# ---------------------------------------------------------------------------------------------
# Trying a table on a notebook


def test_try_notebook_grades_every_answer_and_the_stub(folder, tmp_path):
    table = {
        "double": [
            Right("x + x", "return x + x"),
            Wrong("off by one", "return 2 * x + 1", "double(2) should be 4"),
            Wrong("positive only", "return 2 * abs(x)", "double(-1) should be -2"),
            Wrong("a list", "return [x, x]", "got [2, 2]"),
        ]
    }
    trials = try_notebook("99_tiny", table, tmp_path / "out", folder=folder)
    results = {t.answer.name: t for t in trials["double"]}
    assert list(results) == [
        "reference",
        "x + x",
        "off by one",
        "positive only",
        "a list",
        "unanswered",
    ]
    assert results["reference"].instructor.passed and results["reference"].student.passed
    assert results["x + x"].instructor.passed and results["x + x"].student.passed
    assert results["off by one"].instructor.status == FAILED
    assert results["off by one"].student is None  # a mistake runs against the instructor only
    assert results["positive only"].instructor.message == "double(-1) should be -2"
    assert results["a list"].instructor.message == "double(2) should be 4, got [2, 2]"
    stub = results["unanswered"]
    assert stub.cell_error.startswith("NotImplementedError")
    assert stub.instructor.status == ANSWER_RAISED and stub.student.status == ANSWER_RAISED
    assert (tmp_path / "out" / "models" / "baseline_cnn.keras").is_file()


def test_try_notebook_uses_stand_ins(folder, tmp_path):
    trials = try_notebook(
        "99_tiny", {}, tmp_path / "out", folder=folder, stand_ins={"base = 3": "base = 30"}
    )
    assert trials["double"][0].instructor.passed
    with pytest.raises(ValueError, match="a stand-in replaces exactly one"):
        try_notebook(
            "99_tiny", {}, tmp_path / "out", folder=folder, stand_ins={"no such line": "x = 1"}
        )


def test_try_notebook_reports_a_failing_cell_of_the_notebook(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(
        folder,
        "98_broken",
        [
            nbformat.v4.new_code_cell("base = undefined_name"),
            graded(SOLUTION, "double", solution=True),
            graded(TEST, "test_double", solution=False),
        ],
    )
    with pytest.raises(NotebookError, match="98_broken, cell 0 failed: NameError"):
        try_notebook("98_broken", {}, tmp_path / "out", folder=folder)


def test_try_notebook_refuses_unknown_exercises_and_notebooks(folder, tmp_path):
    with pytest.raises(ValueError, match="has no exercise"):
        try_notebook("99_tiny", {"triple": []}, tmp_path / "out", folder=folder)
    with pytest.raises(FileNotFoundError, match="no notebook 'nope'"):
        try_notebook("nope", {}, tmp_path / "out", folder=folder)


def test_output_folder_is_restored(folder, tmp_path, monkeypatch):
    monkeypatch.setenv(answer_trials.OUTPUT_ENV_VAR, "before")
    try_notebook("99_tiny", {}, tmp_path / "out", folder=folder)
    assert os.environ[answer_trials.OUTPUT_ENV_VAR] == "before"
