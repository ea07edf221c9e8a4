"""Code that reaches outside its notebook is named, the instructor's own lines are not."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from course_tools.classroom.attempts import findings, reaching_out
from course_tools.classroom.submissions import collect

INSTRUCTOR = "import subprocess\nimport numpy as np\nprint(np.zeros(3))"


def test_findings_name_each_reach_outside():
    code = ("import os, sqlite3\nfrom socket import create_connection\n"
            "os.kill(os.getppid(), 9)\nfor f in os.walk('/'):\n    pass\n"
            "open('/root/.bashrc', 'a')\nopen('/submission/outputs/x.txt', 'w')\n"
            "open('notes.txt')")
    assert findings(code, {"os": "os"}) == [
        (1, "imports sqlite3"), (2, "imports socket.create_connection"),
        (3, "calls os.kill"), (4, "calls os.walk"),
        (6, "opens a path outside its folder with open")]
    assert findings("this is not ( python", {}) == []


def test_a_hand_in_is_named_only_where_it_differs_from_the_instructor(tmp_path):
    (tmp_path / "instructor").mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell(INSTRUCTOR)]),
                   tmp_path / "instructor" / "01_x.ipynb")
    student = tmp_path / "class" / "bob"
    student.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[new_code_cell(INSTRUCTOR),
                                       new_code_cell("import sqlite3")]),
                   student / "01_x.ipynb")
    (note,) = reaching_out(collect(student, ["01_x"]), tmp_path / "instructor")
    assert note.startswith("01_x: code that reaches outside the notebook")
    assert "cell 2 line 1 imports sqlite3" in note and "subprocess" not in note
    honest = tmp_path / "class" / "ann"
    honest.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell(INSTRUCTOR)]), honest / "01_x.ipynb")
    assert reaching_out(collect(honest, ["01_x"]), tmp_path / "instructor") == []
