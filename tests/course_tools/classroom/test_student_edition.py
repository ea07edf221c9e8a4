"""The student edition: nbgrader's generate_assignment clears solutions and hidden tests."""

import hashlib
import json
import runpy
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_tools.classroom import student_edition
from helpers.settings import REPO_ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "grading"
SOURCE = FIXTURES / "source"


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.ipynb")}


@pytest.fixture(scope="module")
def edition(tmp_path_factory, new_course):
    root = tmp_path_factory.mktemp("edition")
    out = root / "student"
    before = digest(SOURCE)
    lines: list[str] = []
    course = new_course(root / "course")
    summaries = student_edition.build_student_edition(SOURCE, out, course=course,
                                                      log=lines.append)
    assert digest(SOURCE) == before, "the instructor notebooks must not change"
    return out, summaries, lines, course


def cells_by_grade_id(nb):
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def test_fixture_notebooks_match_their_builder(tmp_path):
    builder = runpy.run_path(str(FIXTURES / "build_fixtures.py"))
    for path in builder["build"](tmp_path):
        committed = json.loads((SOURCE / path.name).read_text())
        assert json.loads(path.read_text()) == committed, f"rerun build_fixtures.py: {path.name}"


def test_reports_exercises_checks_and_points(edition):
    _, summaries, lines, _ = edition
    assert [(s.name, s.exercises, s.checks, s.points) for s in summaries] == [
        ("01_normalise", 1, 1, 2.0),
        ("02_one_hot", 2, 3, 6.0),
    ]
    report = "\n".join(lines)
    assert "01_normalise" in report and "02_one_hot" in report
    assert any(line.split()[:4] == ["total", "3", "4", "8"] for line in lines)
    assert "no solution or hidden-test markers left" in report
    assert "no function of the edition answers an exercise (3 reference answers)" in report


def test_solutions_and_hidden_tests_are_gone(edition):
    out, _, _, _ = edition
    names = sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    assert names == ["01_normalise.ipynb", "02_one_hot.ipynb"]
    for path in (out / "notebooks").glob("*.ipynb"):
        text = path.read_text()
        for marker in student_edition.LEAK_MARKERS:
            assert marker not in text, f"{marker} left in {path.name}"
    nb = nbformat.read(out / "notebooks" / "01_normalise.ipynb", as_version=4)
    cells = cells_by_grade_id(nb)
    solution = cells["normalise"].source
    assert solution.startswith('def normalise(pixels):\n    """Scale')  # kept around region
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in solution
    assert "p / 255" not in solution
    test = cells["test_normalise"].source
    assert "assert result == [0.0, 0.2, 1.0]" in test  # visible test kept
    assert "normalise([])" not in test  # hidden test removed


