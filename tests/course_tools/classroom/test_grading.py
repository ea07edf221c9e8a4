"""The grader: restores the instructor's tests, runs every notebook, never stops on a bad one."""

import copy
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course_tools.classroom import grading as grader
from course_tools.classroom import student_edition

SOURCE = Path(__file__).resolve().parent / "fixtures" / "grading" / "source"
NAMES = ("01_normalise", "02_one_hot")
TIMEOUT = 6  # seconds per notebook: the fixtures need well under one
ALL = {  # every check and its points
    "01_normalise:test_normalise": 2,
    "02_one_hot:test_one_hot": 3,
    "02_one_hot:test_from_one_hot": 2,
}


def source_nb(name):
    return nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)


def student_nb(name):
    return student_edition.student_notebook(source_nb(name))


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def save(nb, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def scores(result):
    return {r.check.key: r.score for r in result.checks}


def make_submissions(root: Path) -> None:
    """One folder per student, each testing one behaviour of the grader."""
    for name in NAMES:
        # the instructor notebooks themselves: full marks
        save(source_nb(name), root / "reference" / f"{name}.ipynb")
        # the student edition as handed out, nested under notebooks/: zero, no crash
        save(student_nb(name), root / "untouched" / "notebooks" / f"{name}.ipynb")

    # one exercise wrong: loses exactly its 2 points
    wrong = source_nb("02_one_hot")
    cell(wrong, "from_one_hot").source = "def from_one_hot(vector):\n    return 0"
    save(source_nb("01_normalise"), root / "one_wrong" / "01_normalise.ipynb")
    save(wrong, root / "one_wrong" / "02_one_hot.ipynb")

    # tests tampered with: deleted (01) or emptied (02); the originals must run anyway
    nb = source_nb("01_normalise")
    cell(nb, "normalise").source = (  # passes the visible test, fails a hidden one
        "def normalise(pixels):\n    return [p / 255 for p in pixels] if pixels else None"
    )
    nb.cells = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_normalise"
    ]
    save(nb, root / "tampered" / "01_normalise.ipynb")
    nb = source_nb("02_one_hot")
    cell(nb, "one_hot").source = "def one_hot(label, num_classes=10):\n    return []"
    cell(nb, "test_one_hot").source = "pass  # nothing to see here"
    cell(nb, "test_one_hot").metadata.nbgrader["points"] = 100
    save(nb, root / "tampered" / "02_one_hot.ipynb")

    # broken submissions: grading must go on
    (root / "invalid").mkdir()
    (root / "invalid" / "01_normalise.ipynb").write_text("{ this is not json")
    (root / "invalid" / "02_one_hot.ipynb").write_text('{"cells": "not a list"}')
    loop = source_nb("01_normalise")
    cell(loop, "normalise").source = "def normalise(pixels):\n    while True:\n        pass"
    save(loop, root / "loop" / "01_normalise.ipynb")
    save(source_nb("02_one_hot"), root / "loop" / "02_one_hot.ipynb")
    save(source_nb("02_one_hot"), root / "missing" / "02_one_hot.ipynb")  # no 01


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    make_submissions(root / "submissions")
    lines: list[str] = []
    result = grader.grade_submissions(
        root / "submissions",
        source_dir=SOURCE,
        out_dir=root / "grades",
        timeout=TIMEOUT,
        protected=[],
        log=lines.append,
    )
    return result, lines


def student(run, name):
    return run[0].by_student()[name]


def test_finds_the_checks_of_the_instructor_notebooks(run):
    assert {c.key: c.points for c in run[0].checks} == ALL


def test_reference_solutions_score_full_marks(run):
    reference = student(run, "reference")
    assert scores(reference) == ALL
    assert reference.score == reference.max_score == 7
    assert all(nb.status == grader.OK and not nb.cell_errors for nb in reference.notebooks)


def test_untouched_student_edition_scores_zero(run):
    untouched = student(run, "untouched")
    assert all(nb.status == grader.OK for nb in untouched.notebooks)  # found under notebooks/
    assert set(scores(untouched).values()) == {0}
    for result in untouched.checks:
        assert result.message.startswith("NotImplementedError"), result.message


