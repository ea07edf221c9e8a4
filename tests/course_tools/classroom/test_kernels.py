"""The watchdog's measures and its verdicts, and process trees killed, on processes started
here."""

import os
import signal
import subprocess
import sys
import time

from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from course_tools.classroom import kernels
from course_tools.classroom.execution import GuardedExecute
from course_tools.classroom.kernels import (
    Watchdog,
    anonymous_memory,
    folder_size,
    kill_trees,
    process_tree,
    process_trees,
)
from course_tools.classroom.sandbox import Limits, MiB
from tests.course_tools.classroom.processes import running
from tests.course_tools.classroom.sandboxed import make_sandbox

HOLD = ("import os, sys, time\nchunk = bytearray(int(sys.argv[1]) * 2**20)\n"
        "for _ in range(int(sys.argv[2])):\n    if os.fork() == 0:\n        break\n"
        "time.sleep(30)")


def start(mebibytes: int, children: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(mebibytes), str(children)],
                               start_new_session=True)
    time.sleep(1.5)
    return process


def test_the_tree_and_its_memory_are_measured():
    process = start(64, 2)
    try:
        tree = process_tree(process.pid)
        assert tree[0] == process.pid and len(tree) == 3
        assert anonymous_memory(process.pid) >= 64 * MiB
        assert anonymous_memory(-1) == 0  # gone: nothing
    finally:
        os.killpg(process.pid, 9)
        process.wait()


def test_kill_trees_ends_a_sandbox_killed_while_it_starts(tmp_path):
    """A parent killed alone just after it starts a sandbox can leave the sandbox running
    (bubblewrap's race, see ``kill_trees``); its tree killed from the parent leaves nothing."""
    sandbox = make_sandbox(tmp_path)
    for attempt in range(12):
        marker = f"{2000 + attempt}.{time.time_ns() % 10**6}"  # sleep's argument
        launcher = ("import subprocess, sys\n"
                    f"subprocess.Popen({sandbox.command(['sleep', marker])!r})\n"
                    "print('started', flush=True)\nsys.stdin.read()")
        with subprocess.Popen([sys.executable, "-c", launcher], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True,
                              start_new_session=True) as parent:
            try:
                assert parent.stdout.readline() == "started\n"
                kill_trees([parent.pid])
                assert parent.wait(10) == -signal.SIGKILL
                deadline = time.monotonic() + 5
                while running(marker) and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert running(marker) == [], f"try {attempt}: the sandbox outlived its parent"
            finally:
                for pid in running(marker):
                    os.kill(pid, signal.SIGKILL)


def test_kill_trees_leaves_nothing_of_trees_that_keep_forking():
    marker = f"{1000 + os.getpid() % 1000}.{time.time_ns() % 10**6}"
    spawners = [subprocess.Popen(["bash", "-c", f"while :; do sleep {marker} & done"],
                                 start_new_session=True) for _ in range(2)]
    try:
        time.sleep(0.1)
        killed = kill_trees([spawner.pid for spawner in spawners])
        assert {spawner.pid for spawner in spawners} < killed
        assert [spawner.wait(10) for spawner in spawners] == [-signal.SIGKILL] * 2
        time.sleep(0.5)
        assert running(marker) == []  # none forked between a look and its kill
    finally:
        for pid in running(marker):
            os.kill(pid, signal.SIGKILL)


def test_kill_trees_stops_looking_after_max_rounds(monkeypatch):
    """A tree that outgrows every look (as processes waking each other up could) still ends:
    what was found is killed after the last round."""
    monkeypatch.setattr(kernels, "MAX_ROUNDS", 1)
    looks = []
    monkeypatch.setattr(kernels, "process_trees",
                        lambda pids: looks.append(pids) or process_trees(pids))
    marker = f"{4000 + os.getpid() % 1000}.{time.time_ns() % 10**6}"
    spawner = subprocess.Popen(["bash", "-c", f"while :; do sleep {marker} & done"],
                               start_new_session=True)
    try:
        time.sleep(0.1)
        killed = kill_trees([spawner.pid])
        assert len(looks) == 1 and spawner.pid in killed
        assert spawner.wait(10) == -signal.SIGKILL
    finally:
        for pid in running(marker):
            os.kill(pid, signal.SIGKILL)


