"""Two lanes: the side notebooks are graded beside the others, after the notebooks before
them, writing apart, with one thread at a lower priority, and an error in either lane fails
the student as it would in order. Which notebooks are side notebooks is checked against the
course's notebooks."""

import dataclasses
import json
import logging
import os
import re
import threading
import time
from pathlib import Path

import nbformat
import pytest

from course_tools.classroom import lanes, workspace
from course_tools.classroom.course import SIDE_NOTEBOOKS, Course
from course_tools.classroom.sandbox import OUTPUTS
from course_tools.classroom.submissions import HandIn, collect
from course_tools.classroom.workspace import GradingOptions, grade_student, snapshot_gradebook
from helpers.outputs import PRODUCERS
from helpers.settings import REPO_ROOT
from tests.course_tools.classroom.fixtures.grading.build_fixtures import notebook
from tests.course_tools.classroom.fixtures.grading.build_fixtures import test_cell as graded_cell
from tests.course_tools.classroom.test_grading import OPTIONS

# each prints when it starts and ends (the host's clock), and what its kernel sees
REPORT = """
import json, os, time
from pathlib import Path
began = time.time()
output = Path(os.environ["MNIST_COURSE_OUTPUT"])
{body}
print(json.dumps({{"began": began, "ended": time.time(), "output": str(output),
                  "threads": os.environ.get("OMP_NUM_THREADS"), "nice": os.nice(0),
                  "grading": os.environ.get("NBGRADER_EXECUTION")}}))
"""
EARLY = "time.sleep(0.5)"
FIRST = "(output / 'models').mkdir(exist_ok=True)\n(output / 'models' / 'w.txt').write_text('42')"
SIDE = ("time.sleep(1)\nassert (output / 'models' / 'w.txt').read_text() == '42'\n"
        "(output / 'reports').mkdir(exist_ok=True)\n"
        "(output / 'reports' / 'side.txt').write_text('x')")
LAST = "time.sleep(5)"
# a side notebook first, the main lane's first, a side notebook reading what that one wrote, the
# main lane's last
NOTEBOOKS = {"a_early": EARLY, "b_first": FIRST, "c_side": SIDE, "d_last": LAST}
SIDE_NAMES = ("a_early", "c_side")


@pytest.fixture(scope="module")
def graded(tmp_path_factory, new_course):
    """Four notebooks, two of them side notebooks, graded with two lanes in a sandbox."""
    root = tmp_path_factory.mktemp("lanes")
    source = root / "source"
    source.mkdir()
    for name, body in NOTEBOOKS.items():
        nb = notebook([graded_cell(f"{name}-test", f"test_{name}", 1, REPORT.format(body=body))])
        nbformat.write(nb, source / f"{name}.ipynb")
    course = new_course(root / "course")
    course.prepare(source, 20)
    (root / "ann").mkdir()
    hand_in = hand_in_of(root, course, NOTEBOOKS)
    snapshot = snapshot_gradebook(course, root / "snapshot.db")
    options = dataclasses.replace(OPTIONS, timeout=20, lanes=2)
    saved = workspace.SIDE_NOTEBOOKS
    workspace.SIDE_NOTEBOOKS = SIDE_NAMES
    try:
        outcome = grade_student(hand_in, course.root, snapshot, root / "work", options)
    finally:
        workspace.SIDE_NOTEBOOKS = saved
    work = Course(outcome.workspace)
    return outcome, work, reports(work, NOTEBOOKS), root


def hand_in_of(root: Path, course: Course, names) -> HandIn:
    """ann's hand-in: the notebooks ``names`` as released (REPORT is all they hold)."""
    hand_in = collect(root / "ann", [])
    for name in names:
        hand_in.found[name] = course.release_dir / f"{name}.ipynb"
    return hand_in


def reports(work: Course, names) -> dict:
    """What REPORT printed in each graded notebook of ``names`` (its cell when it printed
    nothing)."""
    found = {}
    for name in names:
        nb = nbformat.read(work.autograded_dir("ann") / f"{name}.ipynb", as_version=4)
        text = "".join(output.get("text", "") for output in nb.cells[0].outputs)
        found[name] = json.loads(text.strip().splitlines()[-1]) if text.strip() else nb.cells[0]
    return found


def test_every_notebook_scores_and_the_log_names_the_side_lane(graded):
    outcome, work, reports, _ = graded
    assert outcome.failed is None, outcome.notes
    with work.open_gradebook() as gradebook:
        assert gradebook.find_submission("mnist", "ann").score == 4, reports
    log = (work.root / workspace.LOG).read_text()
    assert "a_early, c_side beside the others" in log


