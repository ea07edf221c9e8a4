"""course_tools.pins: asking pip whether requirements.txt resolves per Python and platform.

pip's answers are canned here (PyPI is not reachable in CI); one test runs the real pip offline,
on two wheels made in a temporary folder, to show that markers are judged for the target.
"""

import json
import os
import re
import subprocess
import zipfile

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from course_tools import pins
from course_tools.pins import PLATFORMS, Resolution
from helpers.settings import REPO_ROOT

REQUIREMENTS = """\
# Deep learning
tensorflow==2.21.0
Keras==3.15.1

ai-edge-litert==2.3.0; sys_platform != "win32"
soupsieve==4.1.1
h5py==3.14.0
"""
SUPPORTED = SpecifierSet(">=3.11.5,<3.14")

# What pip 26 prints on stderr, trimmed to the lines that matter.
SOUPSIEVE_NEEDS_NEWER_PYTHON = """\
ERROR: Ignored the following versions that require a different python version: \
2.8 Requires-Python >=3.9; 4.1.1 Requires-Python >=3.11.5
ERROR: Could not find a version that satisfies the requirement soupsieve==4.1.1 \
(from versions: 1.9.6, 2.0, 2.7)
ERROR: No matching distribution found for soupsieve==4.1.1
"""
NO_TENSORFLOW_WHEEL = """\
WARNING: Location 'file:///opt/pypi/simple/tensorflow/' is ignored: it is neither a file nor a \
directory.
ERROR: Could not find a version that satisfies the requirement tensorflow==2.21.0 \
(from versions: 2.20.0, 2.22.0rc0)
ERROR: No matching distribution found for tensorflow==2.21.0
"""
NO_VERSION_AT_ALL = """\
ERROR: Could not find a version that satisfies the requirement h5py==3.14.0 (from versions: none)
ERROR: No matching distribution found for h5py==3.14.0
"""
CONFLICT = """\
ERROR: Cannot install keras==3.15.1 and tensorflow==2.21.0 because these package versions have \
conflicting dependencies.

The conflict is caused by:
    The user requested keras==3.15.1
    tensorflow 2.21.0 depends on keras<3.15

To fix this you could try to:
1. loosen the range of package versions you've specified
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/
"""
OFFLINE = """\
WARNING: Retrying (Retry(total=4)) after connection broken
ERROR: Could not install packages due to an OSError: HTTPSConnectionPool(host='pypi.org')
"""


def report(*installed):
    """pip's --report JSON for packages given as (name, version)."""
    return {"install": [{"metadata": {"name": n, "version": v}} for n, v in installed]}


@pytest.mark.parametrize(
    "python, full", [("3.12", "3.12.0"), ("3.11.5", "3.11.5"), ("3.10", "3.10.0")]
)
def test_a_python_version_is_completed_the_way_pip_reads_it(python, full):
    assert pins.full_version(python) == full


@pytest.mark.parametrize("python", ["3", "three", "3.12.1.1", "3.x", ""])
def test_a_malformed_python_version_is_refused_with_an_example(python):
    with pytest.raises(ValueError, match="written like 3.12 or 3.11.5"):
        pins.full_version(python)


def test_the_marker_environment_is_the_targets_not_this_interpreters():
    not_windows = Marker('sys_platform != "win32"')
    windows = pins.marker_environment("3.13", PLATFORMS["windows"])
    linux = pins.marker_environment("3.11.5", PLATFORMS["linux"])
    mac = pins.marker_environment("3.12", PLATFORMS["macos"])
    assert not not_windows.evaluate(windows) and not_windows.evaluate(linux)
    assert Marker('platform_system == "Windows"').evaluate(windows)
    assert Marker('python_version >= "3.13"').evaluate(windows)
    assert Marker('python_full_version < "3.11.6"').evaluate(linux)
    assert Marker('sys_platform == "darwin" and platform_machine == "arm64"').evaluate(mac)


def test_the_pip_command_resolves_without_installing_for_the_target(tmp_path):
    command = pins.pip_command(
        tmp_path / "r.txt", "3.12", PLATFORMS["linux"], tmp_path / "report.json"
    )
    assert command[1:3] == ["-c", pins.RUN_PIP]
    assert json.loads(command[3])["sys_platform"] == "linux"
    pip_args = command[4:]
    assert pip_args[0] == "install"
    for flag in ["--dry-run", "--ignore-installed", "--only-binary=:all:"]:
        assert flag in pip_args
    assert pip_args[pip_args.index("--python-version") + 1] == "3.12.0"
    assert pip_args[pip_args.index("--report") + 1] == str(tmp_path / "report.json")
    assert pip_args[-2:] == ["--requirement", str(tmp_path / "r.txt")]
    platforms = [pip_args[i + 1] for i, arg in enumerate(pip_args) if arg == "--platform"]
    # TensorFlow 2.21's Linux wheels are manylinux_2_27; pip would not infer it from 2_35
    assert "manylinux_2_27_x86_64" in platforms and "manylinux2014_x86_64" in platforms


