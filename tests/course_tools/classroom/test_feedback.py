"""The feedback shows no hidden test, and says when grading ran without a sandbox."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_tools.classroom.feedback import (
    NO_SANDBOX,
    REMOVED,
    GradedWithoutSandbox,
    HideHiddenTests,
    hidden_lines,
    hidden_pieces,
)

TEST = ("result = normalise([0, 255])\n"
        "assert result == [0.0, 1.0], 'normalise([0, 255]) should be [0.0, 1.0]'\n"
        "### BEGIN HIDDEN TESTS\n"
        "assert normalise([]) == [], 'normalise([]) should be an empty list'\n"
        "x = 1\n"
        "### END HIDDEN TESTS")
GRADE = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 2,
                      "grade_id": "test_normalise", "schema_version": 3}}
TRACEBACK = ["\x1b[0;31mAssertionError\x1b[0m  Traceback",
             "\x1b[0;32m----> 4\x1b[0m \x1b[38;5;28;01massert\x1b[39;00m normalise([]) "
             "\x1b[38;5;241m==\x1b[39m [], "
             "\x1b[38;5;124m'normalise([]) should be an empty list'\x1b[39m",
             "\x1b[0;31mAssertionError\x1b[0m: normalise([]) should be an empty list"]


def notebook():
    student = new_code_cell("print(In)", outputs=[
        new_output("stream", name="stdout", text=f"['', {TEST!r}]\n"),
        new_output("stream", name="stdout", text="my own output\n"),
        new_output("display_data",  # 40 characters of a hidden line give it away
                   data={"text/plain": "== [], 'normalise([]) should be an empty li"}),
    ])
    test = new_code_cell(TEST, metadata=GRADE, outputs=[new_output(
        "error", ename="AssertionError", evalue="normalise([]) should be an empty list",
        traceback=TRACEBACK)])
    mine = new_code_cell("### BEGIN HIDDEN TESTS\nprint('a student may write this')")
    return new_notebook(cells=[student, test, mine])


def test_hidden_lines_are_the_long_lines_of_the_test_cells_hidden_regions():
    assert hidden_lines(notebook().cells, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS") == {
        "assert normalise([]) == [], 'normalise([]) should be an empty list'"}


def test_no_hidden_test_is_left_in_the_cells_or_their_outputs():
    nb, _ = HideHiddenTests().preprocess(notebook(), {})
    student, test, mine = nb.cells
    assert "BEGIN HIDDEN" not in test.source and "normalise([])" not in test.source
    assert "should be [0.0, 1.0]" in test.source  # the visible test stays
    assert student.outputs[0].text == REMOVED and student.outputs[2].text == REMOVED
    assert student.outputs[1].text == "my own output\n"
    (error,) = test.outputs
    assert error.ename == "AssertionError"
    assert error.evalue == "normalise([]) should be an empty list"  # the message teaches
    assert error.traceback == [
        "AssertionError: normalise([]) should be an empty list (traceback hidden)"]
    assert mine.source.startswith("### BEGIN HIDDEN TESTS")  # a student's cell is theirs
    assert nbformat.validate(nb) is None


def test_a_notebook_graded_without_a_sandbox_says_so_first():
    nb, _ = GradedWithoutSandbox().preprocess(notebook(), {})
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source == NO_SANDBOX


def test_what_the_notebook_shows_outside_the_hidden_tests_is_no_secret():
    visible = new_code_cell("for name in keras_models:\n    print(name)")
    test = new_code_cell("### BEGIN HIDDEN TESTS\nfor name in keras_models:\n"
                         "    assert name in table, 'every Keras model is in the table'\n"
                         "### END HIDDEN TESTS", metadata=GRADE)
    printed = new_code_cell("print(In)", outputs=[
        new_output("stream", name="stdout", text="for name in keras_models:\n")])
    pieces = hidden_pieces([visible, test], "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert "for name in keras_models:" not in pieces
    assert "assert name in table, 'every Keras model" in pieces  # 40 characters
    nb, _ = HideHiddenTests().preprocess(new_notebook(cells=[visible, test, printed]), {})
    assert nb.cells[2].outputs[0].text == "for name in keras_models:\n"  # kept


def test_text_a_markdown_cell_shows_is_no_secret_as_the_page_renders_it():
    """The page drops markdown's backticks and folds the line break before them: the hidden
    line's run ' interpretation.feature_map_layer(model,' is what 07's text shows."""
    from nbformat.v4 import new_markdown_cell

    text = new_markdown_cell("The last conv layer's maps:\n"
                             "`interpretation.feature_map_layer(model, conv_name)` names it.")
    test = new_code_cell("### BEGIN HIDDEN TESTS\nfor model in (best, baseline):\n"
                         "    layer = interpretation.feature_map_layer(model, conv)\n"
                         "### END HIDDEN TESTS", metadata=GRADE)
    pieces = hidden_pieces([text, test], "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
    assert " interpretation.feature_map_layer(model," not in pieces
    assert "pretation.feature_map_layer(model, conv)" in pieces  # not shown: still a secret
    assert hidden_pieces([test], "BEGIN HIDDEN TESTS", "END HIDDEN TESTS") > pieces
