"""``make setup``: uv installs requirements.txt, pinned there itself; pip installs it when uv
cannot, and the venv is finished either way.

The Makefile is copied (``tests/test_makefile.py``'s fixture) into a temporary folder whose
``.venv/bin/python`` is a stand-in (``tests/make_stand_in.py``) that fails the calls the test
names, so nothing is installed.
"""

import pytest

from tests import test_makefile
from tests.make_stand_in import put_stand_in_python, run_make

course = test_makefile.course  # the fixture: a copy of the Makefile and its prerequisites

STAND_IN = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$*" in
  "-m pip install --quiet --only-binary=:all: uv=="*) exit "${UV_WHEEL_STATUS:-0}" ;;
  "-m uv pip install"*) exit "${UV_INSTALL_STATUS:-0}" ;;
  "-m pip install --quiet -r requirements.txt") exit "${PIP_INSTALL_STATUS:-0}" ;;
esac
"""
UV_INSTALL = (
    "-m uv pip install --quiet --python .venv/bin/python --compile-bytecode -r requirements.txt"
)
PIP_INSTALL = "-m pip install --quiet -r requirements.txt"
# The line make's fallback prints (make also echoes the command that would print it)
SAYS_PIP = (
    "uv could not be installed or could not install requirements.txt (above: why); "
    "pip installs it instead"
)


@pytest.fixture
def venv(course):
    """The Makefile's copy with a stand-in Python in .venv and nothing installed yet."""
    put_stand_in_python(course, STAND_IN)
    return course


def uv_pin(course):
    pins = [line for line in (course / "requirements.txt").read_text().splitlines()
            if line.startswith("uv==")]
    assert len(pins) == 1, "requirements.txt pins uv once"
    return pins[0]


def test_uv_pinned_in_requirements_installs_them_and_pip_installs_only_the_course(venv):
    status, output, calls = run_make(venv, "setup")
    assert status == 0, output
    assert calls == [
        "-m pip install --quiet --upgrade pip",
        f"-m pip install --quiet --only-binary=:all: {uv_pin(venv)}",  # never built from source
        UV_INSTALL,
        "-m pip install --quiet --no-deps -e .",
    ]
    assert (venv / ".venv" / ".installed").exists()
    assert SAYS_PIP not in output.splitlines()


@pytest.mark.parametrize("failing", ["UV_WHEEL_STATUS", "UV_INSTALL_STATUS"])
def test_when_uv_cannot_install_pip_does_and_says_so(venv, failing):
    status, output, calls = run_make(venv, "setup", **{failing: 1})
    assert status == 0, output
    assert SAYS_PIP in output.splitlines()
    assert (UV_INSTALL in calls) == (failing == "UV_INSTALL_STATUS")  # no uv, no uv install
    assert PIP_INSTALL in calls
    assert calls[-1] == "-m pip install --quiet --no-deps -e ."
    assert (venv / ".venv" / ".installed").exists()


def test_when_pip_fails_too_setup_fails_and_the_venv_is_not_marked_installed(venv):
    status, output, calls = run_make(venv, "setup", UV_INSTALL_STATUS=1, PIP_INSTALL_STATUS=1)
    assert status != 0
    assert calls[-1] == PIP_INSTALL  # nothing after the failure
    assert not (venv / ".venv" / ".installed").exists()
