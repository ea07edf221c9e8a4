"""The instructors' table of exercises (docs/instructors.md) agrees with the nbgrader cells of
the course notebooks."""

import nbformat

from course_tools.classroom.student_edition import source_notebooks, summarise
from course_tools.reporting.readme_tables import parse_table
from helpers.settings import REPO_ROOT

GUIDE = "docs/instructors.md"
START, END = "<!-- exercises:start -->", "<!-- exercises:end -->"


def guide_exercise_rows() -> dict[str, tuple[int, float]]:
    guide = (REPO_ROOT / GUIDE).read_text(encoding="utf-8")
    assert START in guide and END in guide, f"{GUIDE} lacks the {START} ... {END} block"
    block = guide.split(START, 1)[1].split(END, 1)[0]
    header, *rows = parse_table(block)
    assert header[:3] == ["notebook", "exercises", "points"], header
    return {row[0]: (int(row[1]), float(row[2])) for row in rows}


def test_the_guide_lists_every_notebook_with_its_exercises_and_points():
    actual = {}
    for path in source_notebooks(REPO_ROOT / "notebooks"):
        summary = summarise(nbformat.read(path, as_version=4), path.stem)
        if summary.exercises:
            actual[path.stem] = (summary.exercises, summary.points)
    assert guide_exercise_rows() == actual
