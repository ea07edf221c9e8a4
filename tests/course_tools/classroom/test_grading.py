"""Grading a class with nbgrader: scores, sandboxes, late hand-ins, shards, the exported CSV.

One class of small students is graded once, each in a bubblewrap sandbox (module fixture), on
the two pure-Python fixture notebooks; the other tests read what that run left in its course
folder. A second, smaller class is graded without a sandbox.
"""

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course_tools.classroom import grading
from course_tools.classroom.course import Course
from course_tools.classroom.export import TOTAL_COLUMNS, export_grades
from course_tools.classroom.merge import merge_course
from course_tools.classroom.workspace import GradingOptions, Outcome
from helpers.settings import PROFILES
from tests.course_tools.classroom.processes import running, start_and_wait

SOURCE = Path(__file__).resolve().parent / "fixtures" / "grading" / "source"
TIMEOUT = 10  # seconds per cell: the fixtures' cells need well under one
OPTIONS = grading.with_sandbox(GradingOptions(timeout=TIMEOUT))
HIDDEN = 'assert normalise([]) == [], "normalise([]) should be an empty list"'  # 01's hidden test
CHECKS = {  # every check and its points, in course order
    "01_normalise:test_normalise": 2,
    "02_one_hot:test_normalised_input": 1,
    "02_one_hot:test_one_hot": 3,
    "02_one_hot:test_from_one_hot": 2,
}
EXPECTED = {  # student -> the checks that score 0
    "reference": [],
    "untouched": list(CHECKS),
    "one_wrong": ["02_one_hot:test_from_one_hot"],
    "tampered": ["01_normalise:test_normalise", "02_one_hot:test_one_hot"],
    "broken": list(CHECKS),
    "loop": ["02_one_hot:test_from_one_hot"],
    "tampers": ["01_normalise:test_normalise"],
    "mallory": [],
}
# mallory's first answer: right, then everything a cheater tries from inside the kernel
MALLORY = """def normalise(pixels):
    return [p / 255 for p in pixels]

import os, sqlite3
from IPython import get_ipython
get_ipython().events.register("post_run_cell", lambda result: print(result.info.raw_cell))
found = []
for top in ("/", os.path.expanduser("~")):
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = [name for name in subfolders if os.path.join(folder, name) not in
                         ("/proc", "/sys", "/dev", "/usr")]
        found += [os.path.join(folder, name) for name in files if name.endswith(".db") or (
            name[:2].isdigit() and name.endswith(".ipynb")
            and not folder.startswith("/submission"))]
changed, notebooks = [], [path for path in found if path.endswith(".ipynb")]
for path in found:
    try:
        with sqlite3.connect(path) as con:
            con.execute("update grade set manual_score = 0")
        changed.append(path)
    except sqlite3.Error:
        pass
for path in notebooks:
    print(open(path).read())
print("gradebooks changed:", changed, "notebooks found:", notebooks)
"""


