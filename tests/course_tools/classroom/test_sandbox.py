"""The sandbox a student's kernel runs in: what it sees, what it may use, and the refusal
when there is none. Kernels really start in bubblewrap here (a second or two each, no
TensorFlow), through nbgrader's execution step as grading runs them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_tools.classroom import sandbox as sandbox_module
from course_tools.classroom.execution import NOT_RUN, STOPPED
from course_tools.classroom.integrity import LoopbackListener
from course_tools.classroom.sandbox import (
    Limits,
    MiB,
    Sandbox,
    SandboxUnavailable,
    format_size,
    parse_size,
    probe,
)
from helpers.settings import REPO_ROOT
from tests.course_tools.classroom.sandboxed import execute, make_sandbox

# what the kernel reports: every path it can list, read or write, and its network
LOOK_AROUND = """
import json, os, socket
seen = {}
for path in ["/", "/submission", "/tmp", os.path.dirname(os.path.dirname(os.__file__)),
             %(repo)r, %(home)r, %(course)r]:
    try:
        seen[path] = sorted(os.listdir(path))
    except OSError as error:
        seen[path] = type(error).__name__
written = {}
for path in ["/submission/outputs/mine.txt", "/submission/notebooks/mine.txt", "/tmp/mine.txt",
             %(repo)r + "/helpers/mine.txt", %(course)r + "/mine.txt", %(home)r + "/mine.txt"]:
    try:
        open(path, "w").write("x")
        written[path] = "written"
    except OSError as error:
        written[path] = type(error).__name__
try:
    socket.create_connection(("127.0.0.1", %(port)d), timeout=2).close()
    network = "connected"
except OSError as error:
    network = type(error).__name__
print(json.dumps({"uid": os.getuid(), "cwd": os.getcwd(), "seen": seen, "written": written,
                  "network": network, "env": sorted(os.environ)}))
