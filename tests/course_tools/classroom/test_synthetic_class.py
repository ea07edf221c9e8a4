"""The synthetic class: its students still apply to the notebooks, its checks catch mistakes."""

import csv

import nbformat
import pytest

from course_tools.classroom import synthetic_class as synthetic
from helpers.settings import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"


def test_the_class_has_24_students_and_every_edit_still_applies():
    assert len(synthetic.STUDENTS) == 24
    assert len({student.name for student in synthetic.STUDENTS}) == 24
    assert [path.stem for path in sorted(NOTEBOOKS.glob("0*.ipynb"))] == list(synthetic.NOTEBOOKS)
    for student in synthetic.STUDENTS:
        for edit in student.edits:
            nb = nbformat.read(NOTEBOOKS / f"{edit.notebook}.ipynb", as_version=4)
            source = synthetic._cell(nb, edit.grade_id).source
            assert edit.old == synthetic.ALL or edit.old in source, (student.name, edit)


def test_hand_in_writes_the_student_folder(tmp_path):
    students = {student.name: student for student in synthetic.STUDENTS}
    for name in ("not_a_notebook", "delegates_backward", "full_marks_b", "full_marks_c",
                 "only_01_to_03", "deleted_a_test"):
        synthetic.hand_in(students[name], NOTEBOOKS, NOTEBOOKS, tmp_path)
    assert "sorry" in (tmp_path / "not_a_notebook" / "02_preprocess.ipynb").read_text()
    nb = nbformat.read(tmp_path / "delegates_backward" / "06_improve.ipynb", as_version=4)
    assert "return numpy_mlp.backward(" in synthetic._cell(nb, "mlp_backward").source
    assert (tmp_path / "full_marks_b" / "notebooks" / "08_deploy.ipynb").is_file()
    assert (tmp_path / "full_marks_c" / "timestamp.txt").read_text().startswith("2030")
    assert sorted(p.stem for p in (tmp_path / "only_01_to_03").iterdir()) == [
        "01_explore", "02_preprocess", "03_cnn"]
    nb = nbformat.read(tmp_path / "deleted_a_test" / "04_train.ipynb", as_version=4)
    with pytest.raises(KeyError, match="test_best_epoch"):
        synthetic._cell(nb, "test_best_epoch")
    broken = synthetic.Student("x", "", edits=(synthetic.Edit("01_explore", "count_per_class",
                                                              "no such text", ""),))
    with pytest.raises(ValueError, match="no such text"):
        synthetic.hand_in(broken, NOTEBOOKS, NOTEBOOKS, tmp_path)


def write_export(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student_id", "score", "a:t1", "b:t2"])
        writer.writeheader()
        writer.writerows(rows)


def test_compare_names_each_wrong_check_and_a_broken_course(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "REFERENCE", "ref")
    expected = {"ref": {"a:t1": 2.0, "b:t2": 3.0}, "bob": {"a:t1": 0.0, "b:t2": 3.0}}
    write_export(tmp_path / "ok.csv", [
        {"student_id": "ref", "score": 5, "a:t1": 2, "b:t2": 3},
        {"student_id": "bob", "score": 3, "a:t1": 0, "b:t2": 3},
    ])
    assert synthetic.compare(expected, tmp_path / "ok.csv") == []
    write_export(tmp_path / "wrong.csv", [
        {"student_id": "ref", "score": 5, "a:t1": 2, "b:t2": 3},
        {"student_id": "bob", "score": 5, "a:t1": 2, "b:t2": 3},
    ])
    assert synthetic.compare(expected, tmp_path / "wrong.csv") == [
        "bob: score 5, expected 3; a:t1 2 (expected 0)"]
    write_export(tmp_path / "broken.csv", [  # the course itself fails b:t2 for everyone
        {"student_id": "ref", "score": 2, "a:t1": 2, "b:t2": 0},
        {"student_id": "bob", "score": 0, "a:t1": 0, "b:t2": 0},
    ])
    (problem,) = synthetic.compare(expected, tmp_path / "broken.csv")
    assert problem.startswith("the instructor's answers (ref) lose b:t2")


def test_an_hour_on_16_cores():
    # 24 students in 1,200 s on 2 cores: 0.01 students per core-second, 576 per 16 core-hours
    assert synthetic.per_hour(24, 1200, 2) == 576
