"""The nbgrader course folder: its settings, and generate_assignment only when needed."""

import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests
from traitlets.config import Config
from traitlets.utils.importstring import import_item

from course_tools.classroom import course as course_module
from course_tools.classroom.course import Course, CourseError

SOURCE = Path(__file__).resolve().parent / "fixtures" / "grading" / "source"


def test_autograde_is_nbgraders_pipeline_guarded_with_one_step_added():
    added = ("FlagTampering",)
    ours = [name.rsplit(".", 1)[1] for name in course_module.AUTOGRADE_PREPROCESSORS]
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    theirs = [cls.__name__ for cls in default]
    assert [name for name in ours if name not in added] == ["Guarded" + theirs[0], *theirs[1:]]
    assert issubclass(import_item(course_module.AUTOGRADE_PREPROCESSORS[0]), default[0])
    assert ours[1:2] == list(added)  # reads what the execution left


def test_feedback_is_nbgraders_pipeline_with_the_hidden_tests_kept_hidden():
    default = GenerateFeedback.class_traits()["preprocessors"].default()
    ours = course_module.FEEDBACK_PREPROCESSORS
    assert [name.rsplit(".", 1)[1] for name in ours[:-1]] == [cls.__name__ for cls in default]
    assert issubclass(import_item(ours[-1]), ClearHiddenTests)


def test_the_config_file_holds_the_same_settings(tmp_path):
    course = Course(tmp_path / "course")
    course.root.mkdir()
    path = course.write_config_file(timeout=45)
    config = Config()
    exec(path.read_text(), {"get_config": lambda: config})
    assert config == Config(course_module.settings(45))
    assert course.config(45).CourseDirectory.root == str(course.root)
    assert course.config(45).Execute.timeout == 45


def test_the_config_file_is_rewritten_only_when_its_settings_change(tmp_path):
    course = Course(tmp_path / "course")
    course.root.mkdir()
    path = course.write_config_file(timeout=45)
    os.utime(path, ns=(0, 0))
    course.write_config_file(timeout=45)
    assert path.stat().st_mtime_ns == 0  # a grading run leaves the course's settings as they were
    course.write_config_file(timeout=60)
    assert "60" in path.read_text() and path.stat().st_mtime_ns > 0


def test_prepare_generates_once_and_again_when_a_notebook_changes(tmp_path):
    source = tmp_path / "notebooks"
    shutil.copytree(SOURCE, source)
    course = Course(tmp_path / "course")
    assert course.prepare(source) is True
    assert course.notebooks() == ["01_normalise", "02_one_hot"]
    released = nbformat.read(course.release_dir / "01_normalise.ipynb", as_version=4)
    assert "BEGIN SOLUTION" not in str(released) and "raise NotImplementedError()" in str(released)
    assert (course.root / "nbgrader_config.py").is_file() and course.gradebook.is_file()
    assert course.prepare(source) is False  # nothing changed: nbgrader is not run again

    (source / "02_one_hot.ipynb").unlink()
    assert course.prepare(source) is True
    assert course.notebooks() == ["01_normalise"]
    with course.open_gradebook() as gradebook:
        names = [nb.name for nb in gradebook.find_assignment("mnist").notebooks]
    assert names == ["01_normalise"]


def test_prepare_reports_what_nbgrader_refuses(new_course, tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebooks in"):
        Course(tmp_path / "course").prepare(tmp_path)
    source = tmp_path / "bad"
    source.mkdir()
    cell = new_code_cell("x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION")
    nbformat.write(new_notebook(cells=[cell]), source / "01_oops.ipynb")
    with pytest.raises(CourseError, match="generate_assignment failed"):
        new_course(tmp_path / "course").prepare(source)


def test_failure_keeps_the_end_of_nbgraders_message():
    lines = "\n".join(f"line {i}" for i in range(40))
    assert course_module.failure({"error": lines}).splitlines() == [
        f"line {i}" for i in range(25, 40)]
    assert course_module.failure({"log": "only a log\n"}) == "only a log"
    assert course_module.failure({}) == "no message"
