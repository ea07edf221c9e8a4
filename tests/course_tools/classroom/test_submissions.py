"""Students' folders: where their notebooks are, which can be read, what nbgrader receives."""

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_notebook

from course_tools.classroom import submissions
from course_tools.classroom.course import Course


def notebook(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(), path)
    return path


def test_student_folders_are_sorted_and_hidden_ones_skipped(tmp_path):
    for name in ("bob", "alice", ".git", "_grades"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("")
    assert [p.name for p in submissions.student_folders(tmp_path)] == ["alice", "bob"]
    with pytest.raises(FileNotFoundError, match="no submissions folder"):
        submissions.student_folders(tmp_path / "nowhere")


def test_find_notebook_prefers_the_top_then_notebooks_then_the_shallowest(tmp_path):
    deep = notebook(tmp_path / "a" / "b" / "01_x.ipynb")
    assert submissions.find_notebook(tmp_path, "01_x") == deep
    shallow = notebook(tmp_path / "c" / "01_x.ipynb")
    notebook(tmp_path / "c" / ".ipynb_checkpoints" / "01_x.ipynb")
    assert submissions.find_notebook(tmp_path, "01_x") == shallow
    under = notebook(tmp_path / "notebooks" / "01_x.ipynb")
    assert submissions.find_notebook(tmp_path, "01_x") == under
    top = notebook(tmp_path / "01_x.ipynb")
    assert submissions.find_notebook(tmp_path, "01_x") == top
    assert submissions.find_notebook(tmp_path, "02_y") is None


def test_unreadable_files_are_named_with_the_reason(tmp_path):
    good = notebook(tmp_path / "good.ipynb")
    assert submissions.unreadable_reason(good) is None
    (tmp_path / "text.ipynb").write_text("{ not json")
    assert submissions.unreadable_reason(tmp_path / "text.ipynb").startswith(
        "not a readable notebook (NotJSONError")
    (tmp_path / "cells.ipynb").write_text('{"cells": "not a list", "nbformat": 4, '
                                          '"nbformat_minor": 5, "metadata": {}}')
    assert "ValidationError" in submissions.unreadable_reason(tmp_path / "cells.ipynb")
    (tmp_path / "binary.ipynb").write_bytes(b"\xff\xfe\x00")
    assert submissions.unreadable_reason(tmp_path / "binary.ipynb").startswith("not a readable")


def test_submit_copies_the_hand_in_and_recognises_it_later(tmp_path):
    student = tmp_path / "subs" / "ann"
    notebook(student / "notebooks" / "01_x.ipynb")
    (student / "02_y.ipynb").write_text("garbage")
    (student / "timestamp.txt").write_text("2030-01-01 10:00:00 UTC")
    hand_in = submissions.collect(student, ["01_x", "02_y", "03_z"])
    assert sorted(hand_in.found) == ["01_x", "02_y"] and hand_in.readable() == ["01_x"]
    assert hand_in.notes() == [f"02_y: {hand_in.unreadable['02_y']}"]

    course = Course(tmp_path / "course")
    dest = submissions.submit(hand_in, course)
    assert dest == course.submitted_dir("ann")
    assert sorted(p.name for p in dest.iterdir()) == [
        "01_x.ipynb", "02_y.ipynb.unreadable", "timestamp.txt"]
    assert not submissions.already_submitted(hand_in, course)  # not autograded yet
    course.autograded_dir("ann").mkdir(parents=True)
    assert submissions.already_submitted(hand_in, course)

    (student / "timestamp.txt").write_text("2030-01-02 10:00:00 UTC")  # handed in again
    assert not submissions.already_submitted(hand_in, course)
    submissions.submit(hand_in, course)
    assert submissions.already_submitted(hand_in, course)
    notebook(student / "03_z.ipynb")  # one more notebook
    assert not submissions.already_submitted(submissions.collect(student, ["01_x", "02_y",
                                                                           "03_z"]), course)


def test_a_folder_with_nothing_readable_needs_no_execution(tmp_path):
    (tmp_path / "ann").mkdir()
    hand_in = submissions.collect(tmp_path / "ann", ["01_x"])
    course = Course(tmp_path / "course")
    submissions.submit(hand_in, course)
    assert hand_in.readable() == [] and submissions.already_submitted(hand_in, course)
    found = submissions.collect_all(tmp_path, ["01_x"], skip=[course.root])
    assert [h.student for h in found] == ["ann"]  # the course folder inside is no student


def test_folder_names_nbgrader_would_read_as_patterns_are_refused(tmp_path):
    for name in ("ann", "bob[1]", "c*"):
        (tmp_path / name).mkdir()
    with pytest.raises(ValueError, match=r"rename these student folders.*bob\[1\], c\*"):
        submissions.collect_all(tmp_path, ["01_x"])