def read(name):
    return nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def save(nb, path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def answered(student: Path, name: str, grade_id: str, source: str):
    """The instructor notebook ``name`` with one answer replaced, saved for ``student``."""
    nb = read(name)
    cell(nb, grade_id).source = source
    save(nb, student / f"{name}.ipynb")
    return nb


def make_class(root: Path, release: Path, protected: Path) -> None:
    """One folder per student of EXPECTED, each showing one behaviour."""
    save(read("02_one_hot"), root / "reference" / "02_one_hot.ipynb")
    for name in ("01_normalise", "02_one_hot"):
        # the student edition as handed out, kept under notebooks/
        save(nbformat.read(release / f"{name}.ipynb", as_version=4),
             root / "untouched" / "notebooks" / f"{name}.ipynb")
    save(read("01_normalise"), root / "one_wrong" / "01_normalise.ipynb")
    answered(root / "one_wrong", "02_one_hot", "from_one_hot",
             "def from_one_hot(vector):\n    return 0")

    # tests tampered with: deleted (01) or emptied and re-pointed (02); nbgrader restores them
    nb = read("01_normalise")
    cell(nb, "normalise").source = (  # passes the visible test, fails a hidden one
        "def normalise(pixels):\n    return [p / 255 for p in pixels] if pixels else None"
    )
    nb.cells.remove(cell(nb, "test_normalise"))
    save(nb, root / "tampered" / "01_normalise.ipynb")
    nb = read("02_one_hot")
    cell(nb, "one_hot").source = "def one_hot(label, num_classes=10):\n    return []"
    cell(nb, "test_one_hot").source = "pass  # nothing to see here"
    cell(nb, "test_one_hot").metadata.nbgrader["points"] = 100
    save(nb, root / "tampered" / "02_one_hot.ipynb")

    (root / "broken").mkdir()
    (root / "broken" / "01_normalise.ipynb").write_text("{ this is not json")  # 02 missing

    save(read("01_normalise"), root / "loop" / "01_normalise.ipynb")
    answered(root / "loop", "02_one_hot", "from_one_hot",
             "def from_one_hot(vector):\n    while True:\n        pass")

    # a wrong answer (ints for 0 and 255) that passes the hidden test with isinstance rebound
    answered(root / "tampers", "01_normalise", "normalise",
             "import builtins\n\n\ndef normalise(pixels):\n"
             "    return [p // 255 if p in (0, 255) else p / 255 for p in pixels]\n\n\n"
             "real = builtins.isinstance\n"
             "builtins.isinstance = lambda value, kind: kind is float or real(value, kind)")
    save(read("02_one_hot"), root / "tampers" / "02_one_hot.ipynb")
    answered(root / "mallory", "01_normalise", "normalise", MALLORY)
    save(read("02_one_hot"), root / "mallory" / "02_one_hot.ipynb")

    # the answers, and a cell that writes next to its working copy and into a folder that
    # grading must not touch
    nb = read("01_normalise")
    nb.cells.append(nbformat.v4.new_code_cell(
        "from pathlib import Path\n"
        "Path('../reports').mkdir(exist_ok=True)\n"
        "Path('../reports/mine.txt').write_text('x')\n"
        f"Path({str(protected)!r}, 'intruder.txt').write_text('x')"
    ))
    save(nb, root / "reference" / "01_normalise.ipynb")


def rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def expected_row(student: str) -> dict[str, float]:
    return {key: 0 if key in EXPECTED[student] else points for key, points in CHECKS.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, new_course):
    root = tmp_path_factory.mktemp("class")
    course = new_course(root / "course")
    course.prepare(SOURCE, TIMEOUT)
    protected = root / "repo"
    protected.mkdir()
    make_class(root / "submissions", course.release_dir, protected)
    shutil.copytree(root / "submissions", root / "pristine")  # for the shard test
    lines = []
    run = grading.grade_class(
        root / "submissions", course=course, source=SOURCE, workers=2, options=OPTIONS,
        protected=[protected], log=lines.append,
    )
    return run, lines, root


def test_every_student_gets_the_expected_score(graded):
    run, _, _ = graded
    table = rows(run.export)
    assert set(table) == set(EXPECTED)
    for student, row in table.items():
        got = {key: float(row[key]) for key in CHECKS}
        assert got == expected_row(student), student
        assert float(row["score"]) == sum(expected_row(student).values()), student
        assert row["max_score"] == "8"  # points come from the instructor notebooks
    assert not any(outcome.failed for outcome in run.graded)


def test_the_second_notebook_runs_in_the_kernel_started_ahead(graded):
    run, _, _ = graded
    log = (run.course.root / "logs" / "reference.log").read_text()
    assert "1 of 2 notebooks ran in a kernel started ahead" in log


def test_unreadable_and_missing_notebooks_give_zeros_with_a_note(graded):
    run, lines, _ = graded
    broken = next(outcome for outcome in run.graded if outcome.student == "broken")
    assert broken.notes == [
        "01_normalise: not a readable notebook (NotJSONError: Notebook does not appear to be "
        "JSON: '{ this is not json')",
        "no readable notebook handed in: 0 for every check",
    ]
    line = next(line for line in lines if line.strip().startswith("broken"))
    assert "0 / 8" in line and "not a readable notebook" in line
    assert "not a readable notebook" in (run.course.root / "logs" / "broken.log").read_text()


def test_each_student_reads_only_their_own_outputs(graded):
    """untouched's 01 fails to save: its 02 finds nothing, in its own sandbox only."""
    run, _, root = graded
    executed = nbformat.read(
        run.course.autograded_dir("untouched") / "02_one_hot.ipynb", as_version=4
    )
    load = next(c for c in executed.cells if c.get("id") == "load")
    (error,) = [o for o in load.outputs if o.output_type == "error"]
    assert error.ename == "MissingOutputError"
    assert "/submission/outputs/reports/normalised.json not found" in error.evalue
    assert "run notebooks/04_train.ipynb first" in error.evalue
    assert not (PROFILES["quick"].reports_dir / "normalised.json").exists()
    assert not (run.course.root / grading.WORKSPACES).exists()  # removed after merging


def test_the_class_is_graded_in_sandboxes_and_says_so(graded):
    run, lines, _ = graded
    assert any(line.startswith("Students' code runs in: bubblewrap") for line in lines)
    assert not any("WITHOUT a sandbox" in line for line in lines)
    for row in rows(run.export).values():
        assert row["sandbox"].startswith("bubblewrap ") and "memory 4 GiB" in row["sandbox"]
    feedback = (run.course.feedback_dir("reference") / "01_normalise.html").read_text()
    assert "Graded without a sandbox" not in feedback


def test_a_cheater_reaches_nothing_and_the_log_names_what_she_tried(graded):
    """mallory looks for gradebooks and notebooks from her kernel: it sees neither, the other
    students keep their grades, and the hidden test her hook printed is not in her feedback."""
    run, _, _ = graded
    executed = nbformat.read(run.course.autograded_dir("mallory") / "01_normalise.ipynb",
                             as_version=4)
    printed = "".join(o.get("text", "") for o in cell(executed, "normalise").outputs)
    assert "gradebooks changed: [] notebooks found: []" in printed
    feedback = (run.course.feedback_dir("mallory") / "01_normalise.html").read_text()
    assert "gradebooks changed: [] notebooks found: []" in feedback
    assert "normalise([]) == []" not in feedback and "BEGIN HIDDEN" not in feedback
    assert "output removed from the feedback: it showed the hidden tests" in feedback
    log = (run.course.root / "logs" / "mallory.log").read_text()
    assert "imports sqlite3" in log and "calls os.walk" in log
    assert rows(run.export)["reference"]["score"] == "8"


def test_changing_the_tests_tools_scores_zero_and_the_feedback_says_why(graded):
    run, _, _ = graded
    html = (run.course.feedback_dir("tampers") / "01_normalise.html").read_text()
    assert "TamperingError" in html and "changes builtins.isinstance" in html


def test_no_feedback_shows_a_hidden_test(graded):
    run, _, _ = graded
    for path in (run.course.root / "feedback").rglob("*.html"):
        html = path.read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "normalise must return floats" not in html
        assert HIDDEN.split(",")[0] not in html, path


def test_a_deleted_test_cell_is_put_back_and_run(graded):
    run, _, _ = graded
    executed = nbformat.read(
        run.course.autograded_dir("tampered") / "01_normalise.ipynb", as_version=4
    )
    restored = cell(executed, "test_normalise")
    assert "normalise([]) should be an empty list" in restored.source  # hidden tests too
    (error,) = [o for o in restored.outputs if o.output_type == "error"]
    assert error.evalue == "normalise([]) should be an empty list"


def test_a_loop_times_out_and_the_rest_is_graded(graded):
    run, _, _ = graded
    executed = nbformat.read(run.course.autograded_dir("loop") / "02_one_hot.ipynb", as_version=4)
    errors = [o.ename for o in cell(executed, "test_from_one_hot").outputs
              if o.output_type == "error"]
    assert errors and errors[0] in ("KeyboardInterrupt", "CellTimeoutError")


def test_feedback_for_every_graded_notebook(graded):
    run, _, _ = graded
    for student in EXPECTED:
        found = sorted(p.name for p in run.course.feedback_dir(student).glob("*.html"))
        expected = [] if student == "broken" else ["01_normalise.html", "02_one_hot.html"]
        assert found == expected, student


def test_writes_outside_the_students_outputs_fail_and_change_nothing(graded):
    run, _, root = graded
    executed = nbformat.read(run.course.autograded_dir("reference") / "01_normalise.ipynb",
                             as_version=4)
    errors = [o.evalue for o in executed.cells[-1].outputs if o.output_type == "error"]
    assert errors  # ../reports is not writable, or only in the sandbox; the repo is not there
    assert not list((root / "repo").iterdir())
    assert not list(run.course.root.rglob("mine.txt"))
    assert run.warnings == []


def test_exported_csv_has_one_row_per_student_in_course_order(graded):
    run, lines, _ = graded
    with open(run.export, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [*TOTAL_COLUMNS, "01_normalise", "02_one_hot", *CHECKS]
    assert "sandbox" in TOTAL_COLUMNS
    one_wrong = rows(run.export)["one_wrong"]
    assert (one_wrong["01_normalise"], one_wrong["02_one_hot"], one_wrong["score"]) == (
        "2", "4", "6")
    assert any(line.startswith(f"Graded {len(EXPECTED)} student(s)") for line in lines)


def test_nbgraders_own_export_shows_the_same_grades(graded):
    run, _, root = graded
    nbgrader = Path(sys.executable).with_name("nbgrader")
    env = {**os.environ, "PATH": f"{nbgrader.parent}{os.pathsep}{os.environ['PATH']}",
           "JUPYTER_CONFIG_DIR": str(root / "jupyter-config")}
    done = subprocess.run(
        [str(nbgrader), "export", "--to", str(root / "nbgrader.csv")],
        cwd=run.course.root, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    theirs = rows(root / "nbgrader.csv")
    ours = rows(run.export)
    assert {s: float(r["score"]) for s, r in theirs.items()} == {
        s: float(r["score"]) for s, r in ours.items()
    }


def test_shards_merged_equal_one_run(graded, new_course, tmp_path):
    run, _, root = graded
    class_ = tmp_path / "two"
    for student in ("one_wrong", "tampers"):
        shutil.copytree(root / "pristine" / student, class_ / student)
    shards = []
    for index in (1, 2):
        shard = new_course(tmp_path / f"shard{index}")
        grading.grade_class(class_, course=shard, source=SOURCE, workers=1, options=OPTIONS,
                            shard=(index, 2), protected=[], log=lambda _: None)
        shards.append(shard)
    assert [sorted(rows(s.root / "exports" / "grades.csv")) for s in shards] == [
        ["one_wrong"], ["tampers"]]
    merged = shards[0]  # the gradebook of shard 1 receives shard 2
    assert merge_course(shards[1], merged) == ["tampers"]
    whole = rows(run.export)
    assert rows(export_grades(merged)) == {s: whole[s] for s in ("one_wrong", "tampers")}
    assert (merged.feedback_dir("tampers") / "01_normalise.html").is_file()


def test_a_late_or_corrected_hand_in_adds_to_the_gradebook(graded):
    run, _, root = graded
    before = rows(run.export)
    shutil.copytree(root / "pristine" / "reference", root / "submissions" / "late")
    save(read("02_one_hot"), root / "submissions" / "one_wrong" / "02_one_hot.ipynb")  # fixed
    lines = []
    again = grading.grade_class(root / "submissions", course=run.course, source=SOURCE,
                                workers=1, options=OPTIONS, protected=[], log=lines.append)
    assert sorted(outcome.student for outcome in again.graded) == ["late", "one_wrong"]
    assert sorted(again.skipped) == sorted(set(EXPECTED) - {"one_wrong"})
    after = rows(again.export)
    assert after["late"]["score"] == "8" and after["one_wrong"]["score"] == "8"
    unchanged = set(EXPECTED) - {"one_wrong"}
    assert {s: after[s] for s in unchanged} == {s: before[s] for s in unchanged}
    assert f"{len(EXPECTED) - 1} already graded and unchanged" in lines[0]


def test_cli_refuses_bad_input(tmp_path, capsys):
    assert grading.main([str(tmp_path / "nowhere"), "--course", str(tmp_path / "c"),
                         "--source", str(SOURCE)]) == 2
    assert "no submissions folder" in capsys.readouterr().err
    assert grading.main([str(tmp_path), "--course", str(tmp_path / "c"),
                         "--source", str(tmp_path / "empty")]) == 2
    assert "no notebooks in" in capsys.readouterr().err
    for bad, why in (("3/2", "K must be between 1 and N"), ("0/2", "K must be between"),
                     ("two/three", "whole numbers such as 2/8")):
        with pytest.raises(SystemExit):
            grading.main([str(tmp_path), "--shard", bad])
        assert why in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grading.main([str(tmp_path), "--workers", "0"])
    with pytest.raises(SystemExit):
        grading.main([str(tmp_path), "--threads", "0"])
    assert "--threads must be 1 or more" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        grading.main([str(tmp_path), "--lanes", "3"])
    assert "invalid choice: 3" in capsys.readouterr().err


def test_two_lanes_by_default_only_with_two_cores_per_worker(monkeypatch):
    monkeypatch.setattr(grading, "usable_cores", lambda: 2)
    assert (grading.default_lanes(1), grading.default_lanes(2)) == (2, 1)
    monkeypatch.setattr(grading, "usable_cores", lambda: 8)
    assert (grading.default_lanes(4), grading.default_lanes(5)) == (2, 1)


def test_shards_cover_the_class_once():
    from course_tools.classroom.submissions import HandIn

    class_ = [HandIn(name, Path(name)) for name in "gfedcba"]
    shares = [grading.select_shard(class_, k, 3) for k in (1, 2, 3)]
    students = [[h.student for h in share] for share in shares]
    assert students == [["a", "d", "g"], ["b", "e"], ["c", "f"]]
    folders = [Path("class") / name for name in "gfedcba"]  # what grading sizes its pool by
    assert [len(grading.select_shard(folders, k, 3, student=lambda folder: folder.name))
            for k in (1, 2, 3)] == [3, 2, 2]
    assert grading.parse_shard("2/8") == (2, 8)


def test_a_student_nbgrader_recorded_nothing_for_is_reported(tmp_path):
    outcome = Outcome("ann", tmp_path / "gone")
    grading._merge(outcome, Course(tmp_path / "course"))
    assert outcome.failed == "nothing recorded in the gradebook"
    assert outcome.notes == ["not in the gradebook: grade again once the cause is fixed"]


def test_without_a_sandbox_the_output_the_csv_and_the_feedback_say_so(graded, new_course,
                                                                        tmp_path):
    _, _, root = graded
    shutil.copytree(root / "pristine" / "one_wrong", tmp_path / "class" / "one_wrong")
    course = new_course(tmp_path / "course")
    lines = []
    run = grading.grade_class(tmp_path / "class", course=course, source=SOURCE, workers=1,
                              options=GradingOptions(timeout=TIMEOUT), protected=[],
                              log=lines.append)
    assert lines[0] == grading.NO_SANDBOX_WARNING and run.warnings == [
        grading.NO_SANDBOX_WARNING]
    assert rows(run.export)["one_wrong"]["sandbox"] == "no sandbox (SANDBOX=none)"
    for page in course.feedback_dir("one_wrong").glob("*.html"):
        assert "Graded without a sandbox" in page.read_text()
    assert rows(run.export)["one_wrong"]["score"] == "6"  # graded all the same


def test_the_workers_start_while_the_assignment_is_generated(graded, new_course, tmp_path,
                                                            monkeypatch):
    """A worker's interpreter starts and imports while nbgrader's generate_assignment runs in
    the parent, not after it; one student gets one worker, whatever --workers asks."""
    import multiprocessing

    _, _, root = graded
    shutil.copytree(root / "pristine" / "reference", tmp_path / "class" / "reference")
    course = new_course(tmp_path / "course")
    workers_seen = []
    prepare = Course.prepare

    def watched(self, *args, **kwargs):
        workers_seen.append(len(multiprocessing.active_children()))
        return prepare(self, *args, **kwargs)

    pools = []

    class RecordedPool(grading.ProcessPoolExecutor):
        def __init__(self, max_workers=None, **kwargs):
            pools.append(max_workers)
            super().__init__(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(Course, "prepare", watched)
    monkeypatch.setattr(grading, "ProcessPoolExecutor", RecordedPool)
    run = grading.grade_class(tmp_path / "class", course=course, source=SOURCE, workers=3,
                              options=GradingOptions(timeout=TIMEOUT), protected=[],
                              log=[].append)
    assert workers_seen == [1] and pools == [1]
    assert rows(run.export)["reference"]["score"] == "8"
    assert multiprocessing.active_children() == []


def test_a_failed_generate_assignment_leaves_no_worker_behind(tmp_path):
    import multiprocessing

    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no notebooks in"):
        grading.grade_class(tmp_path / "class", course=Course(tmp_path / "course"),
                            source=tmp_path / "empty", workers=2,
                            options=GradingOptions(timeout=TIMEOUT), protected=[],
                            log=[].append)
    deadline = time.monotonic() + 10  # a stopped worker is gone within seconds, not left running
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []


def test_a_pool_broken_by_a_dead_worker_fails_the_student_not_the_class():
    from concurrent.futures.process import BrokenProcessPool

    class BrokenPool:
        def submit(self, *args):
            raise BrokenProcessPool("a child process terminated abruptly")

    future = grading._submit(BrokenPool(), print, "ann")
    assert isinstance(future.exception(), BrokenProcessPool)  # _gather records it for ann


def test_sigterm_stops_the_workers_and_the_kernels_they_started(graded, new_course, tmp_path):
    """SIGTERM (kill, a job scheduler) ends the whole tree, as Ctrl-C does: no worker goes on
    grading as an orphan. The student loops, so their kernel is busy when the signal comes."""
    import psutil

    _, _, root = graded
    shutil.copytree(root / "pristine" / "loop", tmp_path / "class" / "loop")
    command = [sys.executable, "-m", "course_tools.classroom.grading", str(tmp_path / "class"),
               "--course", str(tmp_path / "course"), "--source", str(SOURCE),
               "--timeout", "120", "--workers", "1"]
    parent = subprocess.Popen(command, cwd=Path(grading.__file__).parents[2],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        tree = psutil.Process(parent.pid)
        for _ in range(600):  # until a kernel runs (ipykernel under the worker, in bwrap)
            descendants = tree.children(recursive=True)
            if any("ipykernel" in _command(process) for process in descendants):
                break
            time.sleep(0.1)
        else:
            pytest.fail("no kernel started within a minute")
        parent.send_signal(signal.SIGTERM)
        output, _ = parent.communicate(timeout=60)
    finally:
        if parent.poll() is None:  # the test failed early: stop the tree the way it should
            parent.terminate()
            try:
                parent.wait(60)
            except subprocess.TimeoutExpired:
                parent.kill()
    assert parent.returncode != 0, output
    gone, alive = psutil.wait_procs(descendants, timeout=20)
    assert not alive, f"still running after SIGTERM: {[_command(p)[:80] for p in alive]}"
    # nor any started after that look (a kernel started ahead), wherever it went
    deadline = time.monotonic() + 20
    while (left := running(str(tmp_path))) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], "a process of this grading outlived it"


def test_stopping_busy_workers_kills_each_with_what_it_started():
    """Ctrl-C kills no worker, and all the workers are frozen before any dies: the pool's own
    thread, which SIGTERMs the others once one is gone, finds none left to end (they would end
    without their children)."""
    marker = f"{3000 + os.getpid() % 1000}.{time.time_ns() % 10**6}"  # sleep's argument
    pool = grading.worker_pool(3)
    try:
        for _ in range(2):
            pool.submit(start_and_wait, marker)
        pool.submit(grading.worker_ready).result(timeout=60)  # a third worker, started, idle
        deadline = time.monotonic() + 60
        while len(running(marker)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(running(marker)) == 2, "the workers did not start their children"
        workers = list(pool._processes.values())
        assert len(workers) == 3
        for worker in workers:  # Ctrl-C in the terminal: grading's process stops them
            os.kill(worker.pid, signal.SIGINT)
        time.sleep(0.5)
        assert all(worker.is_alive() for worker in workers), "a worker died of Ctrl-C"
        grading._stop_workers(pool)
        deadline = time.monotonic() + 5  # the pool's thread may be the one that reaps them
        while None in [worker.exitcode for worker in workers] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [worker.exitcode for worker in workers] == [-signal.SIGKILL] * 3
        time.sleep(0.5)
        assert running(marker) == []
    finally:
        grading._stop_workers(pool)  # again, if the test failed before: nothing left of it
        for pid in running(marker):
            os.kill(pid, signal.SIGKILL)


def _command(process) -> str:
    """A process's command line; empty once it has exited (or is a zombie)."""
    import psutil

    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""