def test_a_side_notebook_runs_after_those_before_it_and_beside_those_after(graded):
    _, _, reports, _ = graded
    early, first, side, last = (reports[name] for name in NOTEBOOKS)
    assert early["began"] >= first["ended"]  # the side lane waits for the main lane's first
    assert side["began"] >= max(first["ended"], early["ended"])
    assert side["began"] < last["ended"] and last["began"] < side["ended"]  # at once


def test_the_side_lane_writes_apart_sees_the_same_models_and_yields_the_cores(graded):
    _, _, reports, root = graded
    early, first, side, last = (reports[name] for name in NOTEBOOKS)
    assert first["output"] == last["output"] == str(OUTPUTS)
    assert early["output"] == side["output"]
    assert side["output"] == str(OUTPUTS / workspace.SIDE_OUTPUTS)
    outputs = root / "work" / f"ann{workspace.SANDBOX_SUFFIX}" / "outputs"
    assert (outputs / workspace.SIDE_OUTPUTS / "reports" / "side.txt").is_file()
    assert not (outputs / "reports").exists()
    ours = os.nice(0)  # the kernels' niceness is added to the grader's
    side_nice = min(19, ours + lanes.LaneAutograde.side_nice.default_value)
    assert (side["threads"], side["nice"]) == ("1", side_nice) == (early["threads"], early["nice"])
    assert (first["threads"], first["nice"]) == (None, ours) == (last["threads"], last["nice"])
    assert first["grading"] == side["grading"] == last["grading"] == "autograde"


def test_one_lane_grades_in_order(graded, tmp_path):
    """The same student's first two notebooks with one lane: the side notebook ends before the
    next one begins, and writes where the others do."""
    _, _, _, root = graded
    course = Course(root / "course")
    hand_in = hand_in_of(root, course, ("a_early", "b_first"))
    options = dataclasses.replace(OPTIONS, timeout=20, lanes=1)
    outcome = grade_student(hand_in, course.root, snapshot_gradebook(course, tmp_path / "s.db"),
                            tmp_path / "work", options)
    work = Course(outcome.workspace)
    times = reports(work, hand_in.found)
    assert times["a_early"]["ended"] <= times["b_first"]["began"]
    assert times["a_early"]["output"] == str(OUTPUTS)
    assert "beside the others" not in (work.root / workspace.LOG).read_text()


class Converter:
    """A stand-in for the side lane's nbgrader converter: records, sleeps, may raise."""

    log = logging.getLogger("side-lane-test")

    def __init__(self, fail_on=(), seconds=0.0):
        self.fail_on, self.seconds, self.done = set(fail_on), seconds, []

    def convert_single_notebook(self, filename):
        time.sleep(self.seconds)
        if filename in self.fail_on:
            raise RuntimeError(f"{filename} failed")
        self.done.append(filename)


def test_after_an_error_the_side_lane_runs_nothing_more_and_logs_it(caplog):
    lane = lanes.SideLane(Converter(fail_on={"01"}), {})
    lane.go.set()
    lane.start()
    for name in ("01", "02"):
        lane.queue.put(name)
    error = lane.finish()
    assert isinstance(error, RuntimeError) and str(error) == "01 failed"
    assert lane.converter.done == [] and not lane.is_alive()
    assert "side lane: nbgrader failed on 01" in caplog.text
    assert "side lane: not graded after its error: 02" in caplog.text


def test_an_error_of_the_side_lane_fails_the_student_once_the_other_lane_is_done():
    app = lanes.LaneAutograde()
    app._side = lanes.SideLane(Converter(fail_on={"01"}), {})
    app._side.start()
    app._side.queue.put("01")
    with pytest.raises(RuntimeError, match="01 failed"):
        app.set_permissions("mnist", "ann")
    assert app._side is None


def test_an_error_of_the_main_lane_waits_for_the_side_lane(monkeypatch):
    def fail(self, filename):
        raise RuntimeError("main failed")

    monkeypatch.setattr(lanes.LaneConverter, "convert_single_notebook", fail)
    app = lanes.LaneAutograde(side_notebooks=["01"])
    side = lanes.SideLane(Converter(seconds=1.0), {})
    app._side = side
    side.start()
    side.queue.put("01")
    with pytest.raises(RuntimeError, match="main failed"):
        app.convert_single_notebook("02.ipynb")
    assert side.converter.done == ["01"] and not side.is_alive()


def test_a_side_notebook_is_queued_not_graded_in_nbgraders_loop(monkeypatch):
    queued = []
    app = lanes.LaneAutograde(side_notebooks=["01_x"])
    monkeypatch.setattr(app, "_side_lane", lambda: type("Lane", (), {"queue": type(
        "Q", (), {"put": staticmethod(queued.append)})})())
    app.convert_single_notebook("/some/where/01_x.ipynb")
    assert queued == ["/some/where/01_x.ipynb"]


