"""A synthetic class of 24 students, graded with one command and checked score by score.

Usage::

    python -m course_tools.classroom.synthetic_class [--out scratch/synthetic-class]
        [--workers N] [--timeout 300] [--build-only]

The students are made from the real instructor notebooks (full marks, typical mistakes,
delegation to ``helpers``, ...) and from the student edition nbgrader generates (untouched,
stopped half-way); :data:`STUDENTS` says what each one does and which checks it must lose.
The command builds the class in ``--out``, grades it from scratch with
:func:`~course_tools.classroom.grading.grade_class` in a fresh course folder, then checks:

- every student's score, check by check, against the expected one;
- that the instructor's repository is unchanged (``git status`` before and after);
- that nbgrader's own command line (``nbgrader export``) shows the same totals from the same
  gradebook.

It prints the wall time, the time per student, and how many students one machine of 16 cores
would grade in an hour at the measured rate. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from course_tools.classroom.course import DEFAULT_TIMEOUT, Course
from course_tools.classroom.grading import DEFAULT_SOURCE, available_cores, grade_class
from course_tools.classroom.workspace import GradingOptions
from helpers.settings import REPO_ROOT

DEFAULT_OUT = REPO_ROOT / "scratch" / "synthetic-class"
TARGET_CORES, TARGET_SECONDS = 16, 3600


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in the cell ``grade_id`` of ``notebook`` (``old`` ``"*"``:
    the whole cell)."""

    notebook: str
    grade_id: str
    old: str
    new: str


@dataclass(frozen=True)
class Student:
    """One synthetic student: how their hand-in differs from the instructor's answers."""

    name: str
    why: str
    loses: tuple[str, ...] = ()  # "<notebook>:<test grade_id>", or "<notebook>:*" for all
    edits: tuple[Edit, ...] = ()
    released: tuple[str, ...] = ()  # notebooks handed in as the student edition gave them
    missing: tuple[str, ...] = ()  # notebooks not handed in
    not_a_notebook: tuple[str, ...] = ()  # text files in place of these notebooks
    appended: dict[str, str] = field(default_factory=dict)  # notebook -> code cell added
    deleted: tuple[tuple[str, str], ...] = ()  # (notebook, grade_id) cells deleted
    layout: str = ""  # subfolder the notebooks are in
    timestamp: str | None = None  # nbgrader's timestamp.txt


ALL = "*"
NOTEBOOKS = tuple(
    f"{number:02d}_{name}"
    for number, name in enumerate(
        ("explore", "preprocess", "cnn", "train", "evaluate", "improve", "visualize", "deploy"),
        start=1,
    )
)

