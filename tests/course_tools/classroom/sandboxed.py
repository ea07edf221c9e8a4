"""Notebooks executed in a sandboxed kernel the way grading executes them (for the tests)."""

import os

from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from course_tools.classroom.execution import GuardedExecute
from course_tools.classroom.sandbox import Limits, Sandbox, bwrap_version, find_bwrap


def make_sandbox(tmp_path, limits=None) -> Sandbox:
    """A student's sandbox in ``tmp_path`` (``student/``, ``sockets/``), prepared."""
    bwrap = find_bwrap()
    os.chmod(tmp_path, 0o755)
    sandbox = Sandbox(tmp_path / "student", tmp_path / "sockets", bwrap,
                      version=bwrap_version(bwrap), limits=limits or Limits())
    sandbox.prepare()
    return sandbox


def execute(cells, sandbox: Sandbox, timeout=30, name="notebook"):
    """A notebook of ``cells``, called ``name``, executed by nbgrader's step in a kernel in
    ``sandbox``."""
    nb = new_notebook(cells=[new_code_cell(source) for source in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    config = Config({"GradingKernelManager": {"sandbox": sandbox, "limits": sandbox.limits},
                     "GuardedExecute": {"output_limit": sandbox.limits.output}})
    GuardedExecute(config=config, timeout=timeout).preprocess(
        nb, {"metadata": {"path": str(sandbox.folder)}, "nbgrader": {"notebook": name}})
    return nb
