"""``make test``: its three jobs together run every test once, and a failing job fails make test
without stopping the others.

The Makefile is copied (``tests/test_makefile.py``'s fixture) into a temporary folder whose
``.venv/bin/python`` is a stand-in (``tests/make_stand_in.py``), so nothing is installed or run.
"""

from pathlib import Path

import pytest

from helpers.settings import REPO_ROOT
from tests import test_makefile
from tests.make_stand_in import put_stand_in_python, run_make

course = test_makefile.course  # the fixture: a copy of the Makefile and its prerequisites

STAND_IN = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$*" in
  *"--nbval-lax"*) sleep "${NBVAL_SECONDS:-0}"; exit "${NBVAL_STATUS:-0}" ;;
  *"pytest tests/course_tools"*) exit "${HALF_STATUS:-0}" ;;
  *"pytest tests/ --ignore"*) exit "${OTHER_HALF_STATUS:-0}" ;;
esac
"""


@pytest.fixture
def installed(course):
    """The Makefile's copy with a stand-in Python in .venv, installed as far as make knows."""
    put_stand_in_python(course, STAND_IN)
    (course / ".ci").mkdir()
    (course / ".ci" / "install-debian").write_text("#!/bin/sh\nexit 0\n")
    (course / ".ci" / "install-debian").chmod(0o755)
    (course / ".venv" / ".installed").touch()  # newer than its prerequisites: no pip
    return course


def make_test(course, **statuses):
    """Run ``make test`` in the copy; (exit code, the stand-in's calls, one per line)."""
    status, _, calls = run_make(course, "test", **statuses)
    return status, calls


def pytest_calls(calls):
    return sorted(call.removeprefix("-m pytest ") for call in calls if call.startswith("-m pytest"))


def report_calls(calls):
    """The report, the slides and the PDF, in the order they were built."""
    return [call for call in calls if call.startswith("-m course_tools.reporting")]


ALL_TESTS = [
    "--nbval-lax --nbval-current-env notebooks/",
    "tests/ --ignore=tests/course_tools --ignore=tests/notebooks",
    "tests/course_tools tests/notebooks",
]


def test_the_jobs_run_nbval_then_the_report_and_the_unit_tests_in_two_halves(installed):
    status, calls = make_test(installed)
    assert status == 0
    assert pytest_calls(calls) == ALL_TESTS
    report = report_calls(calls)
    assert len(report) == 3  # the report, the slides and the PDF, after nbval
    assert calls.index(f"-m pytest {ALL_TESTS[0]}") < calls.index(report[0])


def test_the_halves_share_no_test_and_leave_none_out(installed):
    _, calls = make_test(installed)
    half = pytest_calls(calls)[2].split()
    other_half = pytest_calls(calls)[1].split()
    assert other_half[0] == "tests/"
    ignored = [arg.removeprefix("--ignore=") for arg in other_half[1:]]
    assert sorted(ignored) == sorted(half)
    assert all((REPO_ROOT / path).is_dir() for path in half), "each half's folder exists"
    assert not any(a != b and Path(b).is_relative_to(a) for a in half for b in half), "no nesting"
    test_files = [path.relative_to(REPO_ROOT) for path in (REPO_ROOT / "tests").rglob("test_*.py")]
    in_half = [path for path in test_files if any(path.is_relative_to(folder) for folder in half)]
    assert 0 < len(in_half) < len(test_files)  # both halves have tests


@pytest.mark.parametrize("failing", ["NBVAL_STATUS", "HALF_STATUS", "OTHER_HALF_STATUS"])
def test_a_failing_job_fails_make_test_and_the_other_jobs_still_run(installed, failing):
    # nbval takes a second, so that a unit half fails before the report could start
    status, calls = make_test(installed, NBVAL_SECONDS=1, **{failing: 1})
    assert status != 0
    assert pytest_calls(calls) == ALL_TESTS
    report = report_calls(calls)
    assert len(report) == (0 if failing == "NBVAL_STATUS" else 3)  # no report of a failed run
