"""``make environment``: environment.yml (conda, Binder) written from requirements.txt.

Usage::

    python -m course_tools.environment [--check]

requirements.txt stays the one list of versions; environment.yml repeats its pins, markers
included, under ``pip:``, beside conda-forge's Python and pip. It names no file: a relative
``-r requirements.txt`` or ``-e .`` breaks where pip does not run from the repository (conda
and mamba hand pip a copy of the list in a temporary folder, and Binder installs the
environment before it copies the rest of the repository). The course's own package is then
installed from the repository with ``pip install --no-deps -e .``.
tests/course_tools/test_environment.py checks that the two files agree. ``--check`` writes
nothing and exits with 1 when environment.yml is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from helpers.settings import REPO_ROOT

REQUIREMENTS = REPO_ROOT / "requirements.txt"
ENVIRONMENT = REPO_ROOT / "environment.yml"
NAME = "mnist-course"
# conda-forge's newest 3.11: the Python requirements.txt was
# resolved with and CI runs. A plain "python=X.Y" is also what Binder reads to pick its Python.
PYTHON = "3.11"
HEADER = """\
# Conda / Binder environment, generated from requirements.txt by `make environment`
# (python -m course_tools.environment): edit requirements.txt, not this file.
#   conda env create -f environment.yml && conda activate mnist-course
#   pip install --no-deps -e .        # the course's helpers, from the repository
"""


def pip_requirements(requirements_text: str) -> list[str]:
    """The requirement lines of a requirements file, without comments and blank lines."""
    lines = (line.split(" #", 1)[0].strip() for line in requirements_text.splitlines())
    requirements = [line for line in lines if line and not line.startswith("#")]
    for line in requirements:
        if line.startswith("-"):
            raise ValueError(f"{line!r}: environment.yml lists packages only, not pip options")
    return requirements


def environment_yml(requirements_text: str, python: str = PYTHON) -> str:
    """The text of environment.yml for ``requirements_text``."""
    environment = {
        "name": NAME,
        "channels": ["conda-forge"],
        "dependencies": [f"python={python}", "pip", {"pip": pip_requirements(requirements_text)}],
    }
    return HEADER + yaml.safe_dump(environment, sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    """Write environment.yml (or, with ``--check``, compare); 1 when it is out of date."""
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.environment",
        description="Write environment.yml from requirements.txt.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS)
    parser.add_argument("--out", type=Path, default=ENVIRONMENT)
    args = parser.parse_args(argv)
    try:
        requirements = args.requirements.read_text(encoding="utf-8")
        wanted = environment_yml(requirements)
    except (OSError, ValueError) as exc:
        print(f"error: {args.requirements}: {exc}", file=sys.stderr)
        return 1
    current = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
    if current == wanted:
        print(f"{args.out.name} is up to date")
        return 0
    if args.check:
        print(f"{args.out.name} is out of date: run `make environment`", file=sys.stderr)
        return 1
    args.out.write_text(wanted, encoding="utf-8")
    print(f"{args.out.name} written: {len(pip_requirements(requirements))} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
