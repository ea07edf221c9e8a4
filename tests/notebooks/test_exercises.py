"""The exercises of the course notebooks 01-05: reference, student edition and grading agree.

The grading tests run the real notebooks through course_tools.classroom.grading in the quick
profile (one kernel per notebook and student; notebook 04 trains the baseline on 3,000
images for 2 epochs), and
notebook 02 through nbgrader itself. About two minutes on an idle 2-core CPU. The exercises of
notebooks 07 and 08 are checked by the kernel-free tests only (cells, student edition).
"""

import shutil

import nbformat
import pytest
from nbgrader import utils as nbgrader_utils

from course_tools.classroom import grading as grader
from course_tools.classroom import student_edition
from helpers.settings import REPO_ROOT
from tests.course_tools.classroom.test_grading import (
    gradebook_scores,
    nbgrader_course,
    needs_nbgrader,
    run_nbgrader,
)

NOTEBOOKS = REPO_ROOT / "notebooks"
# notebook -> [(solution grade_id, test grade_id, points)], in notebook order
EXERCISES = {
    "01_explore": [
        ("count_per_class", "test_count_per_class", 2),
        ("mean_image_per_class", "test_mean_image_per_class", 2),
    ],
    "02_preprocess": [
        ("normalise", "test_normalise", 2),
        ("one_hot", "test_one_hot", 2),
        ("shared_images", "test_shared_images", 2),
    ],
    "03_cnn": [
        ("build_cnn", "test_build_cnn", 3),
        ("parameter_counts", "test_parameter_counts", 2),
        ("compile_model", "test_compile_model", 2),
    ],
    "04_train": [
        ("make_callbacks", "test_make_callbacks", 2),
        ("train", "test_train", 3),
        ("best_epoch", "test_best_epoch", 1),
    ],
    "05_evaluate": [
        ("confusion_counts", "test_confusion_counts", 3),
        ("recall_per_class", "test_recall_per_class", 2),
    ],
}
# Exercises checked here only by the kernel-free tests (their notebooks take longer to grade).
STRUCTURE_ONLY = {
    "07_visualize": [
        ("feature_maps_of", "test_feature_maps_of", 3),
        ("saliency_of", "test_saliency_of", 3),
    ],
    "08_deploy": [
        ("int8_trade", "test_int8_trade", 2),
        ("centre_by_mass", "test_centre_by_mass", 3),
    ],
}
ALL_EXERCISES = {**EXERCISES, **STRUCTURE_ONLY}
FULL_MARKS = {
    f"{notebook}:{test_id}": points
    for notebook, exercises in EXERCISES.items()
    for _, test_id, points in exercises
}
# One exercise answered wrongly: normalise forgets to divide by 255.
WRONG_NOTEBOOK, WRONG_EXERCISE, WRONG_TEST = "02_preprocess", "normalise", "test_normalise"
WRONG_ANSWER = (
    "def normalise(images):\n    return images.astype(np.float32)[..., np.newaxis]\n\n\n"
    "x_train_scaled = normalise(x_train_raw)"
)


