"""course_tools.colab: the README's Colab links and the notebooks' Colab cell, on copies.

The real README and notebooks are never written: each test works on a copy in a temporary
folder. The Colab cell runs in a subprocess under a stand-in ``google.colab`` module, cloning a
temporary git repository made here (a ``file://`` address), with a stand-in ``pip`` that only
records what it is asked to install: nothing leaves this machine or changes its packages.
"""

import json
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest

from course_tools import colab
from course_tools.colab import END, START, Course
from helpers.settings import REPO_ROOT

GITHUB = "https://github.com/example-org/mnist-course"
REAL_NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("0*.ipynb"))


# ---- the README's links --------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, path",
    [
        (GITHUB, "example-org/mnist-course"),
        (GITHUB + ".git", "example-org/mnist-course"),
        (GITHUB + "/", "example-org/mnist-course"),
        ("git@github.com:example-org/mnist.course.git", "example-org/mnist.course"),
        ("https://gitlab.com/example-org/mnist-course", None),
        ("https://github.com/example-org", None),
        ("", None),
    ],
)
def test_a_github_address_gives_owner_and_name(address, path):
    assert colab.github_path(address) == path


def test_links_open_each_notebook_at_the_versions_tag_in_the_configured_repository():
    course = Course(GITHUB + ".git", "1.2.0")
    section = colab.readme_section(
        course, ["notebooks/01_explore.ipynb", "notebooks/08_deploy.ipynb"]
    )
    base = "https://colab.research.google.com/github/example-org/mnist-course/blob/v1.2.0"
    assert f"[01_explore]({base}/notebooks/01_explore.ipynb)" in section
    assert f"[08_deploy]({base}/notebooks/08_deploy.ipynb)" in section
    assert "version 1.2.0" in section


def test_without_an_address_the_readme_says_how_to_set_one():
    section = colab.readme_section(Course("", "1.0.0"), ["notebooks/01_explore.ipynb"])
    assert "no public address" in section and "[project.urls]" in section
    assert "make colab" in section and "colab.research.google.com" not in section


def test_an_address_outside_github_gets_no_links_but_an_explanation():
    section = colab.readme_section(
        Course("https://gitlab.com/example-org/mnist-course", "1.0.0"), ["notebooks/a.ipynb"]
    )
    assert "GitHub only" in section and "https://gitlab.com/example-org/mnist-course" in section
    assert "](" not in section
    with pytest.raises(ValueError, match="GitHub only"):
        colab.colab_url(Course("https://gitlab.com/x/y", "1.0.0"), "notebooks/a.ipynb")


def test_the_readme_changes_between_its_markers_only_and_twice_is_once():
    text = f"# Course\n\nIntro.\n{START}\nold links\n{END}\n\n## Next\n"
    once = colab.update_readme(text, "new links")
    assert once == f"# Course\n\nIntro.\n{START}\nnew links\n{END}\n\n## Next\n"
    assert colab.update_readme(once, "new links") == once


@pytest.mark.parametrize("text", ["no markers", f"{END} before {START}", f"only {START}"])
def test_a_readme_without_the_markers_is_refused_naming_them(text):
    with pytest.raises(ValueError, match="no <!-- colab:start --> ... <!-- colab:end --> markers"):
        colab.update_readme(text, "links")


# ---- pyproject.toml -------------------------------------------------------------------------


def write_pyproject(folder, urls="", version='version = "1.0.0"'):
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "mnist-course-helpers"\n{version}\n{urls}', encoding="utf-8"
    )
    return folder / "pyproject.toml"


def test_the_address_and_version_come_from_pyproject(tmp_path):
    assert colab.read_course(write_pyproject(tmp_path)) == Course("", "1.0.0")
    urls = f'\n[project.urls]\nRepository = " {GITHUB} "\n'
    assert colab.read_course(write_pyproject(tmp_path, urls)) == Course(GITHUB, "1.0.0")


def test_the_courses_own_pyproject_invents_no_address():
    course = colab.read_course(REPO_ROOT / "pyproject.toml")
    assert course.repository == "" or colab.github_path(course.repository)
    assert course.tag == f"v{course.version}"


@pytest.mark.parametrize(
    "urls, version, message",
    [
        ("\n[project.urls]\nRepository = 3\n", 'version = "1.0.0"', "must be a URL string"),
        ("", "", r"\[project\] has no version"),
    ],
)
def test_a_pyproject_the_tool_cannot_use_is_named(tmp_path, urls, version, message):
    with pytest.raises(ValueError, match=message):
        colab.read_course(write_pyproject(tmp_path, urls, version))


# ---- the notebooks' cell and the whole run, on copies ----------------------------------------


