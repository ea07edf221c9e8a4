"""``make test``: its two jobs together run every test once, and the notebooks' own tests run even
when a notebook fails under nbval.

The Makefile is copied (``tests/test_makefile.py``'s fixture) into a temporary folder whose
``.venv/bin/python`` is a stand-in: it writes the arguments it was called with to a log and
exits with the status the test asks for, so nothing is installed or run.
"""

import os
import subprocess

import pytest

from tests import test_makefile

MAKE = test_makefile.MAKE
course = test_makefile.course  # the fixture: a copy of the Makefile and its prerequisites

STAND_IN = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$*" in
  *"--nbval-lax"*) exit "${NBVAL_STATUS:-0}" ;;
  *"pytest tests/notebooks "*) exit "${NOTEBOOK_TESTS_STATUS:-0}" ;;
esac
"""


@pytest.fixture
def installed(course):
    """The Makefile's copy with a stand-in Python in .venv, installed as far as make knows."""
    python = course / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(STAND_IN)
    python.chmod(0o755)
    (course / ".ci").mkdir()
    (course / ".ci" / "install-debian").write_text("#!/bin/sh\nexit 0\n")
    (course / ".ci" / "install-debian").chmod(0o755)
    (course / ".venv" / ".installed").touch()  # newer than its prerequisites: no pip
    return course


def make_test(course, **statuses):
    """Run ``make test`` in the copy; (exit code, the stand-in's calls, one per line)."""
    calls = course / "calls.txt"
    env = {**os.environ, "CALLS": str(calls), **{k: str(v) for k, v in statuses.items()}}
    env.pop("MAKEFLAGS", None)
    done = subprocess.run([MAKE, "--no-print-directory", "test"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=60)
    return done.returncode, calls.read_text().splitlines() if calls.exists() else []


def pytest_calls(calls):
    return sorted(call.removeprefix("-m pytest ") for call in calls if call.startswith("-m pytest"))


def test_the_two_jobs_run_the_unit_tests_but_the_notebooks_then_those_and_nbval(installed):
    status, calls = make_test(installed)
    assert status == 0
    assert pytest_calls(calls) == [
        "--nbval-lax --nbval-current-env notebooks/",
        "tests/ --ignore=tests/notebooks --ignore=tests/helpers/deploy/test_app_browser.py",
        "tests/notebooks tests/helpers/deploy/test_app_browser.py",
    ]
    report = [call for call in calls if call.startswith("-m course_tools.reporting")]
    assert len(report) == 3  # the report, the slides and the PDF, after nbval


@pytest.mark.parametrize("failing", ["NBVAL_STATUS", "NOTEBOOK_TESTS_STATUS"])
def test_a_failure_in_the_notebook_job_fails_make_test_and_its_tests_still_run(installed, failing):
    status, calls = make_test(installed, **{failing: 1})
    assert status != 0
    assert pytest_calls(calls) == [
        "--nbval-lax --nbval-current-env notebooks/",
        "tests/ --ignore=tests/notebooks --ignore=tests/helpers/deploy/test_app_browser.py",
        "tests/notebooks tests/helpers/deploy/test_app_browser.py",
    ]