def test_one_wrong_exercise_loses_exactly_its_points(run):
    one_wrong = student(run, "one_wrong")
    assert scores(one_wrong) == {**ALL, "02_one_hot:test_from_one_hot": 0}
    (failed,) = [r for r in one_wrong.checks if not r.passed]
    assert failed.message == "AssertionError: from_one_hot([0, 0, 1, 0]) should be 2"


def test_deleted_or_edited_tests_are_restored_from_the_source(run):
    tampered = student(run, "tampered")
    assert scores(tampered) == {
        "01_normalise:test_normalise": 0,  # restored with its hidden tests, which fail
        "02_one_hot:test_one_hot": 0,  # the original test ran, not `pass`
        "02_one_hot:test_from_one_hot": 2,
    }
    assert tampered.max_score == 7  # points come from the instructor notebook
    messages = {r.check.key: r.message for r in tampered.checks}
    assert messages["01_normalise:test_normalise"] == (
        "AssertionError: normalise([]) should be an empty list"
    )
    assert messages["02_one_hot:test_one_hot"].startswith("AssertionError: one_hot(3) should")
    executed = nbformat.read(
        run[0].out_dir / "executed" / "tampered" / "01_normalise.ipynb", as_version=4
    )
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in executed.cells]
    assert ids.index("test_normalise") == ids.index("normalise") + 1  # back in its place
    assert (
        cell(executed, "test_normalise").source
        == cell(source_nb("01_normalise"), "test_normalise").source
    )


def test_broken_submissions_give_zeros_with_a_reason_and_grading_goes_on(run):
    invalid = student(run, "invalid")
    assert [nb.status for nb in invalid.notebooks] == [grader.INVALID, grader.INVALID]
    assert "NotJSONError" in invalid.notebooks[0].reason
    assert invalid.score == 0

    loop = student(run, "loop")
    assert [nb.status for nb in loop.notebooks] == [grader.TIMEOUT, grader.OK]
    assert f"time limit of {TIMEOUT} s" in loop.notebooks[0].reason
    assert loop.notebooks[0].score == 0 and loop.notebooks[1].score == 5  # the next one ran
    assert loop.seconds < TIMEOUT + 30

    missing = student(run, "missing")
    assert [nb.status for nb in missing.notebooks] == [grader.MISSING, grader.OK]
    assert missing.notebooks[0].reason.startswith("missing") and missing.score == 5

    # students after the broken ones were still graded
    assert [s.student for s in run[0].students] == sorted(
        ["invalid", "loop", "missing", "one_wrong", "reference", "tampered", "untouched"]
    )


def test_grades_csv_has_one_row_per_student(run):
    with open(run[0].out_dir / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    assert header == ["student", *ALL, "total", "max", "notes"]
    by_name = {row["student"]: row for row in rows}
    assert len(rows) == 7
    assert by_name["reference"]["total"] == "7" and by_name["reference"]["max"] == "7"
    assert by_name["one_wrong"]["02_one_hot:test_from_one_hot"] == "0"
    assert by_name["one_wrong"]["total"] == "5"
    assert "timed out" in by_name["loop"]["notes"]
    assert "missing" in by_name["missing"]["notes"] and by_name["missing"]["total"] == "5"
    assert by_name["reference"]["notes"] == ""


def test_grades_md_and_feedback(run):
    out = run[0].out_dir
    table = (out / "grades.md").read_text()
    assert "| reference | 2 | 3 | 2 | 7 | 7 |" in table
    assert "## Per notebook" in table and "| loop | 0 / 2 (timed out) | 5 / 5 | 5 / 7 |" in table
    feedback = {p.stem: p.read_text() for p in (out / "feedback").glob("*.md")}
    assert set(feedback) == {s.student for s in run[0].students}
    assert "\x1b" not in "".join(feedback.values())  # ANSI colours stripped
    assert "**Score: 7 / 7**" in feedback["reference"] and "None." in feedback["reference"]
    assert "from_one_hot([0, 0, 1, 0]) should be 2" in feedback["one_wrong"]
    assert "test_one_hot" not in feedback["one_wrong"].split("## Failed checks")[1]
    assert "timed out" in feedback["loop"] and "01_normalise" in feedback["loop"]
    assert "missing: not found" in feedback["missing"]
    assert "not a readable notebook" in feedback["invalid"]


def test_summary_prints_a_line_and_a_time_per_student(run):
    lines = run[1]
    assert lines[0].startswith("Grading 7 student(s) on 2 notebook(s), 3 checks, 7 points")
    reference = next(line for line in lines if line.strip().startswith("reference"))
    assert "7 / 7" in reference and reference.rstrip().endswith(" s")


def test_restore_checks_puts_back_deleted_edited_and_duplicated_tests():
    source = source_nb("02_one_hot")
    nb = student_nb("02_one_hot")
    test_cell = cell(nb, "test_one_hot")
    test_cell.source = "pass"
    impostor = copy.deepcopy(cell(nb, "test_from_one_hot"))
    impostor.source = "pass"
    nb.cells.insert(0, impostor)  # a copy above the real one, emptied
    invented = new_code_cell("1 / 0", metadata={"nbgrader": {**test_cell.metadata.nbgrader}})
    invented.metadata.nbgrader["grade_id"] = "my_own_test"
    nb.cells.append(invented)

    restored = grader.restore_checks(nb, source)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in restored.cells]
    assert ids.count("test_one_hot") == 1 and ids.count("test_from_one_hot") == 1
    assert "my_own_test" not in ids  # not graded
    assert cell(restored, "test_one_hot").source == cell(source, "test_one_hot").source
    # the copy at the top lost its metadata; the kept one, after its solution, is the original
    assert ids[0] is None and ids.index("test_from_one_hot") > ids.index("from_one_hot")
    assert cell(restored, "test_from_one_hot").source == cell(source, "test_from_one_hot").source
    # hidden tests come back too
    restored01 = grader.restore_checks(student_nb("01_normalise"), source_nb("01_normalise"))
    assert "BEGIN HIDDEN TESTS" in cell(restored01, "test_normalise").source
    assert "normalise([])" in cell(restored01, "test_normalise").source


