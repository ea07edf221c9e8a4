"""A student's working copy: the environment its kernels get, the gradebook snapshot, what
its kernels started ahead import."""

import os
import sqlite3

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from course_tools.classroom import workspace
from course_tools.classroom.course import Course
from course_tools.classroom.submissions import HandIn


def test_kernels_write_into_the_workspace_in_the_chosen_profile(tmp_path):
    env = workspace.GradingOptions(profile="quick", threads=1).kernel_env(tmp_path / "out")
    assert env["MNIST_COURSE_OUTPUT"] == str(tmp_path / "out")
    assert env["MNIST_COURSE_PROFILE"] == "quick"
    assert env["TF_NUM_INTRAOP_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    assert "TF_NUM_INTRAOP_THREADS" not in workspace.GradingOptions().kernel_env(tmp_path)


def test_environment_is_restored(monkeypatch):
    monkeypatch.setenv("MNIST_GRADING_PROBE", "before")
    monkeypatch.delenv("MNIST_GRADING_NEW", raising=False)
    with workspace.environment({"MNIST_GRADING_PROBE": "x", "MNIST_GRADING_NEW": "y"}):
        assert os.environ["MNIST_GRADING_PROBE"] == "x" and os.environ["MNIST_GRADING_NEW"] == "y"
    assert os.environ["MNIST_GRADING_PROBE"] == "before"
    assert "MNIST_GRADING_NEW" not in os.environ


def test_snapshot_copies_the_gradebook(tmp_path):
    course = Course(tmp_path / "course")
    course.root.mkdir()
    with sqlite3.connect(course.gradebook) as db:
        db.execute("create table grade (score real)")
        db.execute("insert into grade values (2.5)")
    copy = workspace.snapshot_gradebook(course, tmp_path / "work" / "snapshot.db")
    with sqlite3.connect(copy) as db:
        assert db.execute("select score from grade").fetchall() == [(2.5,)]


def test_nothing_handed_in_is_recorded_as_zeros_with_its_timestamp(new_course, tmp_path):
    work = new_course(tmp_path / "work")
    with work.open_gradebook() as gradebook:
        gradebook.add_assignment("mnist")
        gradebook.add_notebook("01_x", "mnist")
        gradebook.add_grade_cell("test_a", "01_x", "mnist", max_score=2, cell_type="code")
    work.submitted_dir("ann").mkdir(parents=True)
    (work.submitted_dir("ann") / "timestamp.txt").write_text("2030-01-01 10:00:00 UTC\n")
    workspace.record_nothing_handed_in(work, "ann")
    with work.open_gradebook() as gradebook:
        submission = gradebook.find_submission("mnist", "ann")
        assert submission.timestamp.year == 2030 and submission.score == 0
        grade = gradebook.find_grade("test_a", "01_x", "mnist", "ann")
        assert grade.auto_score == 0 and not grade.needs_manual_grade


def test_kernels_started_ahead_import_what_the_instructors_notebooks_import(tmp_path):
    work = Course(tmp_path / "work")
    work.source_dir.mkdir(parents=True)
    nbformat.write(new_notebook(cells=[new_code_cell("import numpy\nfrom helpers import plots")]),
                   work.source_dir / "02_b.ipynb")
    nbformat.write(new_notebook(cells=[new_code_cell("import keras")]),
                   work.source_dir / "01_a.ipynb")
    student = tmp_path / "ann"  # her 02_b imports nothing: the instructor's copy is read
    hand_in = HandIn("ann", student, found={name: student / f"{name}.ipynb" for name in
                                            ("02_b", "01_a", "03_not_in_source", "04_broken")},
                     unreadable={"04_broken": "not a notebook"})
    assert list(workspace.preloads(work, hand_in).items()) == [  # in nbgrader's order
        ("01_a", ("keras",)), ("02_b", ("numpy", "helpers", "helpers.plots")),
        ("03_not_in_source", ())]
