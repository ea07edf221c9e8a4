"""The checks of what grading must leave as it was."""

import socket
import time

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from course_tools.classroom.integrity import (
    HomeCanary,
    LoopbackListener,
    fingerprint,
    hidden_tests_in_feedback,
)


def test_fingerprint_sees_changes_skips_a_folder_and_takes_files(tmp_path):
    (tmp_path / "a.txt").write_text("1")
    (tmp_path / "course").mkdir()
    before = fingerprint([tmp_path], skip=tmp_path / "course")
    (tmp_path / "course" / "b.txt").write_text("2")
    assert fingerprint([tmp_path], skip=tmp_path / "course") == before
    (tmp_path / "a.txt").write_text("changed")
    assert fingerprint([tmp_path], skip=tmp_path / "course") != before
    assert list(fingerprint([tmp_path / "a.txt", tmp_path / "nothing"])) == [
        str(tmp_path / "a.txt")]


def test_fingerprint_leaves_git_out_which_git_status_rewrites(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_text("1")
    before = fingerprint([tmp_path])
    (tmp_path / ".git" / "index").write_text("refreshed by git status")
    assert fingerprint([tmp_path]) == before == {}


def test_the_home_canary_sees_a_change_and_a_new_file(tmp_path):
    with HomeCanary(tmp_path) as canary:
        assert canary.check() == []
        canary.path.write_text("read and rewritten")
        (tmp_path / ".bashrc").write_text("evil")
        problems = canary.check()
    assert len(problems) == 2 and ".bashrc" in problems[1]
    assert not canary.path.exists()  # removed after


def test_the_listener_counts_connections():
    with LoopbackListener() as listener:
        socket.create_connection(("127.0.0.1", listener.port), timeout=2).close()
        for _ in range(50):
            if listener.connections:
                break
            time.sleep(0.05)
    assert listener.connections == 1


def test_a_hidden_line_in_a_feedback_page_is_found(tmp_path):
    test = new_code_cell("### BEGIN HIDDEN TESTS\nassert secret_answer() == 42, 'the answer'\n"
                         "### END HIDDEN TESTS",
                         metadata={"nbgrader": {"grade": True, "solution": False,
                                                "grade_id": "t", "points": 1,
                                                "schema_version": 3}})
    (tmp_path / "source").mkdir()
    nbformat.write(new_notebook(cells=[test]), tmp_path / "source" / "01_x.ipynb")
    page = tmp_path / "feedback" / "bob" / "mnist" / "01_x.html"
    page.parent.mkdir(parents=True)
    page.write_text('<pre><span class="k">assert</span> <span class="n">secret_answer</span>'
                    '<span class="p">()</span> <span class="o">==</span> <span class="mi">42'
                    '</span><span class="p">,</span> <span class="s1">&#39;the answer&#39;'
                    '</span></pre>')
    (found,) = hidden_tests_in_feedback(tmp_path / "source", tmp_path / "feedback")
    assert found.startswith(str(page)) and "secret_answer() == 42, 'the answe" in found
    page.write_text("<p>nothing to see</p>")
    assert hidden_tests_in_feedback(tmp_path / "source", tmp_path / "feedback") == []