def test_error_message_is_the_last_line_without_colours():
    output = {
        "output_type": "error",
        "ename": "AssertionError",
        "evalue": "one_hot(3) should be ...",
        "traceback": ["\x1b[31m---> 1\x1b[39m assert x", "\x1b[31mAssertionError\x1b[39m: ..."],
    }
    assert grader.error_message(output) == "AssertionError: one_hot(3) should be ..."
    bare = {
        "ename": "AssertionError",
        "evalue": "",
        "traceback": [
            "Cell In[3], line 2\n\x1b[32m----> 2\x1b[39m \x1b[43massert\x1b[39;49m y == 2\n"
        ],
    }
    assert grader.error_message(bare) == "AssertionError at `assert y == 2`"


def test_runs_in_the_quick_profile_in_notebooks_with_this_python(tmp_path):
    """Environment, working directory and interpreter; files written outside are flagged."""
    source = tmp_path / "source"
    workdir = tmp_path / "notebooks"
    workdir.mkdir()
    probe = new_code_cell(
        "import os, sys\n"
        "from pathlib import Path\n"
        "profile = os.environ.get('MNIST_COURSE_PROFILE')\n"
        "assert profile == 'quick', profile\n"
        f"assert Path.cwd() == Path({str(workdir)!r}), Path.cwd()\n"
        f"assert sys.executable == {sys.executable!r}, sys.executable\n",
        id="probe",
        metadata={
            "nbgrader": {
                "grade": True,
                "grade_id": "probe",
                "locked": True,
                "points": 1,
                "schema_version": 3,
                "solution": False,
            }
        },
    )
    save(new_notebook(cells=[probe]), source / "01_probe.ipynb")
    writer = new_code_cell("Path('../models').mkdir(); Path('../models/x.keras').write_text('x')")
    save(new_notebook(cells=[probe, writer]), tmp_path / "subs" / "ann" / "01_probe.ipynb")
    result = grader.grade_submissions(
        tmp_path / "subs",
        source_dir=source,
        out_dir=tmp_path / "grades",
        timeout=TIMEOUT,
        cwd=workdir,
        protected=[tmp_path / "models"],
        log=lambda _: None,
    )
    (ann,) = result.students
    assert ann.score == 1, ann.checks[0].message
    assert result.warnings and "changed during grading" in result.warnings[0]
    assert "changed during grading" in (tmp_path / "grades" / "grades.md").read_text()