def test_outputs_cleared_and_cells_locked(edition):
    out, _, _, _ = edition
    for path in (out / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
            meta = cell.metadata.get("nbgrader")
            if meta and meta["grade"]:
                assert cell.metadata["editable"] is False and cell.metadata["deletable"] is False
                assert len(meta["checksum"]) == 32
            if meta and meta["solution"]:
                assert cell.metadata["deletable"] is False and "editable" not in cell.metadata


def test_edition_carries_what_it_needs_to_run(edition):
    out, _, _, _ = edition
    for name in ("requirements.txt", "environment.yml", "pyproject.toml", "README.md", "Makefile"):
        assert (out / name).is_file(), name
    assert (out / "requirements.txt").read_text() == (REPO_ROOT / "requirements.txt").read_text()
    for gz in (REPO_ROOT / "data" / "mnist").glob("*.gz"):
        assert (out / "data" / "mnist" / gz.name).stat().st_size == gz.stat().st_size
    assert (out / "helpers" / "settings.py").is_file()
    assert not (out / "helpers" / "grader.py").exists()
    assert not (out / "helpers" / "student_edition.py").exists()
    assert not list(out.rglob("__pycache__"))
    readme = (out / "README.md").read_text()
    assert "pip install -r requirements.txt" in readme and "YOUR CODE HERE" in readme
    makefile = (out / "Makefile").read_text()
    assert "\n\t$(STUDENT_LAB) $(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/" in makefile  # tabs
    assert (out / "student_lab" / "labconfig" / "page_config.json").is_file()
    if shutil.which("make"):
        dry = subprocess.run(
            ["make", "-n", "-C", str(out), "check"], capture_output=True, text=True, check=False
        )
        assert dry.returncode == 0, dry.stderr
        assert "MNIST_COURSE_PROFILE=quick" in dry.stdout


def test_the_edition_is_nbgraders_release_recorded_in_the_gradebook(edition):
    out, _, _, course = edition
    for path in (out / "notebooks").glob("*.ipynb"):
        assert path.read_bytes() == (course.release_dir / path.name).read_bytes()
    with course.open_gradebook() as gradebook:
        notebooks = gradebook.find_assignment("mnist").notebooks
        hidden = gradebook.find_source_cell("test_normalise", "01_normalise", "mnist").source
    assert sorted(nb.name for nb in notebooks) == ["01_normalise", "02_one_hot"]
    assert "normalise([])" in hidden  # the hidden tests stay with the instructor


def test_the_readme_says_what_is_secret(edition):
    out, _, _, _ = edition
    readme = (out / "README.md").read_text()
    assert "## For instructors: what is secret" in readme
    assert "hidden tests" in readme and "helpers/" in readme


def test_refuses_a_non_empty_output_unless_forced(new_course, tmp_path, capsys):
    out = tmp_path / "student"
    out.mkdir()
    (out / "old.txt").write_text("keep me")
    course = new_course(tmp_path / "course")
    with pytest.raises(FileExistsError, match="--force"):
        student_edition.build_student_edition(SOURCE, out, course=course, log=lambda _: None)
    assert (out / "old.txt").exists()
    args = ["--source", str(SOURCE), "--out", str(out), "--course", str(course.root)]
    code = student_edition.main(args)
    assert code == 2 and "not empty" in capsys.readouterr().err
    assert student_edition.main([*args, "--force"]) == 0
    assert not (out / "old.txt").exists()
    assert (out / "notebooks" / "02_one_hot.ipynb").is_file()


def test_refuses_to_replace_the_repository(monkeypatch):
    def no_delete(path, *args, **kwargs):
        raise AssertionError(f"would have deleted {path}")

    monkeypatch.setattr(student_edition.shutil, "rmtree", no_delete)
    with pytest.raises(ValueError, match="refusing"):
        student_edition.build_student_edition(SOURCE, REPO_ROOT, force=True, log=lambda _: None)


def test_notebook_without_exercises_is_copied_with_outputs_cleared(new_course, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    cell = new_code_cell("print('hello')", id="hello", execution_count=3)
    cell.outputs = [new_output("stream", name="stdout", text="hello\n")]
    nbformat.write(new_notebook(cells=[cell]), source / "01_plain.ipynb")
    summaries = student_edition.build_student_edition(
        source, tmp_path / "out", course=new_course(tmp_path / "course"),
        repo_root=tmp_path / "empty", log=lambda _: None,
    )
    assert [(s.exercises, s.checks, s.points) for s in summaries] == [(0, 0, 0.0)]
    copied = nbformat.read(tmp_path / "out" / "notebooks" / "01_plain.ipynb", as_version=4)
    assert [c.source for c in copied.cells] == ["print('hello')"]
    assert copied.cells[0].outputs == [] and copied.cells[0].execution_count is None


def test_solution_region_outside_a_solution_cell_fails_loudly(new_course, tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    cell = new_code_cell("x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION", id="oops")
    nbformat.write(new_notebook(cells=[cell]), source / "01_oops.ipynb")
    with pytest.raises(student_edition.BuildError, match="generate_assignment failed"):
        student_edition.build_student_edition(
            source, tmp_path / "out", course=new_course(tmp_path / "course"), log=lambda _: None
        )


def test_find_leaks_flags_any_marker(tmp_path):
    (tmp_path / "clean.py").write_text("x = 1\n")
    (tmp_path / "leaky.ipynb").write_text('{"source": "### BEGIN HIDDEN TESTS"}')
    leaks = student_edition.find_leaks(tmp_path)
    assert len(leaks) == 1 and "leaky.ipynb" in leaks[0] and "BEGIN HIDDEN TESTS" in leaks[0]


def test_build_fails_if_anything_leaks(new_course, tmp_path, monkeypatch):
    leaky = tmp_path / "templates"
    leaky.mkdir()
    (leaky / "student_README.md").write_text("### BEGIN SOLUTION\n")
    (leaky / "student_Makefile").write_text("help:\n")
    monkeypatch.setattr(student_edition, "TEMPLATES", leaky)
    with pytest.raises(student_edition.LeakError, match="README.md"):
        student_edition.build_student_edition(
            SOURCE, tmp_path / "out", course=new_course(tmp_path / "course"), log=lambda _: None
        )


def repository(root: Path, pixels: str) -> Path:
    """A repository whose only support files are ``helpers/`` with a module ``pixels.py``."""
    (root / "helpers").mkdir(parents=True)
    (root / "helpers" / "__init__.py").write_text('"""The course\'s helpers."""\n')
    (root / "helpers" / "pixels.py").write_text(pixels)
    return root


# 01_normalise's answer, `return [p / 255 for p in pixels]`, under other names
PLANTED = '''"""Pixels."""


def to_unit_range(values):
    """Grey levels 0-255 as floats in [0, 1]."""
    return [value / 255.0 for value in values]
'''


def test_build_fails_if_a_shipped_function_answers_an_exercise(new_course, tmp_path):
    repo = repository(tmp_path / "repo", PLANTED)
    with pytest.raises(student_edition.LeakError) as caught:
        student_edition.build_student_edition(
            SOURCE, tmp_path / "out", course=new_course(tmp_path / "course"), repo_root=repo,
            log=lambda _: None,
        )
    lines = str(caught.value).splitlines()
    assert lines[0] == f"functions of the student edition ({tmp_path / 'out'}) answer an exercise:"
    assert lines[1].startswith(
        "  helpers/pixels.py:4 to_unit_range answers 01_normalise exercise 'normalise'")
    assert lines[2:] == ["move that code into the exercise's solution cell, or have the "
                         "notebook pass the student's function on to whatever needs it"]


def test_build_passes_when_no_shipped_function_answers_an_exercise(new_course, tmp_path):
    pixels = PLANTED.replace("[value / 255.0 for value in values]",  # another computation
                             "np.asarray(values, dtype=np.float32) / 255")
    lines: list[str] = []
    student_edition.build_student_edition(
        SOURCE, tmp_path / "out", course=new_course(tmp_path / "course"),
        repo_root=repository(tmp_path / "repo", pixels), log=lines.append,
    )
    assert (tmp_path / "out" / "helpers" / "pixels.py").read_text() == pixels
    assert lines[-1] == (
        "checked: no function of the edition answers an exercise (3 reference answers)")


def test_the_real_course_builds(new_course, tmp_path):
    source = REPO_ROOT / "notebooks"
    summaries = student_edition.build_student_edition(
        source, tmp_path / "out", course=new_course(tmp_path / "course"), log=lambda _: None
    )
    assert [s.name for s in summaries] == [p.stem for p in sorted(source.glob("*.ipynb"))]
    for path in (tmp_path / "out" / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert all(c.get("outputs", []) == [] for c in nb.cells), path.name
