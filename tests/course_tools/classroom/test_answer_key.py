"""The reference answers of the solution cells, and the shipped functions that answer one."""

import ast
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_tools.classroom import answer_key

CONFUSION = '''\
def confusion_counts(y_true, y_pred, num_classes=10):
    """cm[t, p]: how many samples of true class t were predicted as class p."""
    ### BEGIN SOLUTION
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    return cm
    ### END SOLUTION
'''
RECALL = '''\
%matplotlib inline
def recall_per_class(cm):
    """The recall of each class; 0 for a class without samples."""
    ### BEGIN SOLUTION
    found = np.diag(cm).astype(float)
    present = cm.sum(axis=1)
    return np.divide(found, present, out=np.zeros(len(cm)), where=present > 0)
    ### END SOLUTION
'''
# a copy of CONFUSION: other names, other constants, another docstring, a line added
COPY = '''\
import numpy as np


def tally(truth, guesses, classes=12):
    """Counts of (true, predicted) pairs."""
    truth = np.asarray(truth)
    table = np.zeros((classes, classes), dtype=np.int64)
    for true_class, guess in zip(truth, guesses):
        table[true_class, guess] += 1
    return table
'''


def solution(source, grade_id):
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
        "solution": True}})


def write_notebook(path: Path, *cells) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


@pytest.fixture
def known(tmp_path):
    notebook = write_notebook(
        tmp_path / "notebooks" / "05_evaluate.ipynb",
        new_markdown_cell("Write `confusion_counts`."),
        new_code_cell("def helper_of_the_notebook(x):\n    return [v * 2 for v in x if v]"),
        solution(CONFUSION, "confusion_counts"),
        solution(RECALL, "recall_per_class"),
    )
    return answer_key.references([notebook])


def shipped(tmp_path, **files) -> Path:
    """A ``helpers`` package under ``tmp_path/edition`` holding ``files`` (name -> code)."""
    folder = tmp_path / "edition" / "helpers"
    folder.mkdir(parents=True)
    for name, code in files.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    return folder


def test_references_are_the_functions_of_the_solution_cells(known):
    assert [(r.notebook, r.exercise, r.function) for r in known] == [
        ("05_evaluate", "confusion_counts", "confusion_counts"),
        ("05_evaluate", "recall_per_class", "recall_per_class"),  # its magic line is no matter
    ]
    assert all(reference.size >= answer_key.PIECE for reference in known)


def test_a_copy_with_other_names_and_a_line_added_is_found(known, tmp_path):
    folder = shipped(tmp_path, counting=COPY)
    (answer,) = answer_key.answers_in(folder, known)
    assert (answer.path, answer.function, answer.line) == ("helpers/counting.py", "tally", 4)
    assert answer.reference.exercise == "confusion_counts"
    assert answer_key.SHARE <= answer.share < 1  # all but the module and `return table`
    assert str(answer) == ("helpers/counting.py:4 tally answers 05_evaluate exercise "
                           f"'confusion_counts' (confusion_counts: {answer.share:.0%} of its code)")
    assert answer_key.answers_in(folder, known, root=tmp_path)[0].path == (
        "edition/helpers/counting.py")


def test_a_method_of_a_class_is_checked_too(known, tmp_path):
    folder = shipped(tmp_path, scores="""\
        import numpy as np


        class Scores:
            def __init__(self, matrix):
                self.matrix = matrix

            def recall(self, matrix):
                hits = np.diag(matrix).astype(float)
                totals = matrix.sum(axis=1)
                return np.divide(hits, totals, out=np.zeros(len(matrix)), where=totals > 0)
        """)
    (answer,) = answer_key.answers_in(folder, known)
    assert (answer.function, answer.line, answer.reference.exercise) == (
        "recall", 8, "recall_per_class")


def test_another_way_to_compute_the_same_is_not_an_answer(known, tmp_path):
    folder = shipped(tmp_path, metrics="""\
        import numpy as np
        from sklearn import metrics


        def confusion_matrix(y_true, y_pred, num_classes=10):
            return metrics.confusion_matrix(y_true, y_pred, labels=np.arange(num_classes))


        def per_class_recall(cm):
            return np.nan_to_num(cm.diagonal() / cm.sum(axis=1))


        def scaled(images):
            return np.asarray(images, dtype=np.float32) / 255.0
        """)
    assert answer_key.answers_in(folder, known) == []


def test_docstrings_are_no_part_of_an_answer(known, tmp_path):
    folder = shipped(tmp_path, other="""\
        def confusion_counts(y_true, y_pred, num_classes=10):
            \"\"\"cm[t, p]: how many samples of true class t were predicted as class p.\"\"\"
            raise NotImplementedError("written in notebook 05")
        """)
    assert answer_key.answers_in(folder, known) == []
    documented = ast.parse('def f(x):\n    """Add one."""\n    return x + 1').body[0]
    bare = ast.parse("def g(y):\n    return y + 2").body[0]
    assert answer_key.shape(answer_key.normalised_body(documented)) == answer_key.shape(
        answer_key.normalised_body(bare))


def test_a_solution_cell_that_does_not_parse_names_its_notebook(tmp_path):
    broken = write_notebook(tmp_path / "03_cnn.ipynb",
                            solution("def build_cnn(:\n    pass", "build_cnn"))
    with pytest.raises(ValueError, match=r"03_cnn\.ipynb: a solution cell does not parse"):
        answer_key.references([broken])