"""


def run(cells, tmp_path, limits=None, timeout=30):
    """Execute ``cells`` in a sandboxed kernel the way grading does; the executed notebook."""
    return execute(cells, make_sandbox(tmp_path, limits), timeout)


def errors(cell):
    return [(o.ename, o.evalue) for o in cell.outputs if o.output_type == "error"]


def text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.fixture(scope="module")
def looked_around(tmp_path_factory):
    """A kernel that lists, opens and connects to what a cheater would try."""
    tmp_path = tmp_path_factory.mktemp("sandbox")
    os.environ["MNIST_TEST_SECRET"] = "a password"  # the grader's: the kernel must not get it
    course = tmp_path / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("secret")
    with LoopbackListener() as listener:
        code = LOOK_AROUND % {"repo": str(REPO_ROOT), "home": str(Path.home()),
                              "course": str(course), "port": listener.port}
        try:
            nb = run([code], tmp_path)
        finally:
            del os.environ["MNIST_TEST_SECRET"]
        connections = listener.connections
    report = json.loads(text(nb.cells[0]).strip().splitlines()[-1])
    return report, connections, tmp_path


def test_the_kernel_sees_the_course_code_and_its_own_folder_only(looked_around):
    report, _, _ = looked_around
    seen = report["seen"]
    assert report["cwd"] == "/submission/notebooks"
    assert seen["/submission"] == ["notebooks", "outputs"]
    visible = Sandbox(Path("s"), Path("k"), "bwrap").visible()
    assert seen[str(REPO_ROOT)] == sorted(p.name for p in visible if p.parent == REPO_ROOT)
    assert "README.md" not in seen[str(REPO_ROOT)] and "grading" not in seen[str(REPO_ROOT)]
    assert seen[str(Path.home())] != sorted(os.listdir(Path.home()))  # not the real home
    course = next(path for path in seen if path.endswith("course"))
    assert seen[course] == "FileNotFoundError"  # the course folder is not there at all


def test_the_kernel_writes_only_its_outputs_and_tmp(looked_around):
    report, _, tmp_path = looked_around
    written = report["written"]
    assert written["/submission/outputs/mine.txt"] == "written"
    assert written["/tmp/mine.txt"] == "written"
    assert written["/submission/notebooks/mine.txt"] != "written"
    assert written[f"{REPO_ROOT}/helpers/mine.txt"] != "written"
    assert (tmp_path / "student" / "outputs" / "mine.txt").is_file()
    assert not (REPO_ROOT / "helpers" / "mine.txt").exists()
    assert not (tmp_path / "course" / "mine.txt").exists()
    assert not (Path.home() / "mine.txt").exists()


def test_the_kernel_has_no_network_and_none_of_the_graders_environment(looked_around):
    report, connections, _ = looked_around
    assert report["network"] != "connected" and connections == 0
    assert "MNIST_TEST_SECRET" not in report["env"] and "JPY_PARENT_PID" not in report["env"]
    if os.geteuid() == 0:
        assert report["uid"] >= sandbox_module.FIRST_UID  # not root


def test_memory_past_the_limit_fails_or_stops_the_kernel(tmp_path):
    nb = run(["import numpy as np\nhog = np.ones(2 * 2**30, dtype=np.uint8)",
              "hogs = [np.ones(2**26, dtype=np.uint8) for _ in range(64)]",
              "print('after')"],
             tmp_path, Limits(memory=1 * 2**30))
    assert errors(nb.cells[0])[0][0] == "MemoryError"  # one process: the address space cap
    assert errors(nb.cells[1])[0][0] in ("MemoryError", STOPPED)
    assert text(nb.cells[2]) == "after\n" or errors(nb.cells[2])[0][0] == NOT_RUN


def test_too_many_processes_stop_the_kernel_and_the_rest_is_not_run(tmp_path):
    nb = run(["import os, time\nfor _ in range(40):\n    if os.fork() == 0:\n"
              "        time.sleep(60)\n        os._exit(0)\ntime.sleep(5)", "print('after')"],
             tmp_path, Limits(processes=16))
    (stopped,) = errors(nb.cells[0])
    assert stopped[0] == STOPPED and "more than 16 processes" in stopped[1]
    assert errors(nb.cells[1])[0][0] == NOT_RUN


def test_output_past_the_cap_stops_the_kernel(tmp_path):
    nb = run(["for _ in range(64):\n    print('x' * 2**20)", "print('after')"],
             tmp_path, Limits(output=4 * MiB))
    assert "more than 4 MiB of output" in text(nb.cells[0]) or errors(nb.cells[0])
    assert sum(len(o.get("text", "")) for o in nb.cells[0].outputs) < 6 * MiB
    assert errors(nb.cells[1])[0][0] == NOT_RUN


def test_killing_the_parent_and_everything_leaves_the_kernel_running(tmp_path):
    nb = run(["import os, signal\nfor pid in (os.getppid(), 1, -1):\n    try:\n"
              "        os.kill(pid, signal.SIGKILL)\n    except OSError as e:\n"
              "        print(pid, type(e).__name__)", "print('after')"], tmp_path)
    assert text(nb.cells[1]) == "after\n"


def test_the_kernel_is_killed_after_the_last_cell_and_runs_no_exit_hook(tmp_path):
    hook = ("import atexit, pathlib\n"
            "pathlib.Path('/submission/outputs/ran.txt').write_text('x')\n"
            "atexit.register(pathlib.Path('/submission/outputs/exited.txt').write_text, 'x')")
    nb = run([hook, "print('last cell')"], tmp_path)
    assert text(nb.cells[1]) == "last cell\n"
    assert (tmp_path / "student" / "outputs" / "ran.txt").is_file()  # the hook could write
    assert not (tmp_path / "student" / "outputs" / "exited.txt").exists()


def test_a_cell_that_loops_is_interrupted_by_message_and_the_next_runs(tmp_path):
    nb = run(["while True:\n    pass", "print('after')"], tmp_path, timeout=3)
    assert errors(nb.cells[0])[0][0] in ("KeyboardInterrupt", "CellTimeoutError")
    assert text(nb.cells[1]) == "after\n"


def test_sizes_read_and_print():
    assert parse_size("4G") == 4 * 2**30 and parse_size("512M") == 512 * MiB
    assert parse_size("1.5GiB") == 3 * 2**29 and parse_size(1000) == 1000
    assert format_size(4 * 2**30) == "4 GiB" and format_size(100) == "100 B"
    with pytest.raises(ValueError, match="4G, 512M"):
        parse_size("lots")


def test_the_command_binds_nothing_of_the_machine_but_what_the_kernel_needs(tmp_path):
    sandbox = Sandbox(tmp_path / "s", tmp_path / "k", "/usr/bin/bwrap", as_root=False)
    command = sandbox.command(["python", "-m", "ipykernel_launcher"], {"SECRET": "x",
                                                                       "TF_X": "1"})
    binds = [command[i + 1] for i, arg in enumerate(command) if arg.endswith("bind")]
    assert str(Path.home()) not in binds and str(REPO_ROOT) not in binds
    assert set(binds) <= {"/usr", *(f"/etc/{name}" for name in sandbox_module.ETC),
                          str(tmp_path / "s" / "passwd"), str(tmp_path / "s" / "group"),
                          *map(str, sandbox.visible()), str(tmp_path / "s" / "notebooks"),
                          str(tmp_path / "s" / "outputs"), str(tmp_path / "k")}
    assert "SECRET" not in command and "TF_X" in command
    assert "--unshare-net" in command and "--unshare-user" in command and "setpriv" not in command
    as_root = Sandbox(tmp_path / "s", tmp_path / "k", "/usr/bin/bwrap", as_root=True, uid=123456)
    assert "--reuid=123456" in as_root.command(["python"]) and "--unshare-user" not in (
        as_root.command(["python"]))


def test_the_kernel_writes_into_the_students_outputs_or_a_folder_of_it(tmp_path):
    sandbox = Sandbox(tmp_path / "s", tmp_path / "k", "/usr/bin/bwrap", as_root=False)
    outputs = tmp_path / "s" / "outputs"
    inside = {str(folder): sandbox.outputs_inside(str(folder)) for folder in (
        outputs, outputs / "side-lane", outputs / ".." / "notebooks", tmp_path / "elsewhere")}
    assert list(inside.values()) == [sandbox_module.OUTPUTS, sandbox_module.OUTPUTS / "side-lane",
                                     sandbox_module.OUTPUTS, sandbox_module.OUTPUTS]
    assert sandbox.outputs_inside(None) == sandbox_module.OUTPUTS
    env = sandbox.environment({"MNIST_COURSE_OUTPUT": str(outputs / "side-lane")})
    assert env["MNIST_COURSE_OUTPUT"] == str(sandbox_module.OUTPUTS / "side-lane")
    assert sandbox.environment({})["MNIST_COURSE_OUTPUT"] == str(sandbox_module.OUTPUTS)


def test_no_bubblewrap_is_refused_with_what_to_install(monkeypatch):
    monkeypatch.setattr(sandbox_module, "find_bwrap", lambda: None)
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap.*SANDBOX=none"):
        probe()


def test_a_bubblewrap_that_cannot_start_is_refused_with_why(tmp_path):
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\n"
                    "exit 1\n")
    fake.chmod(0o755)
    with pytest.raises(SandboxUnavailable, match="No permissions to create new namespace.*"
                       "unprivileged_userns_clone"):
        probe(str(fake))


def test_the_probe_starts_this_python_in_a_sandbox():
    assert Path(probe().bwrap).name == "bwrap"


def test_grading_refuses_to_start_without_a_sandbox(tmp_path):
    done = subprocess.run(  # in a process of its own: the CLI as make grade runs it
        [sys.executable, "-c",
         "import sys; from course_tools.classroom import sandbox, grading;"
         "sandbox.find_bwrap = lambda: None;"
         f"sys.exit(grading.main([{str(tmp_path)!r}, '--course', {str(tmp_path / 'c')!r}]))"],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "nothing was graded: bubblewrap (bwrap) is not installed" in done.stderr
    assert not (tmp_path / "c").exists()
