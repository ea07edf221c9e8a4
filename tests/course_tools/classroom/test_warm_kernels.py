"""Kernels started ahead: a notebook runs in the kernel started, with what it imports already
imported, while the previous notebook ran; no kernel reaches another's sockets; a dead one is
replaced and the one left over is stopped. Real sandboxed kernels (a second or two each)."""

import json
import os
import signal
import sys
import threading
import time

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_tools.classroom.kernels import KERNEL_LOG, preloading
from course_tools.classroom.warm_kernels import ahead, current, imports
from helpers.settings import REPO_ROOT
from tests.course_tools.classroom.sandboxed import execute, make_sandbox

LIGHT = ("colorsys",)  # a module no kernel imports by itself
# what a kernel tells of itself: when it started, its sockets and what it sees beside them
REPORT = """
import json, os, sys, time
import psutil
from ipykernel import get_connection_file
sockets = os.path.dirname(get_connection_file())
print(json.dumps({"started": psutil.Process().create_time(), "now": time.time(),
                  "sockets": sockets, "beside": sorted(os.listdir(os.path.dirname(sockets))),
                  "preloaded": [name for name in %r if name in sys.modules],
                  "leaked": sorted({"importlib", "kernelapp", "name"} & set(globals()))}))
"""


def report(nb):
    """What REPORT printed in the notebook's first cell."""
    text = "".join(output.get("text", "") for output in nb.cells[0].outputs)
    assert text, nb.cells[0].outputs
    return json.loads(text.strip().splitlines()[-1])


def running(connection_file, wait=5.0):
    """Whether a process started with ``connection_file`` still runs after up to ``wait`` s."""
    deadline = time.monotonic() + wait
    while True:
        found = any(
            connection_file in (process.info["cmdline"] or [])
            and process.info["status"] != psutil.STATUS_ZOMBIE
            for process in psutil.process_iter(["cmdline", "status"]))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_the_next_notebook_runs_in_the_kernel_started_while_this_one_ran(tmp_path):
    sandbox = make_sandbox(tmp_path)
    with ahead({"first": (), "second": LIGHT}):
        first = report(execute([REPORT % (LIGHT,)], sandbox, name="first"))
        assert current().waiting_for == ("second", "python3")
        waiting = current().waiting
        assert waiting.ahead  # idle: its memory does not count with the student's (kernels.py)
        second = report(execute([REPORT % (LIGHT,)], sandbox, name="second"))
        assert not waiting.ahead
        assert current().waiting is None and current().taken == 1  # no third notebook: none started
    assert first["preloaded"] == [] and second["preloaded"] == ["colorsys"]
    assert second["leaked"] == [] == first["leaked"]  # the launcher's names are not the notebook's
    assert second["started"] < first["now"]  # started while the first notebook ran
    # each kernel sees its own sockets folder and nothing beside it, though both existed
    assert first["sockets"] != second["sockets"]
    assert first["beside"] == [os.path.basename(first["sockets"])]
    assert second["beside"] == [os.path.basename(second["sockets"])]
    # a folder per kernel started, none for the manager nbclient made and the second did not use
    assert len(list(sandbox.sockets.iterdir())) == 2


def test_the_kernel_left_over_is_stopped_and_none_is_started_outside_ahead(tmp_path):
    sandbox = make_sandbox(tmp_path)
    execute(["1"], sandbox, name="first")
    assert current().waiting is None  # outside ahead(): nothing started ahead
    with ahead({"first": (), "second": LIGHT}):
        execute(["1"], sandbox, name="first")
        connection_file = current().waiting.connection_file
        assert running(connection_file, wait=0)
    assert not running(connection_file)  # bwrap and the kernel in it
    assert current().waiting is None and current().notebooks == {}


def test_a_kernel_started_for_another_notebook_is_stopped_and_not_used(tmp_path):
    sandbox = make_sandbox(tmp_path)
    with ahead({"first": (), "second": LIGHT, "third": ()}):
        execute(["1"], sandbox, name="first")
        connection_file = current().waiting.connection_file
        nb = execute([REPORT % (LIGHT,)], sandbox, name="third")  # "second" was not graded
        assert current().taken == 0
    assert report(nb)["preloaded"] == [] and not running(connection_file)


def test_a_kernel_started_ahead_that_died_is_replaced(tmp_path):
    sandbox = make_sandbox(tmp_path)
    with ahead({"first": (), "second": LIGHT}):
        execute(["1"], sandbox, name="first")
        process = current().waiting.provisioner.process
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        nb = execute([REPORT % (LIGHT,), "print('ran')"], sandbox, name="second")
        assert current().taken == 0
    assert report(nb)["preloaded"] == []  # a kernel started as the notebook came
    assert "ran" in nb.cells[1].outputs[0]["text"]