STUDENTS = (
    Student("full_marks_a", "the instructor's answers"),
    Student("full_marks_b", "the answers, under notebooks/", layout="notebooks"),
    Student("full_marks_c", "the answers, with nbgrader's timestamp.txt",
            timestamp="2030-01-15 09:30:00 UTC"),
    Student("untouched", "the student edition as handed out", loses=(ALL,), released=NOTEBOOKS),
    Student("stopped_after_04", "01-04 answered, 05-08 as handed out",
            loses=tuple(f"{nb}:{ALL}" for nb in NOTEBOOKS[4:]), released=NOTEBOOKS[4:]),
    Student("only_01_to_03", "hands in 01-03 only",
            loses=tuple(f"{nb}:{ALL}" for nb in NOTEBOOKS[3:]), missing=NOTEBOOKS[3:]),
    Student("one_hot_float64", "one-hot rows in float64, not float32",
            loses=("02_preprocess:test_one_hot",),
            edits=(Edit("02_preprocess", "one_hot", "np.eye(num_classes, dtype=np.float32)",
                        "np.eye(num_classes)"),)),
    Student("normalise_no_channel", "forgets the channel axis",
            loses=("02_preprocess:test_normalise",),
            edits=(Edit("02_preprocess", "normalise", "[..., np.newaxis]", ""),)),
    Student("compile_sgd", "compiles with SGD instead of Adam",
            loses=("03_cnn:test_compile_model",),
            edits=(Edit("03_cnn", "compile_model", "keras.optimizers.Adam(learning_rate)",
                        "keras.optimizers.SGD(learning_rate)"),)),
    Student("best_epoch_from_0", "counts epochs from 0", loses=("04_train:test_best_epoch",),
            edits=(Edit("04_train", "best_epoch", "int(np.argmin(val_losses)) + 1",
                        "int(np.argmin(val_losses))"),)),
    Student("confusion_transposed", "rows are predictions, columns true classes",
            loses=("05_evaluate:test_confusion_counts",),
            edits=(Edit("05_evaluate", "confusion_counts", "(y_true, y_pred), 1)",
                        "(y_pred, y_true), 1)"),)),
    Student("recall_divides_by_zero", "no guard for a class without samples",
            loses=("05_evaluate:test_recall_per_class",),
            edits=(Edit("05_evaluate", "recall_per_class",
                        "np.divide(found, present, out=np.zeros(len(cm)), where=present > 0)",
                        "found / present"),)),
    Student("augmentation_flips", "adds a horizontal flip to the augmentation",
            loses=("06_improve:test_build_augmentation",),
            edits=(Edit("06_improve", "build_augmentation",
                        'layers.RandomZoom(0.1, fill_mode="constant"),',
                        'layers.RandomZoom(0.1, fill_mode="constant"),\n'
                        '            layers.RandomFlip("horizontal"),'),)),
    Student("choose_best_last_tie", "keeps the last model on a tie",
            loses=("06_improve:test_choose_best",),
            edits=(Edit("06_improve", "choose_best", "if accuracy > best_accuracy:",
                        "if accuracy >= best_accuracy:"),)),
    Student("saliency_after_softmax", "differentiates the probability, not the logit",
            loses=("07_visualize:test_saliency_of",),
            edits=(Edit("07_visualize", "saliency_of",
                        "features(pixels, training=False) @ dense.kernel + dense.bias",
                        "model(pixels, training=False)"),)),
    Student("centre_wraps_around", "shifts with np.roll, which wraps ink around the edge",
            loses=("08_deploy:test_centre_by_mass",),
            edits=(Edit("08_deploy", "centre_by_mass", "centred = np.zeros_like(image)",
                        "return np.roll(image, (down, right), axis=(0, 1))"),)),
    Student("train_raises", "04's fit call has a typo: no model, so 05, 07 and 08 cannot load it",
            loses=("04_train:test_train", "05_evaluate:*", "07_visualize:*",
                   "08_deploy:test_int8_trade"),
            edits=(Edit("04_train", "train", "batch_size=128,", "batch=128,"),)),
    Student("loops_forever", "an endless loop in 01's exercise cell (interrupted at the limit)",
            loses=("01_explore:test_count_per_class",),
            edits=(Edit("01_explore", "count_per_class", "train_counts = ",
                        "while True:\n    pass\ntrain_counts = "),)),
    Student("not_a_notebook", "02 is a text file named 02_preprocess.ipynb",
            loses=("02_preprocess:*",), not_a_notebook=("02_preprocess",)),
    Student("writes_reports", "a cell of 01 writes into ../reports",
            appended={"01_explore": "from pathlib import Path\n"
                                    "Path('../reports').mkdir(exist_ok=True)\n"
                                    "Path('../reports/notes.txt').write_text('mine')"}),
    Student("delegates_backward", "06's backward calls numpy_mlp.backward",
            loses=("06_improve:test_mlp_backward",),
            edits=(Edit("06_improve", "mlp_backward", "x, hidden = cache",
                        "return numpy_mlp.backward(params, cache, labels, weight_decay)\n"
                        "    x, hidden = cache"),)),
    Student("delegates_confusion", "05's confusion matrix calls evaluation.confusion_matrix",
            loses=("05_evaluate:test_confusion_counts",),
            edits=(Edit("05_evaluate", "confusion_counts", "cm = np.zeros(",
                        "return evaluation.confusion_matrix(y_true, y_pred, num_classes)\n"
                        "    cm = np.zeros("),)),
    Student("deleted_a_test", "deletes 04's last test cell: nbgrader puts it back",
            deleted=(("04_train", "test_best_epoch"),)),
    Student("emptied_a_test", "a wrong CNN (no dropout) and its test cell replaced by `pass`",
            loses=("03_cnn:test_build_cnn",),
            edits=(Edit("03_cnn", "build_cnn", 'layers.Dropout(0.5, name="dropout"),', ""),
                   Edit("03_cnn", "test_build_cnn", ALL, "pass  # nothing to test here"))),
)