def source_nb(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def by_grade_id(nb, wanted: str):
    return next(cell for cell in nb.cells if grade_id(cell) == wanted)


# ---------------------------------------------------------------------------------------------
# The notebooks' cells (no kernel)


@pytest.mark.parametrize("name", list(ALL_EXERCISES))
def test_each_exercise_is_followed_by_its_graded_test(name):
    nb = source_nb(name)
    graded = [
        (grade_id(cell), nbgrader_utils.is_solution(cell), cell.metadata.nbgrader.get("points"))
        for cell in nb.cells
        if "nbgrader" in cell.metadata
    ]
    expected = [
        item
        for solution, test, points in ALL_EXERCISES[name]
        for item in ((solution, True, None), (test, False, points))
    ]
    assert graded == expected
    for solution, test, _ in ALL_EXERCISES[name]:
        index = nb.cells.index(by_grade_id(nb, solution))
        assert grade_id(nb.cells[index + 1]) == test, f"{test} should follow {solution}"
        answer = nb.cells[index].source
        assert "### BEGIN SOLUTION" in answer and "### END SOLUTION" in answer, solution
        check = nb.cells[index + 1]
        assert check.metadata.nbgrader["locked"] and nbgrader_utils.is_grade(check)
        assert "assert" in check.source and "### BEGIN HIDDEN TESTS" in check.source, test


def test_student_edition_leaves_only_the_stubs(tmp_path):
    summaries = student_edition.build_student_edition(
        NOTEBOOKS, tmp_path / "edition", log=lambda _: None
    )
    counts = {s.name: (s.exercises, s.checks, s.points) for s in summaries}
    for name, exercises in ALL_EXERCISES.items():
        assert counts[name] == (len(exercises), len(exercises), sum(e[2] for e in exercises))
        nb = nbformat.read(tmp_path / "edition" / "notebooks" / f"{name}.ipynb", as_version=4)
        for solution, test, _ in exercises:
            stub = by_grade_id(nb, solution).source
            assert "# YOUR CODE HERE\n" in stub and "raise NotImplementedError()" in stub
            reference = by_grade_id(source_nb(name), solution).source
            answer = reference.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            body = [line.strip() for line in answer.splitlines()]
            body = [line for line in body if len(line) > 8]  # not `)` or `],`
            assert not any(line in stub for line in body), f"{name}:{solution} leaks its answer"
            assert "HIDDEN" not in by_grade_id(nb, test).source


# ---------------------------------------------------------------------------------------------
# Grading the real notebooks


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Three students: the reference notebooks, the untouched edition, one wrong exercise."""
    root = tmp_path_factory.mktemp("course-grading")
    subs = root / "submissions"
    student_edition.build_student_edition(NOTEBOOKS, root / "edition", log=lambda _: None)
    for name in EXERCISES:
        (subs / "reference").mkdir(parents=True, exist_ok=True)
        shutil.copy(NOTEBOOKS / f"{name}.ipynb", subs / "reference")
        (subs / "untouched" / "notebooks").mkdir(parents=True, exist_ok=True)
        shutil.copy(
            root / "edition" / "notebooks" / f"{name}.ipynb", subs / "untouched" / "notebooks"
        )
    wrong = source_nb(WRONG_NOTEBOOK)
    by_grade_id(wrong, WRONG_EXERCISE).source = WRONG_ANSWER
    (subs / "one_wrong").mkdir()
    nbformat.write(wrong, subs / "one_wrong" / f"{WRONG_NOTEBOOK}.ipynb")  # hands in only this

    run = grader.grade_submissions(
        subs,
        source_dir=NOTEBOOKS,
        out_dir=root / "grades",
        notebooks=list(EXERCISES),
        protected=[],
        log=lambda _: None,
    )
    return run, root


def scores(run, student: str) -> dict[str, float]:
    return {r.check.key: r.score for r in run.by_student()[student].checks}


def test_reference_notebooks_score_full_marks(graded):
    run, _ = graded
    assert {check.key: check.points for check in run.checks} == FULL_MARKS
    reference = run.by_student()["reference"]
    failed = {r.check.key: r.message for r in reference.checks if not r.passed}
    assert not failed, failed
    assert scores(run, "reference") == FULL_MARKS
    assert all(nb.status == grader.OK and not nb.cell_errors for nb in reference.notebooks), [
        (nb.notebook, nb.reason, nb.cell_errors) for nb in reference.notebooks
    ]


def test_graded_cells_write_nothing_to_stderr(graded):
    _, root = graded
    for name in EXERCISES:
        nb = nbformat.read(root / "grades" / "executed" / "reference" / f"{name}.ipynb", 4)
        for cell in nb.cells:
            if grader.is_test_cell(cell):
                streams = [o.get("name") for o in cell.outputs if o.output_type == "stream"]
                assert "stderr" not in streams, f"{name}:{grade_id(cell)} writes to stderr"


def test_untouched_student_edition_scores_zero_and_still_runs(graded):
    run, _ = graded
    untouched = run.by_student()["untouched"]
    assert [nb.status for nb in untouched.notebooks] == [grader.OK] * len(EXERCISES)
    assert set(scores(run, "untouched").values()) == {0}
    for result in untouched.checks:  # each check fails on a missing answer, not on a bug of ours
        assert result.message.startswith(("NotImplementedError", "NameError")), result.message
    assert all(nb.cell_errors for nb in untouched.notebooks)  # the stubs raise where they are


def test_one_wrong_exercise_loses_exactly_its_points(graded):
    run, _ = graded
    got = {key: score for key, score in scores(run, "one_wrong").items() if key.startswith("02")}
    expected = {k: v for k, v in FULL_MARKS.items() if k.startswith(WRONG_NOTEBOOK)}
    assert got == {**expected, f"{WRONG_NOTEBOOK}:{WRONG_TEST}": 0}
    (failed,) = [
        r
        for r in run.by_student()["one_wrong"].checks
        if r.check.notebook == "02_preprocess" and not r.passed
    ]
    assert failed.message.startswith(
        "AssertionError: pixels 0, 51, 255, 102 should become 0.0, 0.2, 1.0, 0.4"
    ), failed.message
    missing = [
        nb for nb in run.by_student()["one_wrong"].notebooks if nb.notebook != WRONG_NOTEBOOK
    ]
    assert all(nb.status == grader.MISSING for nb in missing)


@needs_nbgrader
def test_nbgrader_accepts_a_course_notebook_and_agrees(graded, tmp_path):
    run, _ = graded
    name = WRONG_NOTEBOOK  # 02_preprocess: three exercises, runs in seconds
    course = nbgrader_course(tmp_path, "preprocess", [NOTEBOOKS / f"{name}.ipynb"])
    run_nbgrader(course, "generate_assignment", "preprocess")
    released = nbformat.read(course / "release" / "preprocess" / f"{name}.ipynb", as_version=4)
    ours = student_edition.student_notebook(source_nb(name))
    assert [(c.source, c.metadata) for c in released.cells] == [
        (c.source, c.metadata) for c in ours.cells
    ], "our student edition must equal nbgrader's release"

    for who, nb in (("reference", source_nb(name)), ("untouched", released)):
        folder = course / "submitted" / who / "preprocess"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    run_nbgrader(course, "autograde", "preprocess")

    theirs = gradebook_scores(course, "preprocess", ("reference", "untouched"))
    ours = {
        who: {k: v for k, v in scores(run, who).items() if k.startswith(name)}
        for who in ("reference", "untouched")
    }
    assert theirs["reference"] == {k: v for k, v in FULL_MARKS.items() if k.startswith(name)}
    assert theirs == ours
