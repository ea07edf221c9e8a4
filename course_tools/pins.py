"""``make check-pins``: does requirements.txt install on each Python and platform? Ask pip.

Usage::

    python -m course_tools.pins [--python 3.12 ...] [--platform linux windows macos] [--jobs 3]

For each Python version and platform, pip's own resolver is run without installing anything
(``pip install --dry-run --ignore-installed --only-binary=:all: --python-version ...
--platform ... --report``), and a Markdown table says whether requirements.txt resolves there,
which pin breaks and why (the version pip ignored for its Requires-Python, or no wheel), and
which packages pip would add that requirements.txt does not pin. When a pin breaks, it is set
aside and pip asked again, so one run names every broken pin.

pip judges environment markers (``; sys_platform != "win32"`` in requirements.txt, and those in
the packages' own dependencies) against the interpreter that runs it, whatever ``--platform``
says; here pip runs with the marker environment of the target instead (``RUN_PIP``).

It needs PyPI, so it is not part of CI. The Pythons checked are those the course supports
(``requires-python`` in pyproject.toml) and, to show that they fail, the ones around them; it
exits with 1 when a supported one does not resolve somewhere.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from helpers.settings import REPO_ROOT

REQUIREMENTS = REPO_ROOT / "requirements.txt"
PYPROJECT = REPO_ROOT / "pyproject.toml"
# Below, at and above the supported range (3.11 is 3.11.0 to pip: the oldest 3.11).
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
MAX_ROUNDS = 8  # pip runs per target: the first, then one more per broken pin set aside

# pip --platform does not widen manylinux_2_Y to older glibc versions: every tag a Linux with
# glibc 2.35 (Ubuntu 22.04) accepts is listed.
LINUX_TAGS = tuple(f"manylinux_2_{minor}_x86_64" for minor in range(35, 4, -1)) + (
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)


@dataclass(frozen=True)
class Platform:
    """A platform as pip sees it: wheel tags and the markers of its interpreters."""

    name: str
    tags: tuple[str, ...]
    markers: dict[str, str]


PLATFORMS = {
    "linux": Platform(
        "Linux x86-64",
        LINUX_TAGS,
        {
            "os_name": "posix",
            "sys_platform": "linux",
            "platform_system": "Linux",
            "platform_machine": "x86_64",
        },
    ),
    "windows": Platform(
        "Windows x86-64",
        ("win_amd64",),
        {
            "os_name": "nt",
            "sys_platform": "win32",
            "platform_system": "Windows",
            "platform_machine": "AMD64",
        },
    ),
    "macos": Platform(  # pip widens macosx_14_0 to every older macOS 11+ tag
        "macOS arm64",
        ("macosx_14_0_arm64",),
        {
            "os_name": "posix",
            "sys_platform": "darwin",
            "platform_system": "Darwin",
            "platform_machine": "arm64",
        },
    ),
}

# Runs pip with the target's marker environment: pip's vendored ``packaging`` evaluates every
# marker through ``markers.default_environment()``. Arguments: the environment as JSON, then
# pip's arguments.
RUN_PIP = """\
import json, runpy, sys
from pip._vendor.packaging import markers
target = json.loads(sys.argv.pop(1))
markers.default_environment = lambda: dict(target)
sys.argv[0] = "pip"
runpy.run_module("pip", run_name="__main__", alter_sys=True)
"""


@dataclass
class Resolution:
    """What pip said for one Python on one platform."""

    python: str
    platform: str
    packages: int = 0  # how many packages pip would install, when it resolved
    broken: list[tuple[str, str]] = field(default_factory=list)  # ("name==version", why)
    unpinned: list[str] = field(default_factory=list)  # "name version" pip adds unpinned
    error: str = ""  # a failure pip explained in a way not parsed here

    @property
    def resolves(self) -> bool:
        return not self.broken and not self.error


def full_version(python: str) -> str:
    """``3.12`` -> ``3.12.0``: the version pip assumes for ``--python-version 3.12``."""
    parts = python.split(".")
    if not 1 < len(parts) < 4 or not all(part.isdigit() for part in parts):
        raise ValueError(f"a Python version is written like 3.12 or 3.11.5, not {python!r}")
    return ".".join(parts + ["0"] * (3 - len(parts)))


def marker_environment(python: str, platform: Platform) -> dict[str, str]:
    """The environment markers of CPython ``python`` on ``platform`` (PEP 508 names)."""
    version = full_version(python)
    return {
        "implementation_name": "cpython",
        "implementation_version": version,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
        "python_full_version": version,
        "python_version": ".".join(version.split(".")[:2]),
        **platform.markers,
    }


def pip_command(requirements: Path, python: str, platform: Platform, report: Path) -> list[str]:
    """The command that asks pip's resolver about ``requirements`` for one target."""
    environment = json.dumps(marker_environment(python, platform))
    command = [sys.executable, "-c", RUN_PIP, environment, "install", "--dry-run", "--quiet"]
    command += ["--ignore-installed", "--only-binary=:all:", "--report", str(report)]
    command += ["--python-version", full_version(python)]
    for tag in platform.tags:
        command += ["--platform", tag]
    return command + ["--requirement", str(requirements)]