def _cell(nb, grade_id: str):
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(f"no cell {grade_id!r}: the notebooks changed, update STUDENTS")


def hand_in(student: Student, instructor: Path, released: Path, dest: Path) -> None:
    """Write one student's folder."""
    folder = dest / student.name / student.layout
    folder.mkdir(parents=True, exist_ok=True)
    for name in NOTEBOOKS:
        if name in student.missing:
            continue
        path = folder / f"{name}.ipynb"
        if name in student.not_a_notebook:
            path.write_text("I could not save my notebook, sorry.\n", encoding="utf-8")
            continue
        origin = released if name in student.released else instructor
        nb = nbformat.read(origin / f"{name}.ipynb", as_version=4)
        for edit in student.edits:
            if edit.notebook == name:
                cell = _cell(nb, edit.grade_id)
                if edit.old == ALL:
                    cell.source = edit.new
                elif edit.old in cell.source:
                    cell.source = cell.source.replace(edit.old, edit.new)
                else:
                    raise ValueError(f"{student.name}: {edit.old!r} not in {name}:{edit.grade_id}")
        for notebook, grade_id in student.deleted:
            if notebook == name:
                nb.cells.remove(_cell(nb, grade_id))
        if name in student.appended:
            nb.cells.append(new_code_cell(student.appended[name]))
        nbformat.write(nb, path)
    if student.timestamp:
        (dest / student.name / "timestamp.txt").write_text(student.timestamp, encoding="utf-8")


def build(out: Path, source: Path = DEFAULT_SOURCE) -> tuple[Course, Path]:
    """The course folder (fresh) and the class's submissions under ``out``."""
    out = Path(out)
    for folder in ("course", "submissions"):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    course = Course(out / "course")
    course.prepare(source)
    missing = sorted(set(NOTEBOOKS) - set(course.notebooks()))
    if missing:
        raise ValueError(f"the course has no {', '.join(missing)}")
    for student in STUDENTS:
        hand_in(student, course.source_dir, course.release_dir, out / "submissions")
    return course, out / "submissions"


def expected_scores(course: Course) -> dict[str, dict[str, float]]:
    """``{student: {"<notebook>:<check>": points expected}}`` from the gradebook's checks."""
    with course.open_gradebook() as gradebook:
        checks = {
            f"{notebook.name}:{cell.name}": float(cell.max_score)
            for notebook in gradebook.find_assignment(course.assignment).notebooks
            for cell in notebook.grade_cells
        }

    def lost(student: Student, check: str) -> bool:
        notebook = check.split(":")[0]
        return any(rule in (ALL, check, f"{notebook}:{ALL}") for rule in student.loses)

    return {
        student.name: {check: 0.0 if lost(student, check) else points
                       for check, points in checks.items()}
        for student in STUDENTS
    }


