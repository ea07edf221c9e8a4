"""Merge what one nbgrader course folder graded into another: gradebook rows and files.

nbgrader keeps one gradebook per course folder and has no merge. Grading a student in a
folder of its own (a worker's) or a share of the class on another machine (``--shard K/N``)
therefore ends here: the students' submissions, grades, comments and files are copied into the
course folder that keeps the class's gradebook, through nbgrader's ``Gradebook`` API. A
student already there is updated in place (a regrade), anyone else is left as they were.

Usage::

    python -m course_tools.classroom.merge SHARD_FOLDER... [--course grading]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.exc import SAWarning

from course_tools.classroom.course import DEFAULT_ROOT, DEFAULT_SOURCE, Course

GRADE_FIELDS = ("auto_score", "manual_score", "extra_credit", "needs_manual_grade")
COMMENT_FIELDS = ("auto_comment", "manual_comment")
STUDENT_FIELDS = ("first_name", "last_name", "email", "lms_user_id")
FOLDERS = ("submitted", "autograded", "feedback")


class MergeError(ValueError):
    """The two course folders cannot be merged (different assignments)."""


def _assignment_shape(gradebook, assignment: str) -> dict:
    """What must agree for grades to mean the same: notebooks, cells, points, checksums."""
    found = gradebook.find_assignment(assignment)
    return {
        notebook.name: (
            sorted((cell.name, cell.checksum) for cell in notebook.source_cells),
            sorted((cell.name, float(cell.max_score)) for cell in notebook.grade_cells),
        )
        for notebook in found.notebooks
    }


def graded_students(course: Course) -> list[str]:
    """The students with a submission of the course's assignment in its gradebook."""
    with course.open_gradebook() as gradebook:
        assignment = gradebook.find_assignment(course.assignment)
        return sorted(submission.student.id for submission in assignment.submissions)


def check_same_assignment(source: Course, target: Course) -> None:
    """:class:`MergeError` unless both folders graded the same version of the assignment."""
    from nbgrader.api import MissingEntry

    shapes = []
    for course in (source, target):
        if not course.gradebook.is_file():
            raise MergeError(f"{course.root} has no gradebook.db")
        with course.open_gradebook() as gradebook:
            try:
                shapes.append(_assignment_shape(gradebook, course.assignment))
            except MissingEntry:
                raise MergeError(
                    f"{course.root} has no assignment {course.assignment!r}"
                ) from None
    if shapes[0] != shapes[1]:
        differ = sorted(
            name for name in set(shapes[0]) | set(shapes[1])
            if shapes[0].get(name) != shapes[1].get(name)
        )
        raise MergeError(
            f"{source.root} and {target.root} graded different versions of the assignment "
            f"(notebooks that differ: {', '.join(differ)}); grade both from the same notebooks"
        )


def _copy_fields(source, target, fields: Iterable[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def merge_rows(source_gradebook, target_gradebook, assignment: str, student: str) -> None:
    """Copy one student's record and submission of ``assignment`` between two gradebooks."""
    with warnings.catch_warnings():  # nbgrader's add_submission makes SQLAlchemy warn
        warnings.simplefilter("ignore", SAWarning)
        _merge_rows(source_gradebook, target_gradebook, assignment, student)


def _merge_rows(source_gradebook, target_gradebook, assignment: str, student: str) -> None:
    record = source_gradebook.find_student(student)
    target_gradebook.update_or_create_student(
        student, **{name: getattr(record, name) for name in STUDENT_FIELDS}
    )
    submission = source_gradebook.find_submission(assignment, student)
    target_gradebook.update_or_create_submission(
        assignment, student, timestamp=submission.timestamp, extension=submission.extension
    )
    for notebook in submission.notebooks:
        copy = target_gradebook.find_submission_notebook(notebook.name, assignment, student)
        _copy_fields(notebook, copy, ("flagged", "late_submission_penalty"))
        for grade in notebook.grades:
            target = target_gradebook.find_grade(grade.name, notebook.name, assignment, student)
            _copy_fields(grade, target, GRADE_FIELDS)
        for comment in notebook.comments:
            target = target_gradebook.find_comment(
                comment.name, notebook.name, assignment, student
            )
            _copy_fields(comment, target, COMMENT_FIELDS)
    target_gradebook.db.commit()


def copy_files(source: Course, target: Course, student: str) -> None:
    """Replace the student's submitted, autograded and feedback folders in ``target``."""
    for folder in FOLDERS:
        origin = source.root / folder / student
        copy = target.root / folder / student
        if copy.exists():
            shutil.rmtree(copy)
        if origin.is_dir():
            shutil.copytree(origin, copy)


def merge_students(source: Course, target: Course, students: Iterable[str]) -> list[str]:
    """Merge ``students`` (graded in ``source``) into ``target``; returns them."""
    students = list(students)
    with source.open_gradebook() as source_gb, target.open_gradebook() as target_gb:
        for student in students:
            merge_rows(source_gb, target_gb, source.assignment, student)
            copy_files(source, target, student)
    isolation = source.isolation()
    target.record_isolation({s: isolation[s] for s in students if s in isolation})
    return students


def merge_course(source: Course, target: Course) -> list[str]:
    """Merge every student ``source`` graded into ``target`` (same assignment required)."""
    check_same_assignment(source, target)
    return merge_students(source, target, graded_students(source))


def main(argv: list[str] | None = None) -> int:
    from course_tools.classroom.export import export_grades

    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom.merge",
        description="Merge course folders graded with --shard K/N into the class's gradebook.",
    )
    parser.add_argument("shards", nargs="+", type=Path, help="course folders of the shards")
    parser.add_argument("--course", type=Path, default=DEFAULT_ROOT, help="the class's folder")
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE,
        help="instructor notebooks, to create the class's folder when it does not exist yet "
        "(default: notebooks/ of the repository)",
    )
    args = parser.parse_args(argv)
    target = Course(args.course)
    try:
        target.prepare(args.source)
        for folder in args.shards:
            merged = merge_course(Course(folder), target)
            print(f"{folder}: merged {len(merged)} student(s)")
    except (MergeError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Wrote {export_grades(target)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