def test_pins_are_read_with_canonical_names_markers_and_comments():
    assert pins.read_pins(REQUIREMENTS) == {
        "tensorflow": "2.21.0",
        "keras": "3.15.1",
        "ai-edge-litert": "2.3.0",
        "soupsieve": "4.1.1",
        "h5py": "3.14.0",
    }


@pytest.mark.parametrize(
    "text, message",
    [
        ("numpy==2.4.6\nscipy>=1.17\n", r"line 2: 'scipy>=1.17' is not pinned exactly"),
        ("numpy\n", r"line 1: 'numpy' is not pinned exactly"),
        ("numpy==2.4.6\n-r other.txt\n", r"line 2 is not a requirement"),
    ],
)
def test_a_requirement_that_is_not_an_exact_pin_is_named(text, message):
    with pytest.raises(ValueError, match=message):
        pins.read_pins(text)


def test_setting_pins_aside_keeps_every_other_line():
    kept = pins.without(REQUIREMENTS, {"keras", "ai-edge-litert"})
    assert "Keras" not in kept and "ai-edge-litert" not in kept
    assert kept.splitlines()[:2] == ["# Deep learning", "tensorflow==2.21.0"]
    assert pins.read_pins(kept) == {"tensorflow": "2.21.0", "soupsieve": "4.1.1", "h5py": "3.14.0"}


@pytest.mark.parametrize(
    "stderr, requirement, why",
    [
        (SOUPSIEVE_NEEDS_NEWER_PYTHON, "soupsieve==4.1.1", "needs Python >=3.11.5"),
        (
            NO_TENSORFLOW_WHEEL,
            "tensorflow==2.21.0",
            "no wheel for this Python and platform (newest with one: 2.22.0rc0)",
        ),
        (NO_VERSION_AT_ALL, "h5py==3.14.0", "no wheel for this Python and platform"),
        (
            CONFLICT,
            None,
            "conflict: The user requested keras==3.15.1; tensorflow 2.21.0 depends on keras<3.15;"
            " To fix this you could try to:; 1. loosen the range of package versions you've"
            " specified",
        ),
        (OFFLINE, None, "Could not install packages due to an OSError: HTTPSConnectionPool"),
        ("", None, "pip failed silently"),
    ],
    ids=["requires-python", "no-wheel", "no-version", "conflict", "offline", "silent"],
)
def test_pips_failures_are_explained(stderr, requirement, why):
    found, explanation = pins.explain_failure(stderr)
    assert found == requirement
    assert explanation.startswith(why)


def test_packages_pip_adds_that_are_not_pinned_are_listed():
    installed = report(("tensorflow", "2.21.0"), ("setuptools", "84.2.1"), ("Wheel", "0.48.0"))
    assert pins.unpinned(installed, pins.read_pins(REQUIREMENTS)) == [
        "setuptools 84.2.1",
        "Wheel 0.48.0",
    ]
    assert pins.unpinned({}, {}) == []