def read_export(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


REFERENCE = "full_marks_a"


def compare(expected: dict[str, dict[str, float]], export: Path) -> list[str]:
    """What differs between the exported grades and the expected ones, as lines to print.

    The instructor's answers (:data:`REFERENCE`) must score every check; a check they lose is
    a bug of the course's notebooks, reported once, and is then expected at 0 from everyone, so
    that each other line points at grading, not at the course.
    """
    rows = read_export(export)
    problems = []
    reference = rows.get(REFERENCE, {})
    broken = sorted(check for check, points in expected[REFERENCE].items()
                    if float(reference.get(check) or 0) != points)
    if broken:
        problems.append(f"the instructor's answers ({REFERENCE}) lose {', '.join(broken)}: "
                        "the notebooks fail with their own answers (a course bug, not grading)")
    for student, checks in expected.items():
        row = rows.get(student)
        if row is None:
            problems.append(f"{student}: not in {export.name}")
            continue
        checks = {check: 0.0 if check in broken else points for check, points in checks.items()}
        differ = [f"{check} {row.get(check)} (expected {points:g})"
                  for check, points in checks.items() if float(row.get(check) or 0) != points]
        if differ and student != REFERENCE:
            problems.append(f"{student}: score {row['score']}, expected "
                            f"{sum(checks.values()):g}; " + "; ".join(differ))
    return problems


def nbgrader_totals(course: Course, dest: Path) -> dict[str, float]:
    """The totals ``nbgrader export`` (nbgrader's own command line) reads from the gradebook."""
    nbgrader = Path(sys.executable).with_name("nbgrader")
    env = {**os.environ, "PATH": f"{nbgrader.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run([str(nbgrader), "export", "--to", str(dest)], cwd=course.root, env=env,
                   check=True, capture_output=True, text=True)
    return {student: float(row["score"]) for student, row in read_export(dest).items()}


def git_status() -> str | None:
    """``git status --porcelain`` of the repository, or None without git."""
    try:
        done = subprocess.run(["git", "status", "--porcelain"], cwd=REPO_ROOT,
                              capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout


def per_hour(students: int, seconds: float, cores: int, target_cores: int = TARGET_CORES) -> int:
    """Students ``target_cores`` cores grade in an hour at the rate measured on ``cores``."""
    return int(TARGET_SECONDS * students * target_cores / (seconds * cores))


def run(out: Path, workers: int | None, timeout: int, log: Callable[[str], None] = print) -> int:
    """Build, grade and check the class; 0 when every check passed."""
    course, submissions = build(out)
    expected = expected_scores(course)
    status = git_status()
    workers = workers or available_cores()
    started = time.monotonic()
    # graded against the notebooks the class was built from, even if notebooks/ changes
    graded = grade_class(submissions, course=course, source=course.source_dir, workers=workers,
                         options=GradingOptions(timeout=timeout), log=log)
    wall = time.monotonic() - started
    problems = compare(expected, graded.export)
    ours = {student: float(row["score"]) for student, row in read_export(graded.export).items()}
    if nbgrader_totals(course, out / "nbgrader-export.csv") != ours:
        problems.append("nbgrader export shows other totals than exports/grades.csv")
    if status is not None and git_status() != status:
        problems.append("the repository changed during grading (git status differs)")
    problems += graded.warnings

    cores = min(workers, available_cores())
    students = len(graded.graded)
    log("")
    log(f"{students} students graded in {wall:.0f} s with {workers} worker(s) on {cores} "
        f"core(s): {wall / students:.1f} s per student (wall), "
        f"{sum(o.seconds for o in graded.graded) / students:.1f} s per student in a worker")
    log(f"at this rate one machine of {TARGET_CORES} cores grades about "
        f"{per_hour(students, wall, cores)} students in an hour "
        f"(assumes throughput grows with cores: one worker per core, memory to match)")
    for problem in problems:
        log(f"FAILED: {problem}")
    if not problems:
        log(f"OK: all {len(expected)} scores as expected, the repository unchanged, "
            "nbgrader export agrees")
    return 1 if problems else 0


def check_only(out: Path, log: Callable[[str], None] = print) -> int:
    """The score checks again on a class already graded in ``out`` (no grading)."""
    course = Course(Path(out) / "course")
    problems = compare(expected_scores(course), course.root / "exports" / "grades.csv")
    for problem in problems:
        log(f"FAILED: {problem}")
    if not problems:
        log(f"OK: all {len(STUDENTS)} scores as expected")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom.synthetic_class",
        description="Build a synthetic class of 24 students, grade it and check every score.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the class goes")
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per cell")
    parser.add_argument("--build-only", action="store_true", help="build the class, no grading")
    parser.add_argument("--check-only", action="store_true",
                        help="check the scores of the class graded last time in --out")
    args = parser.parse_args(argv)
    if args.check_only:
        return check_only(args.out)
    if args.build_only:
        _, submissions = build(args.out)
        print(f"{len(STUDENTS)} students in {submissions}")
        return 0
    return run(args.out, args.workers, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