def test_kill_trees_of_nothing_kills_nothing():
    assert kill_trees([]) == set()


def test_the_folder_size_counts_every_file_below(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_bytes(b"1" * 1000)
    (tmp_path / "y").write_bytes(b"2" * 24)
    (tmp_path / "link").symlink_to("/usr")  # not followed
    assert folder_size(tmp_path) == 1024 and folder_size(tmp_path / "missing") == 0


def test_each_limit_has_its_verdict(tmp_path):
    process = start(64, 3)
    (tmp_path / "big").write_bytes(b"0" * (2 * MiB))
    try:
        def verdict(**limits):
            return Watchdog(process.pid, Limits(**limits), [tmp_path], None).over_limit(0)

        assert verdict() is None
        assert "more than 2 processes" in verdict(processes=2)
        assert "more than 32 MiB of memory" in verdict(memory=32 * MiB)
        assert "files took more than 1 MiB" in verdict(disk=MiB)
    finally:
        os.killpg(process.pid, 9)
        process.wait()


def test_the_watchdog_stops_what_passes_its_limit_and_says_why():
    process = start(64, 0)
    reasons = []
    watchdog = Watchdog(process.pid, Limits(memory=16 * MiB), [],
                        lambda why: (reasons.append(why), os.killpg(process.pid, 9)))
    watchdog.start()
    watchdog.join(timeout=10)
    assert process.wait(timeout=10) == -9
    assert reasons and "memory" in reasons[0] and watchdog.peak_memory >= 64 * MiB


def test_a_kernel_gets_its_own_variables_and_niceness(tmp_path):
    """What the side lane's kernels get (lanes.py), here on a kernel with no sandbox."""
    nb = new_notebook(cells=[new_code_cell(
        "import os\nprint(os.environ.get('MNIST_LANE_PROBE'), os.nice(0))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    config = Config({"GradingKernelManager": {"env": {"MNIST_LANE_PROBE": "side"}, "nice": 7}})
    GuardedExecute(config=config, timeout=60).preprocess(
        nb, {"metadata": {"path": str(tmp_path)}, "nbgrader": {"notebook": "probe"}})
    assert nb.cells[0].outputs[0]["text"].split() == ["side", str(os.nice(0) + 7)]
    plain = kernels.GradingKernelManager()
    assert plain.format_kernel_cmd()[0] != "nice"


def test_a_students_kernels_share_one_memory_limit(tmp_path):
    """Two lanes and a kernel started ahead: the limit is the student's, and the kernel
    holding the most is the one stopped."""
    big, small = start(48, 0), start(24, 0)
    student = [tmp_path / "student"]
    try:
        limits = Limits(memory=64 * MiB)
        most, least = (Watchdog(process.pid, limits, student, None) for process in (big, small))
        assert least.over_limit(1) is None  # alone so far: under the limit
        assert "with the student's other kernels" in most.over_limit(1)
        assert least.over_limit(1) is None  # over together, but not the one holding the most
        assert Watchdog(big.pid, limits, [tmp_path / "another"], None).over_limit(1) is None
        kernels.SHARED_MEMORY.forget(str(tmp_path / "another"), big.pid)
        # a kernel started ahead, idle: not counted, and what it held before is forgotten
        assert Watchdog(small.pid, limits, student, None, counted=lambda: False).over_limit(
            1) is None
        assert most.over_limit(1) is None
    finally:
        for process in (big, small):
            os.killpg(process.pid, 9)
            process.wait()
        for process in (big, small):
            kernels.SHARED_MEMORY.forget(str(student[0]), process.pid)
    assert str(student[0]) not in kernels.SHARED_MEMORY.held


def test_a_watchdog_that_ends_forgets_its_kernels_memory(tmp_path):
    process = start(8, 0)
    watchdog = Watchdog(process.pid, Limits(), [tmp_path], None)
    watchdog.start()
    time.sleep(0.6)
    assert kernels.SHARED_MEMORY.held[str(tmp_path)][process.pid] > 0
    os.killpg(process.pid, 9)
    process.wait()
    watchdog.join(timeout=5)
    assert str(tmp_path) not in kernels.SHARED_MEMORY.held
