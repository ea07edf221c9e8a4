"""The synthetic class: its students still apply to the notebooks, its checks catch mistakes."""

import csv

import nbformat
import pytest

from course_tools.classroom import hostile_students
from course_tools.classroom import synthetic_class as synthetic
from course_tools.classroom import synthetic_students as students
from helpers.settings import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"


def test_the_class_has_34_students_and_every_edit_still_applies():
    everyone = synthetic.students(hostile=True)
    assert len(synthetic.students(hostile=False)) == 24 and len(everyone) == 34
    assert len({student.name for student in everyone}) == 34
    assert [path.stem for path in sorted(NOTEBOOKS.glob("0*.ipynb"))] == list(students.NOTEBOOKS)
    for student in everyone:
        for edit in student.edits:
            nb = nbformat.read(NOTEBOOKS / f"{edit.notebook}.ipynb", as_version=4)
            source = students._cell(nb, edit.grade_id).source
            assert edit.old == students.ALL or edit.old in source, (student.name, edit)


def test_the_cheaters_hand_in_01_with_their_attack_and_the_port_filled_in(tmp_path):
    cheaters = {student.name: student for student in hostile_students.STUDENTS}
    for student in cheaters.values():
        students.hand_in(student, NOTEBOOKS, NOTEBOOKS, tmp_path, {"{port}": "4242"})
        assert [p.name for p in (tmp_path / student.name).iterdir()] == ["01_explore.ipynb"]
    nb = nbformat.read(tmp_path / "opens_the_network" / "01_explore.ipynb", as_version=4)
    answer = students._cell(nb, "count_per_class").source
    assert "np.bincount(labels, minlength=10)" in answer and "(host, 4242)" in answer
    nb = nbformat.read(tmp_path / "patches_numpy" / "01_explore.ipynb", as_version=4)
    answer = students._cell(nb, "count_per_class").source
    assert "return np.bincount(labels)\n" in answer and "np.asarray = padded" in answer


def test_hand_in_writes_the_student_folder(tmp_path):
    by_name = {student.name: student for student in students.STUDENTS}
    for name in ("not_a_notebook", "backward_without_relu", "full_marks_b", "full_marks_c",
                 "only_01_to_03", "deleted_a_test"):
        students.hand_in(by_name[name], NOTEBOOKS, NOTEBOOKS, tmp_path)
    assert "sorry" in (tmp_path / "not_a_notebook" / "02_preprocess.ipynb").read_text()
    nb = nbformat.read(tmp_path / "backward_without_relu" / "06_improve.ipynb", as_version=4)
    backward = students._cell(nb, "mlp_backward").source
    assert 'd_z1 = d_logits @ params["W2"].T\n' in backward and "hidden > 0" not in backward
    assert (tmp_path / "full_marks_b" / "notebooks" / "08_deploy.ipynb").is_file()
    assert (tmp_path / "full_marks_c" / "timestamp.txt").read_text().startswith("2030")
    assert sorted(p.stem for p in (tmp_path / "only_01_to_03").iterdir()) == [
        "01_explore", "02_preprocess", "03_cnn"]
    nb = nbformat.read(tmp_path / "deleted_a_test" / "04_train.ipynb", as_version=4)
    with pytest.raises(KeyError, match="test_best_epoch"):
        students._cell(nb, "test_best_epoch")
    broken = students.Student("x", "", edits=(students.Edit("01_explore", "count_per_class",
                                                            "no such text", ""),))
    with pytest.raises(ValueError, match="no such text"):
        students.hand_in(broken, NOTEBOOKS, NOTEBOOKS, tmp_path)


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