def test_the_autograding_variable_stays_set_while_either_lane_executes(monkeypatch):
    monkeypatch.delenv(lanes.Autograding.name, raising=False)
    shared = lanes.Autograding()
    inside, leave = threading.Event(), threading.Event()

    def other_lane():
        with shared:
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other_lane)
    thread.start()
    inside.wait(5)
    with shared:
        assert os.environ[lanes.Autograding.name] == "autograde"
    assert os.environ[lanes.Autograding.name] == "autograde"  # the other lane is still inside
    leave.set()
    thread.join()
    assert lanes.Autograding.name not in os.environ


# -- which notebooks are side notebooks ----------------------------------------------------

def _code(name: str) -> str:
    nb = nbformat.read(REPO_ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")


def test_side_notebooks_write_nothing_another_notebook_reads():
    names = sorted(path.stem for path in (REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    assert set(SIDE_NOTEBOOKS) < set(names)
    for side in SIDE_NOTEBOOKS:
        produces = PRODUCERS[f"notebooks/{side}.ipynb"]
        assert produces.models == () and not produces.exports, side  # metrics and figures only
        writes = (r"\.save\(|\.savez|save_history|model_path\(|history_path\(|tflite_path\("
                  r"|models_dir")
        assert not re.search(writes, _code(side)), side
        for section in produces.sections:
            readers = [name for name in names if name != side and not (
                name in SIDE_NOTEBOOKS and section in PRODUCERS[f"notebooks/{name}.ipynb"].sections)
                and re.search(rf"[\"']{section}[\"']", _code(name))]
            readers += [path.name for path in (REPO_ROOT / "helpers").rglob("*.py")
                        if path.name != "outputs.py"  # the table of who writes what
                        and re.search(rf"(?<!/ )[\"']{section}[\"']",  # not a path: / "data"
                                      path.read_text())]
            assert readers == [], f"{side}'s {section!r} section is read by {readers}"


def test_the_check_above_finds_a_reader(monkeypatch):
    """05's section, which 06 reads, would make 05 no side notebook."""
    names = [path.stem for path in (REPO_ROOT / "notebooks").glob("[0-9]*.ipynb")]
    readers = [name for name in names if name != "05_evaluate"
               and re.search(r"[\"']baseline_cnn[\"']", _code(name))]
    assert "06_improve" in readers


def test_side_outputs_share_the_models_folder(tmp_path):
    folder = workspace.side_outputs(tmp_path / "outputs", None)
    (tmp_path / "outputs" / "models" / "m.keras").write_text("w")
    assert (folder / "models" / "m.keras").read_text() == "w"
    assert os.readlink(folder / "models") == str(Path("..") / "models")  # the same inside


def test_lanes_config_is_empty_with_one_lane_or_no_side_notebook(tmp_path):
    found = {"01_explore": ("numpy",), "03_cnn": ("keras",)}
    assert workspace.lanes_config(GradingOptions(lanes=1), found, tmp_path, None) == {}
    assert workspace.lanes_config(GradingOptions(lanes=2), {"03_cnn": ()}, tmp_path, None) == {}
    config = workspace.lanes_config(GradingOptions(lanes=2), found, tmp_path, None).LaneAutograde
    assert config.side_notebooks == ["01_explore"]
    assert config.side_preloads == {"01_explore": ["numpy"]}
    assert config.side_env["MNIST_COURSE_OUTPUT"] == str(tmp_path / workspace.SIDE_OUTPUTS)
    assert config.side_env["OMP_NUM_THREADS"] == config.side_env["TF_NUM_INTRAOP_THREADS"] == "1"
    assert "MNIST_COURSE_PROFILE" not in config.side_env  # the same as the other lane's


def test_the_side_lane_waits_for_the_main_lanes_first_notebook(monkeypatch):
    monkeypatch.setattr(lanes.LaneConverter, "convert_single_notebook", lambda self, name: None)
    app = lanes.LaneAutograde(side_notebooks=["01"])
    converter = Converter()
    monkeypatch.setattr(app, "_side_converter", lambda: converter)

    def graded(count):
        deadline = time.monotonic() + 5
        while len(converter.done) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return converter.done

    app.convert_single_notebook("01.ipynb")
    time.sleep(0.5)
    assert converter.done == []  # queued; the main lane has graded nothing yet
    app.convert_single_notebook("02.ipynb")  # the main lane's first
    assert graded(1) == ["01.ipynb"]
    assert app._finish_side() is None
    app.side_notebooks = ["01", "03"]
    app.convert_single_notebook("03.ipynb")  # a side lane made after that starts at once
    assert graded(2) == ["01.ipynb", "03.ipynb"]
    assert app._finish_side() is None