def test_cli_reports_bad_arguments_and_grades(tmp_path, capsys):
    assert grader.main([str(tmp_path / "nowhere"), "--source", str(SOURCE)]) == 2
    assert "no submissions folder" in capsys.readouterr().err
    assert grader.main([str(tmp_path), "--source", str(tmp_path)]) == 2  # no checks there
    (tmp_path / "subs" / "bob").mkdir(parents=True)  # hands in nothing: no kernel needed
    out = tmp_path / "grades"
    args = [str(tmp_path / "subs"), "--source", str(SOURCE), "--out", str(out)]
    assert grader.main([*args, "--notebooks", "02_one_hot.ipynb"]) == 0
    printed = capsys.readouterr().out
    assert "bob" in printed and "0 / 5" in printed
    header = (out / "grades.csv").read_text().splitlines()[0]
    assert header == "student,02_one_hot:test_one_hot,02_one_hot:test_from_one_hot,total,max,notes"
    assert grader.main([*args, "--notebooks", "03_nothing"]) == 2

    # reports inside the submissions folder are not a student; a rerun drops stale feedback
    inside = [
        str(tmp_path / "subs"),
        "--source",
        str(SOURCE),
        "--out",
        str(tmp_path / "subs" / "out"),
    ]
    assert grader.main(inside) == 0
    (tmp_path / "subs" / "bob").rename(tmp_path / "subs" / "carol")
    assert grader.main(inside) == 0
    assert [p.name for p in (tmp_path / "subs" / "out" / "feedback").iterdir()] == ["carol.md"]
    rows = (tmp_path / "subs" / "out" / "grades.csv").read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ["carol"]


# ---------------------------------------------------------------------------------------------
# Compatibility with nbgrader itself

NBGRADER = Path(sys.executable).with_name("nbgrader")
needs_nbgrader = pytest.mark.skipif(
    not NBGRADER.exists(), reason="nbgrader is not installed next to python"
)


def nbgrader_course(root: Path, assignment: str, notebooks) -> Path:
    """A course folder under ``root`` whose ``source/<assignment>`` holds ``notebooks``."""
    course = root / "course"
    (course / "source" / assignment).mkdir(parents=True)
    for notebook in notebooks:
        shutil.copy(notebook, course / "source" / assignment)
    return course


def run_nbgrader(course: Path, *args: str) -> None:
    """``nbgrader *args`` on ``course`` with this environment and no personal nbgrader config."""
    env = {
        **os.environ,
        "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}",  # alembic
        "JUPYTER_CONFIG_DIR": str(course.parent / "jupyter-config"),
    }
    done = subprocess.run(
        [str(NBGRADER), *args, f"--CourseDirectory.root={course}"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def gradebook_scores(course: Path, assignment: str, students) -> dict[str, dict[str, float]]:
    """``{student: {"<notebook>:<grade_id>": score}}`` from nbgrader's gradebook after autograde."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            who: {
                f"{notebook.name}:{grade.name}": grade.score
                for notebook in gradebook.find_submission(assignment, who).notebooks
                for grade in notebook.grades
            }
            for who in students
        }


@needs_nbgrader
def test_nbgrader_generate_and_autograde_agree(tmp_path):
    course = nbgrader_course(tmp_path, "ps1", [SOURCE / "02_one_hot.ipynb"])
    run_nbgrader(course, "generate_assignment", "ps1")
    released = nbformat.read(course / "release" / "ps1" / "02_one_hot.ipynb", as_version=4)
    ours = student_nb("02_one_hot")
    assert [(c.source, c.metadata) for c in released.cells] == [
        (c.source, c.metadata) for c in ours.cells
    ], "our student edition must equal nbgrader's release"

    save(source_nb("02_one_hot"), course / "submitted" / "alice" / "ps1" / "02_one_hot.ipynb")
    save(released, course / "submitted" / "bob" / "ps1" / "02_one_hot.ipynb")
    run_nbgrader(course, "autograde", "ps1")

    theirs = gradebook_scores(course, "ps1", ("alice", "bob"))
    assert theirs["alice"] == {"02_one_hot:test_one_hot": 3, "02_one_hot:test_from_one_hot": 2}
    assert set(theirs["bob"].values()) == {0}

    ours = grader.grade_submissions(
        course / "submitted",
        source_dir=SOURCE,
        out_dir=tmp_path / "grades",
        notebooks=["02_one_hot"],
        timeout=TIMEOUT,
        protected=[],
        log=lambda _: None,
    ).by_student()
    assert {who: scores(ours[who]) for who in ("alice", "bob")} == theirs