def read_pins(text: str) -> dict[str, str]:
    """``{canonical name: version}`` of the ``name==version`` lines of a requirements file."""
    pins = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            raise ValueError(f"line {number} is not a requirement: {exc}") from None
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            raise ValueError(f"line {number}: {line!r} is not pinned exactly (name==version)")
        pins[canonicalize_name(requirement.name)] = specifiers[0].version
    return pins


def without(text: str, names: set[str]) -> str:
    """The requirements ``text`` without the lines that pin one of ``names``."""
    kept = []
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement and canonicalize_name(Requirement(requirement).name) in names:
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


_NOT_FOUND = re.compile(r"No matching distribution found for (\S+)")
_IGNORED = re.compile(r"require a different python version: (.+)")
_FROM_VERSIONS = re.compile(r"satisfies the requirement \S+ .*\(from versions: ([^)]*)\)")


def explain_failure(stderr: str) -> tuple[str | None, str]:
    """(the requirement pip could not find, why) from pip's error output; the name is None
    when pip failed otherwise (a conflict between pins, no network), with its last words."""
    found = _NOT_FOUND.search(stderr)
    if not found:
        errors = [line for line in stderr.splitlines() if line.strip()]
        conflict = stderr.split("The conflict is caused by:", 1)
        if len(conflict) == 2:
            causes = [line.strip() for line in conflict[1].splitlines() if line.strip()]
            return None, "conflict: " + "; ".join(causes[:4])
        return None, errors[-1].removeprefix("ERROR: ") if errors else "pip failed silently"
    requirement = found.group(1)
    version = requirement.partition("==")[2]
    ignored = _IGNORED.search(stderr)
    if ignored and version:
        for entry in ignored.group(1).split(";"):
            ignored_version, _, needs = entry.strip().partition(" Requires-Python ")
            if ignored_version == version:
                return requirement, f"needs Python {needs.strip()}"
    versions = _FROM_VERSIONS.search(stderr)
    available = [v.strip() for v in versions.group(1).split(",")] if versions else []
    available = [v for v in available if v and v != "none"]
    newest = f" (newest with one: {available[-1]})" if available else ""
    return requirement, f"no wheel for this Python and platform{newest}"


def unpinned(report: dict, pins: dict[str, str]) -> list[str]:
    """``name version`` of the packages in pip's ``--report`` that ``pins`` does not list."""
    extra = []
    for item in report.get("install", []):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        if canonicalize_name(name) not in pins:
            extra.append(f"{name} {version}")
    return sorted(extra, key=str.lower)


def run_pip(command: list[str]) -> tuple[int, str]:
    """Run pip; (exit code, its error output)."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.returncode, done.stderr


def check(
    requirements_text: str,
    python: str,
    platform: str,
    run: Callable[[list[str]], tuple[int, str]] = run_pip,
) -> Resolution:
    """Ask pip whether ``requirements_text`` resolves for ``python`` on ``platform`` (a key
    of PLATFORMS), setting each broken pin aside and asking again, up to MAX_ROUNDS times."""
    target = PLATFORMS[platform]
    pins = read_pins(requirements_text)
    resolution = Resolution(python, platform)
    set_aside: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="pins-") as folder:
        requirements, report = Path(folder, "requirements.txt"), Path(folder, "report.json")
        for _ in range(MAX_ROUNDS):
            requirements.write_text(without(requirements_text, set_aside), encoding="utf-8")
            report.unlink(missing_ok=True)
            code, stderr = run(pip_command(requirements, python, target, report))
            if code == 0:
                installed = json.loads(report.read_text(encoding="utf-8"))
                resolution.packages = len(installed.get("install", []))
                resolution.unpinned = unpinned(installed, pins)
                return resolution
            requirement, why = explain_failure(stderr)
            name = canonicalize_name(Requirement(requirement).name) if requirement else None
            if name is None or name in set_aside or name not in pins:
                resolution.error = why if name is None else f"{requirement}: {why}"
                return resolution
            resolution.broken.append((f"{name}=={pins[name]}", why))
            set_aside.add(name)
    resolution.error = f"more pins fail: stopped after setting {MAX_ROUNDS} aside"
    return resolution


def supported_pythons(pyproject: Path = PYPROJECT) -> SpecifierSet:
    """pyproject.toml's ``requires-python``."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return SpecifierSet(project["requires-python"])