@pytest.fixture
def course_copy(tmp_path):
    """A copy of the course's notebooks, a README with the markers and a pyproject."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for path in REAL_NOTEBOOKS:
        shutil.copy(path, root / "notebooks" / path.name)
    (root / "README.md").write_text(f"# Course\n\n{START}\n{END}\n\n## More\n", encoding="utf-8")
    write_pyproject(root, f'\n[project.urls]\nRepository = "{GITHUB}"\n')
    return root


def cells_without_ours(text):
    cells = json.loads(text)["cells"]
    return [cell for cell in cells if colab.CELL_TAG not in cell["metadata"].get("tags", [])]


def test_make_colab_adds_the_cell_first_changes_nothing_else_and_twice_is_once(course_copy):
    originals = {p.name: p.read_text(encoding="utf-8") for p in REAL_NOTEBOOKS}
    changed = colab.sync(course_copy)
    assert [p.name for p in changed] == ["README.md", *originals]
    for name, original in originals.items():
        path = course_copy / "notebooks" / name
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert code[0].id == colab.CELL_TAG and code[0].metadata.tags == [colab.CELL_TAG]
        assert code[0].source == colab.cell_source(Course(GITHUB, "1.0.0"))
        assert code[0].outputs == [] and code[0].execution_count is None
        assert cells_without_ours(path.read_text(encoding="utf-8")) == cells_without_ours(
            original
        ), name
    assert "blob/v1.0.0/notebooks/01_explore.ipynb" in (course_copy / "README.md").read_text()

    written = {p: p.read_bytes() for p in course_copy.rglob("*") if p.is_file()}
    assert colab.sync(course_copy) == []
    assert {p: p.read_bytes() for p in course_copy.rglob("*") if p.is_file()} == written


def test_check_reports_what_is_stale_and_writes_nothing(course_copy, capsys):
    before = {p: p.read_bytes() for p in course_copy.rglob("*") if p.is_file()}
    assert colab.main(["--check", "--root", str(course_copy)]) == 1
    out, err = capsys.readouterr()
    assert "README.md: out of date" in out and "notebooks/01_explore.ipynb: out of date" in out
    assert "run `make colab`" in err
    assert {p: p.read_bytes() for p in course_copy.rglob("*") if p.is_file()} == before
    assert colab.main(["--root", str(course_copy)]) == 0
    assert colab.main(["--check", "--root", str(course_copy)]) == 0
    assert "up to date" in capsys.readouterr().out


def test_a_new_version_or_address_updates_the_cell_in_place(course_copy):
    colab.sync(course_copy)
    write_pyproject(course_copy, "", 'version = "1.1.0"')  # and the address unset again
    colab.sync(course_copy)
    path = course_copy / "notebooks" / REAL_NOTEBOOKS[0].name
    ours = [c for c in nbformat.read(path, as_version=4).cells if c.id == colab.CELL_TAG]
    assert len(ours) == 1 and ours[0].source == colab.cell_source(Course("", "1.1.0"))
    assert "no public address" in (course_copy / "README.md").read_text()


def test_a_moved_or_doubled_cell_is_put_back_first_once():
    notebook = nbformat.v4.new_notebook()
    tagged = {"tags": [colab.CELL_TAG]}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("import helpers"),
        nbformat.v4.new_code_cell("old", metadata=dict(tagged)),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_code_cell("older", metadata=dict(tagged)),
    ]
    assert colab.update_notebook(notebook, "new")
    assert [cell.source for cell in notebook.cells] == ["# Title", "new", "import helpers", "x = 1"]
    assert not colab.update_notebook(notebook, "new")


def test_main_names_a_readme_without_markers(course_copy, capsys):
    (course_copy / "README.md").write_text("# Course\n", encoding="utf-8")
    assert colab.main(["--root", str(course_copy)]) == 1
    assert "error: no <!-- colab:start -->" in capsys.readouterr().err


# ---- the cell itself, under a stand-in Colab --------------------------------------------------

STAND_IN_PIP = """\
import json, os, sys
with open(os.environ["FAKE_PIP_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
"""
REQUIREMENTS = 'gradio==6.31.0\n# a comment\nscikit-learn==1.9.1; python_version >= "3.11"\n'


def git(folder, *arguments):
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *arguments],
        cwd=folder,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def course_repository(tmp_path_factory):
    """A git repository shaped like the course: tag v1.0.0, then a newer default branch."""
    repository = tmp_path_factory.mktemp("origin")
    (repository / "helpers").mkdir()
    (repository / "notebooks").mkdir()
    (repository / "notebooks" / "README").write_text("notebooks go here\n")
    (repository / "requirements.txt").write_text(REQUIREMENTS)
    (repository / "helpers" / "__init__.py").write_text('WHERE = "v1.0.0"\n')
    git(repository, "init", "--quiet", "--initial-branch", "main")
    git(repository, "add", ".")
    git(repository, "commit", "--quiet", "-m", "version 1.0.0")
    git(repository, "tag", "v1.0.0")
    (repository / "helpers" / "__init__.py").write_text('WHERE = "main"\n')
    git(repository, "commit", "--quiet", "-am", "newer")
    return repository


@pytest.fixture
def colab_vm(tmp_path):
    """A home folder, a working folder, stand-ins for google.colab and pip, and a runner that
    executes a cell there: run(source, colab=True, bare=False) -> (completed process, state)."""
    home, content, stand_ins = tmp_path / "root", tmp_path / "content", tmp_path / "stand_ins"
    for folder in (home, content, stand_ins / "google" / "colab", stand_ins / "pip"):
        folder.mkdir(parents=True)
    (stand_ins / "google" / "colab" / "__init__.py").write_text("")  # google stays a namespace
    (stand_ins / "pip" / "__main__.py").write_text(STAND_IN_PIP)
    (stand_ins / "pip" / "__init__.py").write_text("")
    without_colab = tmp_path / "pip_only"
    shutil.copytree(stand_ins / "pip", without_colab / "pip")
    pip_log = tmp_path / "pip.log"

    def run(source, colab=True, bare=False, times=1):
        script = tmp_path / "cell.py"
        epilogue = textwrap.dedent(
            """
            _new_names = sorted(set(globals()) - _before - {"_before"})
            import json as _json, os as _os, sys as _sys
            _state = {"cwd": _os.getcwd(), "path0": _sys.path[0], "new_names": _new_names}
            print("STATE " + _json.dumps(_state))
            """
        )
        script.write_text("_before = set(globals())\n" + source * times + epilogue)
        environment = {
            "HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(stand_ins if colab else without_colab),
            "FAKE_PIP_LOG": str(pip_log),
        }
        done = subprocess.run(
            [sys.executable, *(["-S"] if bare else []), str(script)],
            cwd=content,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        state_lines = [line for line in done.stdout.splitlines() if line.startswith("STATE ")]
        state = json.loads(state_lines[-1][6:]) if state_lines else None
        return done, state

    run.home, run.content, run.pip_log = home, content, pip_log
    run.pip_calls = lambda: (
        [json.loads(line) for line in pip_log.read_text().splitlines()] if pip_log.exists() else []
    )
    return run


def where(clone):
    return (clone / "helpers" / "__init__.py").read_text().strip()


def test_on_colab_the_cell_fetches_the_tagged_course_installs_helpers_and_moves_in(
    colab_vm, course_repository
):
    address = f"file://{course_repository}"
    done, state = colab_vm(colab.cell_source(Course(address, "1.0.0")))
    assert done.returncode == 0, done.stderr
    clone = colab_vm.home / "mnist-course"
    assert done.stdout.startswith(f"Fetching the course (v1.0.0) from {address} into {clone} ...")
    assert where(clone) == 'WHERE = "v1.0.0"'
    assert state["cwd"] == str(clone / "notebooks") and state["path0"] == str(clone)
    # everything the notebooks need is installed here: only the course itself is
    assert colab_vm.pip_calls() == [["install", "--quiet", "--no-deps", "--editable", str(clone)]]


def test_a_missing_tag_falls_back_to_the_default_branch_and_says_so(colab_vm, course_repository):
    done, _ = colab_vm(colab.cell_source(Course(f"file://{course_repository}", "9.9.9")))
    assert done.returncode == 0, done.stderr
    assert "No tag v9.9.9 there: using its default branch, which may be newer." in done.stdout
    assert where(colab_vm.home / "mnist-course") == 'WHERE = "main"'


def test_running_the_cell_again_fetches_and_installs_nothing_more(colab_vm, course_repository):
    source = colab.cell_source(Course(f"file://{course_repository}", "1.0.0"))
    done, state = colab_vm(source, times=2)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Fetching the course") == 1
    assert len(colab_vm.pip_calls()) == 1
    assert state["cwd"] == str(colab_vm.home / "mnist-course" / "notebooks")


def test_only_the_packages_colab_lacks_are_installed_pinned_as_in_requirements(
    colab_vm, course_repository
):
    """With ``python -S`` no installed package is visible: all are "missing"."""
    done, _ = colab_vm(colab.cell_source(Course(f"file://{course_repository}", "1.0.0")), bare=True)
    assert done.returncode == 0, done.stderr
    editable, packages = colab_vm.pip_calls()
    assert editable[:3] == ["install", "--quiet", "--no-deps"]
    assert packages[:2] == ["install", "--quiet"] and "--upgrade" not in packages
    assert "gradio==6.31.0" in packages and "scikit-learn==1.9.1" in packages
    assert "tensorflow" in packages  # not pinned in this repository's requirements
    assert "Installing what Colab lacks: tensorflow, keras" in done.stdout


def test_elsewhere_the_cell_does_nothing_and_prints_nothing(colab_vm, course_repository):
    source = colab.cell_source(Course(f"file://{course_repository}", "1.0.0"))
    done, state = colab_vm(source, colab=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and done.stdout.startswith("STATE ")
    assert state == {"cwd": str(colab_vm.content), "path0": state["path0"], "new_names": []}
    assert not (colab_vm.home / "mnist-course").exists() and colab_vm.pip_calls() == []


def test_without_an_address_the_cell_stops_on_colab_saying_how_to_set_one(colab_vm):
    done, _ = colab_vm(colab.cell_source(Course("", "1.0.0")))
    assert done.returncode != 0
    assert "no public address yet: set Repository under [project.urls]" in done.stderr
    assert not (colab_vm.home / "mnist-course").exists() and colab_vm.pip_calls() == []


def test_the_courses_readme_and_notebooks_are_up_to_date():
    assert colab.sync(REPO_ROOT, check=True) == [], "run `make colab`"
