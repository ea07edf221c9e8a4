"""Gradebooks merged row by row, and exported one row per student (no notebook executed)."""

import csv

import pytest

from course_tools.classroom.course import Course
from course_tools.classroom.export import GradesCsvExport, export_grades
from course_tools.classroom.merge import MergeError, check_same_assignment, merge_course


def make_course(new_course, root, points=(2, 3), students=()):
    """A course folder whose gradebook holds one assignment of one notebook with two checks,
    and a submission per student with the given ``(auto, manual)`` scores of both checks."""
    course = new_course(root)
    with course.open_gradebook() as gradebook:
        gradebook.add_assignment("mnist")
        gradebook.add_notebook("01_x", "mnist")
        for name, value in zip(("test_a", "test_b"), points, strict=True):
            gradebook.add_grade_cell(name, "01_x", "mnist", max_score=value, cell_type="code")
            gradebook.add_source_cell(name, "01_x", "mnist", cell_type="code", locked=True,
                                      checksum=f"sum-{name}")
        gradebook.add_solution_cell("a", "01_x", "mnist")
        gradebook.add_source_cell("a", "01_x", "mnist", cell_type="code", checksum="sum-a")
        for student, scores in students:
            gradebook.update_or_create_student(student, first_name=student.title())
            gradebook.add_submission("mnist", student, timestamp="2030-01-01 10:00:00 UTC")
            for name, (auto, manual) in zip(("test_a", "test_b"), scores, strict=True):
                grade = gradebook.find_grade(name, "01_x", "mnist", student)
                grade.auto_score, grade.manual_score = auto, manual
            gradebook.find_comment("a", "01_x", "mnist", student).manual_comment = "good"
            gradebook.db.commit()
    return course


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_merge_copies_scores_comments_and_keeps_the_others(new_course, tmp_path):
    source = make_course(new_course, tmp_path / "shard",
                         students=[("ann", [(2, None), (0, 3)])])
    target = make_course(new_course, tmp_path / "class",
                         students=[("bob", [(0, None), (3, None)]),
                                   ("ann", [(0, None), (0, None)])])
    (source.root / "feedback" / "ann").mkdir(parents=True)
    (source.root / "feedback" / "ann" / "f.html").write_text("ok")
    assert merge_course(source, target) == ["ann"]
    rows = read_rows(export_grades(target))
    assert rows["ann"]["score"] == "5" and rows["ann"]["01_x:test_b"] == "3"  # manual wins
    assert rows["ann"]["first_name"] == "Ann" and rows["ann"]["timestamp"].startswith("2030")
    assert rows["bob"]["score"] == "3"  # untouched
    with target.open_gradebook() as gradebook:
        comment = gradebook.find_comment("a", "01_x", "mnist", "ann")
        assert comment.manual_comment == "good"
    assert (target.root / "feedback" / "ann" / "f.html").read_text() == "ok"


def test_merge_refuses_a_different_assignment(new_course, tmp_path):
    source = make_course(new_course, tmp_path / "shard", points=(2, 4),
                         students=[("ann", [(2, 0), (0, 0)])])
    target = make_course(new_course, tmp_path / "class")
    with pytest.raises(MergeError, match="different versions.*01_x"):
        merge_course(source, target)
    with pytest.raises(MergeError, match="no gradebook"):
        check_same_assignment(Course(tmp_path / "nothing"), target)


def test_export_has_a_row_of_zeros_for_a_student_without_submission(new_course, tmp_path):
    course = make_course(new_course, tmp_path / "class",
                         students=[("ann", [(2, None), (1, None)])])
    with course.open_gradebook() as gradebook:
        gradebook.add_student("zoe")
    rows = read_rows(export_grades(course))
    assert rows["zoe"] == {**dict.fromkeys(rows["zoe"], "0"), "student_id": "zoe",
                           "first_name": "", "last_name": "", "email": "", "timestamp": "",
                           "max_score": "5", "sandbox": ""}
    assert rows["ann"]["raw_score"] == "3" and rows["ann"]["01_x"] == "3"


def test_export_needs_one_assignment(new_course, tmp_path):
    course = make_course(new_course, tmp_path / "class")
    with course.open_gradebook() as gradebook:
        gradebook.add_assignment("other")
        with pytest.raises(ValueError, match="name one"):
            GradesCsvExport(to=str(tmp_path / "x.csv")).export(gradebook)
