"""The course's 20 exercises: their cells, and answer tables that their test cells must grade right.

Kernel-free: every solution cell is followed by its locked, graded test cell; the student version
(nbgrader's preprocessors) keeps only stubs and no hidden test; every exercise has an answer table
of at least two other correct answers and two typical mistakes; no exercise names the helper
that solves it before its test cell.

The answer tables (``tests/notebooks/answers/``) run in this process, one pass per notebook in
the quick profile (:mod:`tests.notebooks.answer_trials`): every correct answer must pass the
instructor's test cell and the student's; every mistake must fail the instructor's with an
AssertionError whose message says what is wrong; the untouched stub must score nothing; and no
test cell may crash on its own code. About two minutes on an idle 2-core CPU, most of it in
notebook 04 (a dozen short fits) and 07 (gradients through two CNNs).
"""

import os
import re

import pytest
from nbgrader import utils as nbgrader_utils

from tests.notebooks import answer_trials
from tests.notebooks.answer_trials import FAILED, PASSED, TEST_CRASHED, Right, Wrong
from tests.notebooks.answers import STAND_INS, TABLES
from tests.notebooks.exercise_cells import (
    exercises,
    grade_id,
    read_notebook,
    solution_regions,
    student_version,
)

os.environ.setdefault("MPLBACKEND", "Agg")  # the notebooks' cells draw no window here
# Keras warns when a model built on a list of inputs gets one array (the reference helpers of
# notebook 07 do that); the mistakes of the tables divide by zero on purpose.
pytestmark = [
    pytest.mark.filterwarnings("ignore:The structure of `inputs`:UserWarning"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
]

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
    "06_improve": [
        ("build_augmentation", "test_build_augmentation", 3),
        ("mlp_backward", "test_mlp_backward", 4),
        ("choose_best", "test_choose_best", 2),
    ],
    "07_visualize": [
        ("feature_maps_of", "test_feature_maps_of", 3),
        ("saliency_of", "test_saliency_of", 3),
    ],
    "08_deploy": [
        ("int8_trade", "test_int8_trade", 2),
        ("centre_by_mass", "test_centre_by_mass", 3),
    ],
}

# What would solve an exercise for the student (helpers that remain in the course, or a library
# function): no cell a student sees before the exercise's test cell (text, code or printed
# source) may name it. A name is matched as a whole word.
SOLVED_BY = {
    "parameter_counts": ["parameter_formula"],
    "make_callbacks": ["training.fit"],
    "train": ["training.fit"],
    "best_epoch": ["training.fit"],
    "confusion_counts": ["confusion_matrix"],
    "recall_per_class": ["per_class_scores", "row_normalise"],
    "centre_by_mass": ["centre_in_canvas", "recentre_batch"],
}

# Answers or exercises expected to fail for a known reason, with the reason (strict: once it is
# fixed the entry fails here and must be removed). None today.
PENDING: dict[tuple[str, str, str], str] = {}
PENDING_NAMES: dict[tuple[str, str], str] = {}
MIN_RIGHT, MIN_WRONG = 2, 2


def table_rows(kind):
    """pytest params (notebook, solution id, answer name) of every answer of the given kind."""
    rows = []
    for notebook, table in TABLES.items():
        for solution_id, answers in table.items():
            for answer in answers:
                if isinstance(answer, kind):
                    key = (notebook, solution_id, answer.name)
                    marks = (
                        [pytest.mark.xfail(strict=True, reason=PENDING[key])]
                        if key in PENDING
                        else []
                    )
                    rows.append(
                        pytest.param(
                            *key, id=f"{notebook}:{solution_id}:{answer.name}", marks=marks
                        )
                    )
    return rows


def exercise_rows(pending=None):
    """pytest params (notebook, solution id) of every exercise; ``pending`` maps some of them
    to the reason they are expected to fail for now."""
    pending = pending or {}
    return [
        pytest.param(
            notebook,
            solution_id,
            id=f"{notebook}:{solution_id}",
            marks=[pytest.mark.xfail(strict=True, reason=pending[notebook, solution_id])]
            if (notebook, solution_id) in pending
            else [],
        )
        for notebook, listed in EXERCISES.items()
        for solution_id, _, _ in listed
    ]


# ---------------------------------------------------------------------------------------------
# The notebooks' cells and the tables (no kernel)


@pytest.mark.parametrize("name", list(EXERCISES))
def test_each_exercise_is_followed_by_its_graded_test(name):
    nb = read_notebook(name)
    graded = [
        (grade_id(cell), nbgrader_utils.is_solution(cell), cell.metadata.nbgrader.get("points"))
        for cell in nb.cells
        if "nbgrader" in cell.metadata
    ]
    expected = [
        item
        for solution, test, points in EXERCISES[name]
        for item in ((solution, True, None), (test, False, points))
    ]
    assert graded == expected
    for exercise in exercises(nb, name):
        check = nb.cells[exercise.test_index]
        assert check.metadata.nbgrader["locked"] and nbgrader_utils.is_grade(check)
        assert "### BEGIN HIDDEN TESTS" in exercise.instructor_test, exercise.test_id
        assert "assert" in exercise.student_test.split("### BEGIN HIDDEN TESTS")[0], (
            exercise.test_id
        )