class FakePip:
    """Answers pip commands in turn with (exit code, stderr, report); records what it saw."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requirements_seen = []

    def __call__(self, command):
        requirements = command[command.index("--requirement") + 1]
        with open(requirements, encoding="utf-8") as file:
            self.requirements_seen.append(file.read())
        code, stderr, installed = self.answers.pop(0)
        if installed is not None:
            path = command[command.index("--report") + 1]
            with open(path, "w", encoding="utf-8") as file:
                json.dump(installed, file)
        return code, stderr


def test_a_target_that_resolves_counts_its_packages_and_unpinned_ones():
    fake = FakePip((0, "", report(("tensorflow", "2.21.0"), ("setuptools", "84.2.1"))))
    resolution = pins.check(REQUIREMENTS, "3.12", "windows", run=fake)
    assert resolution == Resolution("3.12", "windows", 2, [], ["setuptools 84.2.1"], "")
    assert resolution.resolves
    assert fake.requirements_seen == [REQUIREMENTS]


def test_each_broken_pin_is_set_aside_and_pip_asked_again():
    fake = FakePip(
        (1, NO_TENSORFLOW_WHEEL, None),
        (1, NO_VERSION_AT_ALL, None),
        (0, "", report(("keras", "3.15.1"))),
    )
    resolution = pins.check(REQUIREMENTS, "3.14", "linux", run=fake)
    assert not resolution.resolves and resolution.packages == 1
    assert resolution.broken == [
        (
            "tensorflow==2.21.0",
            "no wheel for this Python and platform (newest with one: 2.22.0rc0)",
        ),
        ("h5py==3.14.0", "no wheel for this Python and platform"),
    ]
    assert "tensorflow" not in fake.requirements_seen[1]
    assert "tensorflow" not in fake.requirements_seen[2] and "h5py" not in fake.requirements_seen[2]


@pytest.mark.parametrize(
    "stderr, error",
    [
        (CONFLICT, "conflict: The user requested keras==3.15.1"),
        (
            NO_VERSION_AT_ALL.replace("h5py==3.14.0", "colorama>=0.4"),
            "colorama>=0.4: no wheel for this Python and platform",
        ),
    ],
    ids=["conflict", "unpinned-dependency"],
)
def test_a_failure_no_pin_explains_stops_with_pips_words(stderr, error):
    resolution = pins.check(REQUIREMENTS, "3.12", "macos", run=FakePip((1, stderr, None)))
    assert not resolution.resolves and resolution.broken == []
    assert resolution.error.startswith(error)


def test_a_pin_that_keeps_failing_after_being_set_aside_stops_the_rounds():
    fake = FakePip((1, SOUPSIEVE_NEEDS_NEWER_PYTHON, None), (1, SOUPSIEVE_NEEDS_NEWER_PYTHON, None))
    resolution = pins.check(REQUIREMENTS, "3.11.4", "linux", run=fake)
    assert resolution.broken == [("soupsieve==4.1.1", "needs Python >=3.11.5")]
    assert resolution.error == "soupsieve==4.1.1: needs Python >=3.11.5"


def test_rounds_stop_after_max_rounds_broken_pins_saying_more_fail(monkeypatch):
    monkeypatch.setattr(pins, "MAX_ROUNDS", 2)
    fake = FakePip((1, NO_TENSORFLOW_WHEEL, None), (1, NO_VERSION_AT_ALL, None))
    resolution = pins.check(REQUIREMENTS, "3.14", "windows", run=fake)
    assert [pin for pin, _ in resolution.broken] == ["tensorflow==2.21.0", "h5py==3.14.0"]
    assert resolution.error == "more pins fail: stopped after setting 2 aside"
    assert pins.describe(resolution) == "**fails**: tensorflow==2.21.0, h5py==3.14.0, more"


SOUPSIEVE = ("soupsieve==4.1.1", "needs Python >=3.11.5")
RESOLUTIONS = [
    Resolution("3.11.4", "linux", broken=[SOUPSIEVE], unpinned=["setuptools 84.2.1"]),
    Resolution("3.11.4", "windows", broken=[SOUPSIEVE]),
    Resolution("3.12", "linux", 182, unpinned=["setuptools 84.2.1"]),
    Resolution("3.12", "windows", 184, unpinned=["colorama 0.4.6", "setuptools 84.2.1"]),
    Resolution("3.13", "windows", error="conflict: tensorflow 2.21.0 depends on keras<3.15"),
]


def test_the_table_has_a_row_per_python_and_a_column_per_platform():
    lines = pins.table(RESOLUTIONS, SUPPORTED).splitlines()
    assert lines == [
        "| Python | supported | Linux x86-64 | Windows x86-64 |",
        "|---|---|---|---|",
        "| 3.11.4 | no | **fails**: soupsieve==4.1.1 | **fails**: soupsieve==4.1.1 |",
        "| 3.12 | yes | resolves (182 packages) | resolves (184 packages) |",
        "| 3.13 | yes | - | **fails**: conflict: tensorflow 2.21.0 depends on keras<3.15 |",
    ]


def test_the_notes_say_each_reason_and_each_unpinned_package_once_with_where():
    assert pins.notes(RESOLUTIONS).splitlines() == [
        "- Python 3.11.4 (Linux, Windows): soupsieve==4.1.1: needs Python >=3.11.5",
        "- Python 3.13 (Windows): conflict: tensorflow 2.21.0 depends on keras<3.15",
        "- Not pinned in requirements.txt, added by pip:",
        "  - setuptools 84.2.1: Linux (3.12); Windows (3.12)",  # not 3.11.4: it failed
        "  - colorama 0.4.6: Windows (3.12)",
    ]
    assert pins.notes([Resolution("3.12", "macos", 180)]) == ""


def test_pyproject_supports_the_pythons_the_makefile_accepts():
    supported = pins.supported_pythons()
    assert all(v in supported for v in ["3.11.0", "3.11.2", "3.12.0", "3.13.9"])
    assert not any(v in supported for v in ["3.10.14", "3.14.0"])


@pytest.mark.parametrize("readme", ["docs/running.md", "course_tools/classroom/student_README.md"])
def test_the_readmes_state_the_range_of_requires_python(readme):
    stated = re.search(r"(3\.\d+) to (3\.\d+)", (REPO_ROOT / readme).read_text())
    assert stated, f"{readme} does not say which Pythons the course supports"
    oldest, newest = (int(version.split(".")[1]) for version in stated.groups())
    supported = pins.supported_pythons()
    assert f"3.{oldest}.0" in supported and f"3.{newest}.99" in supported
    assert f"3.{oldest - 1}.99" not in supported and f"3.{newest + 1}.0" not in supported


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--python", "three"], "a Python version is written like 3.12"),
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["--platform", "solaris"], "invalid choice: 'solaris'"),
    ],
)
def test_bad_arguments_stop_with_a_usage_message(argv, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        pins.parse_args(argv)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("failing_python, code", [("3.12", 1), ("3.14", 0)])
def test_main_fails_only_when_a_supported_python_does_not_resolve(
    failing_python, code, tmp_path, monkeypatch, capsys
):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(REQUIREMENTS, encoding="utf-8")

    def fake_check(text, python, platform):
        assert text == REQUIREMENTS
        if python == failing_python:
            return Resolution(python, platform, broken=[("tensorflow==2.21.0", "no wheel")])
        return Resolution(python, platform, 180)

    monkeypatch.setattr(pins, "check", fake_check)
    argv = ["--requirements", str(requirements), "--python", "3.12", "3.14", "--platform", "linux"]
    assert pins.main(argv) == code
    out, err = capsys.readouterr()
    assert f"| {failing_python} | " in out and "**fails**: tensorflow==2.21.0 |" in out
    assert f"- Python {failing_python} (Linux): tensorflow==2.21.0: no wheel" in out
    assert ("error: Python 3.12 on Linux x86-64 does not resolve" in err) == (code == 1)


def test_main_names_a_requirements_file_it_cannot_use(tmp_path, capsys):
    loose = tmp_path / "loose.txt"
    loose.write_text("numpy>=2\n", encoding="utf-8")
    assert pins.main(["--requirements", str(loose)]) == 2
    assert f"error: {loose}: line 1: 'numpy>=2' is not pinned exactly" in capsys.readouterr().err
    assert pins.main(["--requirements", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


def make_wheel(folder, name, requires=()):
    """A minimal pure-Python wheel ``name`` 1.0 whose metadata requires ``requires``."""
    dist_info = f"{name.replace('-', '_')}-1.0.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    wheel = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    with zipfile.ZipFile(folder / f"{name.replace('-', '_')}-1.0-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{dist_info}/METADATA", metadata)
        zf.writestr(f"{dist_info}/WHEEL", wheel)
        zf.writestr(f"{dist_info}/RECORD", "")


@pytest.mark.parametrize(
    "requirements, platform, missing",
    [
        ('probe-c==1.0; sys_platform == "win32"\n', "linux", None),
        ('probe-c==1.0; sys_platform == "win32"\n', "windows", "probe-c==1.0"),
        ("probe-a==1.0\n", "linux", None),
        ("probe-a==1.0\n", "windows", "probe-b==1.0"),
    ],
    ids=["requirements-linux", "requirements-windows", "metadata-linux", "metadata-windows"],
)
def test_real_pip_judges_markers_for_the_target_not_for_this_linux(
    requirements, platform, missing, tmp_path
):
    """Offline, on wheels made here: probe-a needs probe-b on Windows only; neither probe-b nor
    probe-c exists. pip, run on this Linux machine, must miss them for Windows only, whether
    the marker is in the requirements file or in a package's metadata."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "probe-a", ['probe-b==1.0; sys_platform == "win32"'])
    (tmp_path / "requirements.txt").write_text(requirements, encoding="utf-8")
    report_path = tmp_path / "report.json"
    command = pins.pip_command(
        tmp_path / "requirements.txt", "3.12", PLATFORMS[platform], report_path
    )
    at = command.index("install") + 1
    command[at:at] = ["--no-index", "--find-links", str(wheels)]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    environment["PIP_CONFIG_FILE"] = os.devnull  # this machine's pip settings stay out
    done = subprocess.run(
        command, capture_output=True, text=True, env=environment, timeout=120, check=False
    )
    if missing:
        assert done.returncode != 0
        assert pins.explain_failure(done.stderr)[0] == missing, done.stderr
    else:
        assert done.returncode == 0, done.stderr
        installed = json.loads(report_path.read_text(encoding="utf-8"))
        assert installed["environment"]["sys_platform"] == "linux"
        expected = ["probe-a"] if "probe-a" in requirements else []
        assert [item["metadata"]["name"] for item in installed["install"]] == expected
