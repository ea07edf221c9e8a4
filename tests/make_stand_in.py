"""Running a target of a copy of the Makefile whose ``.venv/bin/python`` is a stand-in: a shell
script that writes the arguments it was called with to a log, one call per line, and exits
with what the test asks for. Nothing is installed or run."""

import os
import subprocess

from tests import test_makefile


def put_stand_in_python(course, script: str) -> None:
    """Make ``script`` (a ``#!/bin/sh`` script) the copy's ``.venv/bin/python``."""
    python = course / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(script)
    python.chmod(0o755)


def run_make(course, target: str, **environment) -> tuple[int, str, list[str]]:
    """``make target`` in the copy, ``environment`` added; (exit code, output, the calls)."""
    calls = course / "calls.txt"
    env = {**os.environ, "CALLS": str(calls), **{k: str(v) for k, v in environment.items()}}
    env.pop("MAKEFLAGS", None)  # nothing from a make that runs these tests
    done = subprocess.run([test_makefile.MAKE, "--no-print-directory", target], cwd=course,
                          env=env, capture_output=True, text=True, timeout=60)
    calls_made = calls.read_text().splitlines() if calls.exists() else []
    return done.returncode, done.stdout + done.stderr, calls_made