def test_a_kernel_that_fails_its_imports_gives_way_to_a_new_one(tmp_path):
    """"" is no module name (ValueError): the kernel started ahead exits after TensorFlow's
    seconds of importing, most likely once taken, before it is ready; either way the notebook
    runs in a new kernel."""
    sandbox = make_sandbox(tmp_path)
    with ahead({"first": (), "second": ("tensorflow", "")}):
        execute(["1"], sandbox, name="first")
        nb = execute([REPORT % (("tensorflow",),), "print('ran')"], sandbox, name="second",
                     timeout=120)
    assert report(nb)["preloaded"] == []  # a new kernel, which imported nothing ahead
    assert "ran" in nb.cells[1].outputs[0]["text"]
    assert "importing  ahead failed: ValueError" in (sandbox.folder / KERNEL_LOG).read_text()


def test_a_module_that_is_not_there_is_left_to_the_notebook(tmp_path):
    sandbox = make_sandbox(tmp_path)
    with ahead({"first": (), "second": ("no_such_module", "colorsys", "colorsys.rgb_to_hsv")}):
        execute(["1"], sandbox, name="first")
        nb = execute([REPORT % (LIGHT,), "import no_such_module"], sandbox, name="second")
        assert current().taken == 1
    assert report(nb)["preloaded"] == ["colorsys"]
    assert nb.cells[1].outputs[0]["ename"] == "ModuleNotFoundError"


def test_figures_stay_inline_after_keras_and_the_plots_are_imported_ahead(tmp_path):
    """Keras and helpers.plots import pyplot, which reads the backend ipykernel sets."""
    sandbox = make_sandbox(tmp_path)
    modules = ("keras", "helpers.plots")
    cells = [REPORT % (modules,), "import keras\nfrom helpers import plots\n"
             "import matplotlib, matplotlib.pyplot as plt\nprint(matplotlib.get_backend())",
             "plt.plot([0, 1]); plt.show()", "figure, axes = plt.subplots()\nfigure"]
    with ahead({"first": (), "second": modules}):
        cold = execute(cells, sandbox, name="first", timeout=120)
        warm = execute(cells, sandbox, name="second", timeout=120)
    assert report(warm)["preloaded"] == list(modules) and report(cold)["preloaded"] == []
    for nb in (cold, warm):
        assert "matplotlib_inline" in nb.cells[1].outputs[0]["text"], nb.cells[1].outputs
        for cell in nb.cells[2:]:
            assert any("image/png" in output.get("data", {}) for output in cell.outputs), cell


def test_imports_are_read_from_the_top_level_of_code_cells(tmp_path):
    nb = new_notebook(cells=[
        new_markdown_cell("import markdown_is_not_code"),
        new_code_cell("%matplotlib inline\nimport numpy as np, os.path\nfrom helpers import plots"),
        new_code_cell("def f():\n    import inside_a_function\ntry:\n    import in_a_try\n"
                      "except ImportError:\n    pass\nfrom . import relative"),
        new_code_cell("this is not python"),
        new_code_cell("import numpy\nfrom keras import layers"),
    ])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert imports(path) == ("numpy", "os.path", "helpers", "helpers.plots", "keras",
                             "keras.layers")


def test_the_course_notebooks_import_their_helpers_and_keras_where_they_train():
    notebooks = REPO_ROOT / "notebooks"
    assert "keras" not in imports(notebooks / "02_preprocess.ipynb")
    assert {"keras", "helpers.training"} <= set(imports(notebooks / "04_train.ipynb"))


@pytest.mark.parametrize("command", [
    ["python", "-m", "other_kernel", "-f", "{connection_file}"],
    ["python"],
])
def test_only_ipykernel_launcher_is_preloaded(command):
    assert preloading(command, ["colorsys"]) == command
    launched = preloading([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"],
                          ["colorsys"])
    assert launched[:2] == [sys.executable, "-c"] and launched[3:] == ["-f", "c.json"]
    assert "['colorsys']" in launched[2]


def test_each_thread_has_kernels_started_ahead_of_its_own():
    """Two lanes (lanes.py) grade in two threads, each starting kernels ahead for its own
    notebooks."""
    seen = {}

    def lane(name):
        with ahead({name: ()}) as warm:
            seen[name] = (warm, dict(current().notebooks))

    threads = [threading.Thread(target=lane, args=(name,)) for name in ("main", "side")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen["main"][0] is not seen["side"][0] and current() not in (seen["main"][0],
                                                                         seen["side"][0])
    assert seen["main"][1] == {"main": ()} and seen["side"][1] == {"side": ()}