@pytest.mark.parametrize("name", list(EXERCISES))
def test_student_version_leaves_only_the_stubs(name):
    nb = read_notebook(name)
    student = {grade_id(cell): cell.source for cell in student_version(nb).cells}
    for exercise in exercises(nb, name):
        stub = student[exercise.solution_id]
        assert "# YOUR CODE HERE\n" in stub and "raise NotImplementedError()" in stub
        body = [
            line.strip()
            for region in solution_regions(exercise.solution)
            for line in region.splitlines()
        ]
        body = [line for line in body if len(line) > 8]  # not `)` or `],`
        assert not any(line in stub for line in body), f"{exercise.key} leaks its answer"
        assert "HIDDEN" not in student[exercise.test_id]


@pytest.mark.parametrize("notebook, solution_id", exercise_rows())
def test_every_exercise_has_an_answer_table(notebook, solution_id):
    answers = TABLES[notebook].get(solution_id, [])
    right = [a for a in answers if isinstance(a, Right)]
    wrong = [a for a in answers if isinstance(a, Wrong)]
    assert len(right) >= MIN_RIGHT and len(wrong) >= MIN_WRONG, (
        f"{notebook}:{solution_id} has {len(right)} correct and {len(wrong)} wrong answers; "
        f"at least {MIN_RIGHT} and {MIN_WRONG} expected"
    )
    names = [answer.name for answer in answers]
    assert len(set(names)) == len(names) and not {"reference", "unanswered"} & set(names)
    assert all(answer.says for answer in wrong), "a mistake must name the message it gets"


def test_the_tables_hold_only_known_exercises():
    known = {notebook: {s for s, _, _ in listed} for notebook, listed in EXERCISES.items()}
    assert set(TABLES) == set(known)
    for notebook, table in TABLES.items():
        assert set(table) <= known[notebook], f"{notebook}: {set(table) - known[notebook]}"


def _visible_before(nb, exercise):
    """Text a student sees before the exercise's test cell: the student version's sources and
    the outputs of the executed notebook (a helper's source shown with show_source)."""
    parts = []
    for cell, executed in zip(
        student_version(nb).cells[: exercise.test_index], nb.cells, strict=False
    ):
        parts.append(cell.source)
        for output in executed.get("outputs", []):
            parts.append(output.get("text", ""))
            parts += [str(value) for value in output.get("data", {}).values()]
    return "\n".join(parts)


@pytest.mark.parametrize("notebook, solution_id", exercise_rows(PENDING_NAMES))
def test_no_exercise_names_its_solution(notebook, solution_id):
    nb = read_notebook(notebook)
    exercise = next(e for e in exercises(nb, notebook) if e.solution_id == solution_id)
    seen = _visible_before(nb, exercise)
    for helper in SOLVED_BY.get(solution_id, []):
        assert not re.search(rf"(?<!\w){re.escape(helper)}\b", seen), (
            f"{notebook}: a cell before the test of {solution_id} names {helper}, which solves it"
        )


# ---------------------------------------------------------------------------------------------
# The answer tables, run against the test cells


@pytest.fixture(scope="session")
def trials(tmp_path_factory):
    """notebook -> solution grade_id -> trials, each notebook run once, when first asked for."""
    done = {}

    def of(notebook):
        if notebook not in done:
            done[notebook] = answer_trials.try_notebook(
                notebook,
                TABLES[notebook],
                tmp_path_factory.mktemp(f"answers-{notebook}"),
                stand_ins=STAND_INS.get(notebook),
            )
        return done[notebook]

    return of


def trial(trials, notebook, solution_id, answer_name):
    found = [t for t in trials(notebook)[solution_id] if t.answer.name == answer_name]
    assert len(found) == 1, f"{notebook}:{solution_id}: no trial of {answer_name!r}"
    return found[0]


def crash_message(outcome, test_id):
    return (
        f"{test_id} crashed on its own code ({outcome.message}): a test cell must check the "
        "answer's type and shape before it relies on them"
    )


@pytest.mark.parametrize("notebook, solution_id", exercise_rows())
def test_the_reference_answer_scores_full_points(trials, notebook, solution_id):
    result = trial(trials, notebook, solution_id, "reference")
    assert result.cell_error == ""
    assert result.instructor.status == PASSED, str(result.instructor)
    assert result.student.status == PASSED, str(result.student)


@pytest.mark.parametrize("notebook, solution_id, answer_name", table_rows(Right))
def test_a_correct_answer_scores_full_points(trials, notebook, solution_id, answer_name):
    result = trial(trials, notebook, solution_id, answer_name)
    assert result.cell_error == "", f"the answer's own cell failed: {result.cell_error}"
    for version, outcome in (("instructor", result.instructor), ("student", result.student)):
        assert outcome.status != TEST_CRASHED, crash_message(outcome, f"the {version} test")
        assert outcome.status == PASSED, f"the {version} test rejects a correct answer: {outcome}"


@pytest.mark.parametrize("notebook, solution_id, answer_name", table_rows(Wrong))
def test_a_mistake_scores_zero_and_says_why(trials, notebook, solution_id, answer_name):
    result = trial(trials, notebook, solution_id, answer_name)
    outcome = result.instructor
    assert outcome.status != TEST_CRASHED, crash_message(outcome, "the instructor test")
    assert outcome.status == FAILED, f"the instructor test should fail with a message: {outcome}"
    assert result.answer.says in outcome.message, (
        f"the message should say {result.answer.says!r}; it says {outcome.message!r}"
    )


@pytest.mark.parametrize("notebook, solution_id", exercise_rows())
def test_an_unanswered_exercise_scores_zero(trials, notebook, solution_id):
    result = trial(trials, notebook, solution_id, "unanswered")
    assert result.instructor.status != PASSED and result.student.status != PASSED
