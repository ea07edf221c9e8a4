"""The synthetic class's students: how each one's hand-in differs from the instructor's.

:data:`STUDENTS` are 24 students made from the real instructor notebooks (full marks, typical
mistakes, ...) and from the student edition nbgrader generates (untouched, stopped half-way);
each says which checks it must lose. :func:`hand_in` writes one
student's folder. The cheaters are in :mod:`~course_tools.classroom.hostile_students`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell


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
    Student("backward_without_relu", "06's backward forgets the ReLU's derivative "
            "(the gradient check fails)", loses=("06_improve:test_mlp_backward",),
            edits=(Edit("06_improve", "mlp_backward",
                        '(d_logits @ params["W2"].T) * (hidden > 0)',
                        'd_logits @ params["W2"].T'),)),
    Student("confusion_sized_by_data", "05's confusion matrix sized by the largest label, not "
            "num_classes (labels without a 9 give a smaller table)",
            loses=("05_evaluate:test_confusion_counts",),
            edits=(Edit("05_evaluate", "confusion_counts", "cm = np.zeros(",
                        "num_classes = int(max(np.max(y_true), np.max(y_pred))) + 1\n"
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


def hand_in(student: Student, instructor: Path, released: Path, dest: Path,
            fill: dict[str, str] | None = None) -> None:
    """Write one student's folder; ``fill`` replaces placeholders in the edits' new text."""
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
                new = edit.new
                for placeholder, value in (fill or {}).items():
                    new = new.replace(placeholder, value)
                if edit.old == ALL:
                    cell.source = new
                elif edit.old in cell.source:
                    cell.source = cell.source.replace(edit.old, new)
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
