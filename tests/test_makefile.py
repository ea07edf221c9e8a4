"""The Makefile picks a Python the course supports (pyproject.toml's requires-python), or stops
at once saying so.

Each test copies the Makefile (with requirements.txt and pyproject.toml, its prerequisites)
into a temporary folder without a .venv, and runs make there with a PATH that holds only
stand-in interpreters (small scripts that run the Makefile's version check as a given Python
version would) and sed, with which the Makefile reads requires-python. Nothing is installed and
the course's own .venv is never touched.
"""

import shutil
import subprocess
import sys
import time
import tomllib

import pytest
from packaging.specifiers import SpecifierSet

from helpers.settings import REPO_ROOT

MAKE = shutil.which("make")
REQUIRES_PYTHON = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
    "requires-python"
]
STAND_IN = """#!/bin/sh
# A stand-in for Python {version}: it runs only `-c CODE`, with sys.version_info faked.
[ "$1" = "-c" ] || {{ echo "stand-in Python {version} cannot run: $*" >&2; exit 3; }}
exec {python} -c 'import sys; sys.version_info = {info}; exec(sys.argv[2])' "$@"
"""


@pytest.fixture
def course(tmp_path):
    """A copy of the Makefile and its prerequisites, and an empty folder for interpreters."""
    if MAKE is None:
        pytest.fail("make is not installed: the course's commands need it")
    for name in ("Makefile", "requirements.txt", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "sed").symlink_to(shutil.which("sed"))
    return tmp_path


def interpreter(course, name, version):
    """Put a stand-in for Python ``version`` ("3.12.3") on the course's PATH as ``name``."""
    info = tuple(int(part) for part in version.split("."))  # compared as (major, minor, micro)
    script = course / "bin" / name
    script.write_text(STAND_IN.format(version=version, python=sys.executable, info=info))
    script.chmod(0o755)


def make(course, *arguments):
    """Run make in the copy with only the stand-ins on PATH; (exit code, output, seconds)."""
    started = time.monotonic()
    done = subprocess.run(
        [MAKE, "--no-print-directory", *arguments],
        cwd=course,
        env={"PATH": str(course / "bin"), "HOME": str(course)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


@pytest.mark.parametrize(
    "interpreters, chosen",
    [
        ({"python3": "3.11.5"}, "python3"),
        ({"python3": "3.11.2"}, "python3"),
        ({"python3": "3.14.0", "python3.12": "3.12.3"}, "python3.12"),
        ({"python3": "3.10.12", "python3.11": "3.11.9"}, "python3.11"),
        ({"python3": "3.12.1", "python3.12": "3.12.1", "python3.13": "3.13.2"}, "python3.13"),
    ],
    ids=["python3-is-supported", "debian-12", "python3-too-new", "python3-too-old",
         "newest-first"],
)
def test_make_creates_the_venv_with_a_supported_python(course, interpreters, chosen):
    for name, version in interpreters.items():
        interpreter(course, name, version)
    code, output, _ = make(course, "--dry-run", "setup")
    assert code == 0, output
    assert f"{chosen} -m venv .venv" in output


def test_python_named_on_the_command_line_is_used(course):
    interpreter(course, "python3", "3.12.3")
    code, output, _ = make(course, "--dry-run", "setup", "PYTHON=/opt/python3.13/bin/python3")
    assert code == 0, output
    assert "/opt/python3.13/bin/python3 -m venv .venv" in output


@pytest.mark.parametrize(
    "interpreters",
    [{"python3": "3.14.0"}, {"python3": "3.10.12", "python3.10": "3.10.12"}, {}],
    ids=["only-3.14", "only-3.10", "none"],
)
def test_without_a_supported_python_make_stops_at_once_naming_the_versions(course, interpreters):
    for name, version in interpreters.items():
        interpreter(course, name, version)
    code, output, seconds = make(course, "setup")
    assert code != 0
    assert f"error: the course needs Python {REQUIRES_PYTHON} (requires-python" in output
    assert "make PYTHON=/path/to/python3.12" in output
    assert "sudo apt-get install python3.11-venv" in output  # Ubuntu 22.04 ships 3.10
    assert seconds < 10, f"make took {seconds:.1f} s to refuse"
    assert not (course / ".venv").exists(), "nothing may be installed"


def test_an_unsupported_python_named_on_the_command_line_is_refused(course):
    interpreter(course, "python3.14", "3.14.0")
    interpreter(course, "python3", "3.12.3")
    code, output, seconds = make(course, "setup", "PYTHON=python3.14")
    assert code != 0 and seconds < 10
    assert "python3.14 is not one" in output and REQUIRES_PYTHON in output
    assert not (course / ".venv").exists()


@pytest.mark.parametrize("version", ["3.10.14", "3.11.0", "3.11.2", "3.12.0", "3.13.9", "3.14.0"])
def test_the_makefile_supports_what_pyproject_requires(course, version):
    interpreter(course, "python3", version)
    code, output, _ = make(course, "--dry-run", "setup")
    supported = version in SpecifierSet(REQUIRES_PYTHON)
    assert (code == 0 and "python3 -m venv .venv" in output) == supported, output


def test_no_hash_inside_a_function_call_which_make_before_4_3_reads_as_a_comment():
    # make 3.81 (macOS) and 4.2 cut `$(shell sed 's/[^#]//')` at the '#' and refuse the Makefile
    for number, line in enumerate((REPO_ROOT / "Makefile").read_text().splitlines(), 1):
        code = line.lstrip()
        if code.startswith("#") or "$(" not in code:
            continue
        assert "#" not in code[code.index("$("):], f"Makefile:{number}: {line.strip()}"
