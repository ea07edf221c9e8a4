"""course_tools.environment: environment.yml is requirements.txt for conda, pin for pin."""

import pytest
import yaml

from course_tools import environment, pins
from course_tools.environment import ENVIRONMENT, REQUIREMENTS, environment_yml


def pip_section(text):
    """The ``pip:`` list and the other dependencies of an environment.yml text."""
    dependencies = yaml.safe_load(text)["dependencies"]
    (pip,) = [entry["pip"] for entry in dependencies if isinstance(entry, dict)]
    return pip, [entry for entry in dependencies if not isinstance(entry, dict)]


def test_environment_yml_is_the_one_generated_from_requirements_txt():
    assert ENVIRONMENT.read_text(encoding="utf-8") == environment_yml(
        REQUIREMENTS.read_text(encoding="utf-8")
    ), "environment.yml and requirements.txt disagree: run `make environment`"


def test_environment_yml_pins_what_requirements_txt_pins_and_names_no_file():
    pip, others = pip_section(ENVIRONMENT.read_text(encoding="utf-8"))
    assert pins.read_pins("\n".join(pip)) == pins.read_pins(REQUIREMENTS.read_text("utf-8"))
    assert others == [f"python={environment.PYTHON}", "pip"]
    assert not [line for line in pip if line.startswith("-") or "requirements" in line]
    assert 'ai-edge-litert==2.3.0; sys_platform != "win32"' in pip  # markers kept


def test_its_python_is_one_the_course_supports():
    supported = pins.supported_pythons()
    assert any(f"{environment.PYTHON}.{micro}" in supported for micro in range(30))


def test_comments_blank_lines_and_markers_survive_the_way_pip_reads_them():
    text = (
        "# heading\n\nnumpy==2.4.6  # why\n"
        'ai-edge-litert==2.3.0; sys_platform != "win32"\nPyYAML==6.0.3\n'
    )
    assert environment.pip_requirements(text) == [
        "numpy==2.4.6",
        'ai-edge-litert==2.3.0; sys_platform != "win32"',
        "PyYAML==6.0.3",
    ]
    pip, _ = pip_section(environment_yml(text, python="3.12"))
    assert pip == environment.pip_requirements(text)
    assert "python=3.12" in environment_yml(text, python="3.12")


@pytest.mark.parametrize("line", ["-r requirements.txt", "-e .", "--index-url https://x"])
def test_a_pip_option_cannot_be_carried_into_environment_yml(line):
    with pytest.raises(ValueError, match="lists packages only"):
        environment.pip_requirements(f"numpy==2.4.6\n{line}\n")


def test_main_writes_checks_and_says_what_it_did(tmp_path, capsys):
    requirements, out = tmp_path / "requirements.txt", tmp_path / "environment.yml"
    requirements.write_text("numpy==2.4.6\nscipy==1.17.1\n", encoding="utf-8")
    arguments = ["--requirements", str(requirements), "--out", str(out)]
    assert environment.main([*arguments, "--check"]) == 1
    assert "environment.yml is out of date: run `make environment`" in capsys.readouterr().err
    assert not out.exists()
    assert environment.main(arguments) == 0
    assert "environment.yml written: 2 pins" in capsys.readouterr().out
    assert environment.main([*arguments, "--check"]) == 0
    assert "up to date" in capsys.readouterr().out
    requirements.write_text("numpy==2.4.6\n-r more.txt\n", encoding="utf-8")
    assert environment.main(arguments) == 1
    assert "'-r more.txt': environment.yml lists packages only" in capsys.readouterr().err