def describe(resolution: Resolution) -> str:
    """One cell of the table: resolves, or which pins fail (why: see :func:`notes`)."""
    if resolution.resolves:
        return f"resolves ({resolution.packages} packages)"
    failing = [pin for pin, _ in resolution.broken]
    if resolution.error:
        failing.append("more" if resolution.broken else resolution.error)
    return "**fails**: " + ", ".join(failing)


def _grouped(pairs) -> dict:
    """``{key: [values in order]}`` from (key, value) pairs, keys in order of appearance."""
    groups: dict = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return groups


def notes(resolutions: list[Resolution]) -> str:
    """Under the table: why each pin fails, and what pip adds that requirements.txt does not
    pin (where the rest resolves), each said once for the platforms it concerns."""
    name = {key: platform.name.split()[0] for key, platform in PLATFORMS.items()}
    problems = (
        ((r.python, text), name[r.platform])
        for r in resolutions
        for text in [f"{pin}: {reason}" for pin, reason in r.broken]
        + ([r.error] if r.error else [])
    )
    lines = [
        f"- Python {python} ({', '.join(where)}): {text}"
        for (python, text), where in _grouped(problems).items()
    ]
    unpinned = _grouped(
        (package, (r.python, name[r.platform]))
        for r in resolutions
        if r.resolves
        for package in r.unpinned
    )
    if unpinned:
        lines.append("- Not pinned in requirements.txt, added by pip:")
    for package, targets in unpinned.items():
        platforms = _grouped((platform, python) for python, platform in targets)
        where = "; ".join(f"{p} ({', '.join(pythons)})" for p, pythons in platforms.items())
        lines.append(f"  - {package}: {where}")
    return "\n".join(lines)


def table(resolutions: list[Resolution], supported: SpecifierSet) -> str:
    """A Markdown table: one row per Python (supported or not), one column per platform."""
    platforms = list(dict.fromkeys(r.platform for r in resolutions))
    pythons = list(dict.fromkeys(r.python for r in resolutions))
    cell = {(r.python, r.platform): describe(r) for r in resolutions}
    lines = [
        "| Python | supported | " + " | ".join(PLATFORMS[p].name for p in platforms) + " |",
        "|---|---|" + "---|" * len(platforms),
    ]
    for python in pythons:
        mark = "yes" if full_version(python) in supported else "no"
        cells = [cell.get((python, p), "-") for p in platforms]
        lines.append(f"| {python} | {mark} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.pins",
        description="Ask pip whether requirements.txt resolves for each Python and platform.",
    )
    parser.add_argument("--requirements", type=Path, default=REQUIREMENTS)
    parser.add_argument("--python", nargs="+", default=list(PYTHONS), help="e.g. 3.12 3.11.5")
    parser.add_argument("--platform", nargs="+", default=list(PLATFORMS), choices=PLATFORMS)
    parser.add_argument("--jobs", type=int, default=3, help="pip runs at once (default 3)")
    args = parser.parse_args(argv)
    for python in args.python:
        try:
            full_version(python)
        except ValueError as exc:
            parser.error(str(exc))
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Print the table; 1 when a Python that pyproject.toml supports fails somewhere."""
    args = parse_args(argv)
    try:
        text = args.requirements.read_text(encoding="utf-8")
        read_pins(text)
    except (OSError, ValueError) as exc:
        print(f"error: {args.requirements}: {exc}", file=sys.stderr)
        return 2
    supported = supported_pythons()
    targets = [(python, platform) for python in args.python for platform in args.platform]
    print(f"Asking pip about {len(targets)} Python/platform pairs (needs PyPI) ...", flush=True)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        resolutions = list(pool.map(lambda target: check(text, *target), targets))
    print(table(resolutions, supported))
    print(notes(resolutions))
    failing = [r for r in resolutions if not r.resolves and full_version(r.python) in supported]
    for resolution in failing:
        print(
            f"error: Python {resolution.python} on {PLATFORMS[resolution.platform].name} "
            f"does not resolve, though pyproject.toml supports it",
            file=sys.stderr,
        )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
