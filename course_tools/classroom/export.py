"""Grades out of nbgrader's gradebook: one CSV row per student, with the total, each notebook
and each check, for a spreadsheet or an LMS gradebook import.

nbgrader's own ``nbgrader export`` writes one row per student and assignment with the total
only; this is an nbgrader export plugin, so its command line can write the detailed file as
well::

    cd grading && nbgrader export --exporter=course_tools.classroom.export.GradesCsvExport \\
        --to=exports/grades.csv

Columns: ``student_id, first_name, last_name, email, timestamp, raw_score,
late_submission_penalty, score, max_score`` (the columns and the numbers of nbgrader's own
export), ``sandbox`` (how the student's code ran: the sandbox and its limits, or ``no
sandbox``), then one column per notebook (its score) and one per check
(``<notebook>:<grade_id>``), in course order. A student of the gradebook who handed nothing in
gets a row of zeros, as in nbgrader's export.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import nbformat
from nbgrader import utils as nbgrader_utils
from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from course_tools.classroom.course import Course

TOTAL_COLUMNS = (
    "student_id",
    "first_name",
    "last_name",
    "email",
    "timestamp",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
    "sandbox",
)
EXPORT_FILE = Path("exports") / "grades.csv"


def _number(value) -> str:
    return "" if value is None else f"{float(value):g}"


class GradesCsvExport(ExportPlugin):
    """nbgrader export plugin: one row per student, total + per notebook + per check."""

    root = Unicode(
        "", help="course folder whose source/ gives the order of the checks (default: nbgrader's)"
    ).tag(config=True)

    def _course_root(self) -> Path:
        if self.root:
            return Path(self.root)
        coursedir = getattr(self.parent, "coursedir", None)
        return Path(getattr(coursedir, "root", "") or os.getcwd())

    def _check_order(self, assignment: str, notebook: str) -> list[str]:
        path = self._course_root() / "source" / assignment / f"{notebook}.ipynb"
        if not path.is_file():
            return []
        nb = nbformat.read(path, as_version=4)
        return [cell.metadata.nbgrader["grade_id"] for cell in nb.cells
                if nbgrader_utils.is_grade(cell)]

    def _assignment(self, gradebook):
        names = [str(name) for name in self.assignment] or [a.name for a in gradebook.assignments]
        if len(names) != 1:
            raise ValueError(
                f"the gradebook has assignments {names}: name one (--assignment=NAME)"
            )
        return gradebook.find_assignment(names[0])

    def columns(self, assignment) -> tuple[list[str], list[tuple[str, str]]]:
        """The notebooks and the (notebook, check) pairs of ``assignment``, in course order."""
        notebooks = sorted(notebook.name for notebook in assignment.notebooks)
        checks = []
        for notebook in sorted(assignment.notebooks, key=lambda nb: nb.name):
            names = [cell.name for cell in notebook.grade_cells]
            order = self._check_order(assignment.name, notebook.name)
            names.sort(key=lambda name: (order.index(name) if name in order else len(order), name))
            checks += [(notebook.name, name) for name in names]
        return notebooks, checks

    def rows(self, gradebook) -> list[dict[str, str]]:
        """One dict per student of the gradebook (sorted by id), keyed by column."""
        assignment = self._assignment(gradebook)
        notebooks, checks = self.columns(assignment)
        students = [str(s) for s in self.student]
        isolation = Course(self._course_root()).isolation()
        rows = []
        for student in sorted(gradebook.students, key=lambda s: s.id):
            if students and student.id not in students:
                continue
            row = {
                "student_id": student.id,
                "first_name": student.first_name or "",
                "last_name": student.last_name or "",
                "email": student.email or "",
                "max_score": _number(assignment.max_score),
                "sandbox": isolation.get(student.id, ""),
            }
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                row.update(timestamp="", raw_score="0", late_submission_penalty="0", score="0")
                row.update({name: "0" for name in notebooks})
                row.update({f"{nb}:{check}": "0" for nb, check in checks})
            else:
                penalty = submission.late_submission_penalty or 0.0
                row.update(
                    timestamp="" if submission.timestamp is None else str(submission.timestamp),
                    raw_score=_number(submission.score),
                    late_submission_penalty=_number(penalty),
                    score=_number(max(0.0, submission.score - penalty)),
                )
                for notebook in submission.notebooks:
                    row[notebook.name] = _number(notebook.score)
                    for grade in notebook.grades:
                        row[f"{notebook.name}:{grade.name}"] = _number(grade.score)
            rows.append(row)
        return rows

    def export(self, gradebook) -> None:
        assignment = self._assignment(gradebook)
        notebooks, checks = self.columns(assignment)
        header = [*TOTAL_COLUMNS, *notebooks, *(f"{nb}:{check}" for nb, check in checks)]
        dest = Path(self.to or "grades.csv")
        dest.parent.mkdir(parents=True, exist_ok=True)
        self.log.info("Exporting grades to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(self.rows(gradebook))


def export_grades(course: Course, dest: Path | None = None) -> Path:
    """Write the course's grades with :class:`GradesCsvExport`; returns the file."""
    dest = Path(dest) if dest else course.root / EXPORT_FILE
    plugin = GradesCsvExport(to=str(dest), root=str(course.root), assignment=[course.assignment])
    with course.open_gradebook() as gradebook:
        plugin.export(gradebook)
    return dest
