"""``make colab``: "Open in Colab" links in the README and a Colab set-up cell in each notebook.

Usage::

    python -m course_tools.colab [--check] [--root DIR]

The course's public address is kept in one place: ``Repository`` under ``[project.urls]`` in
pyproject.toml (a fork or a teacher's copy puts its own there). From it and the project's
``version``, this writes

- between ``<!-- colab:start -->`` and ``<!-- colab:end -->`` in README.md, a link per notebook
  that opens it on Colab at the git tag ``v<version>`` (Colab opens notebooks from GitHub only),
  or, while no address is set, a line saying how to set one;
- in each notebook, a first code cell (tagged ``colab-setup``, from colab_cell.template beside
  this file) that on Colab only clones the course at tag ``v<version>`` (its default branch
  when the tag is missing, saying so), installs ``helpers`` with ``pip --no-deps --editable``
  and, pinned as in requirements.txt, only the packages Colab lacks, then changes into
  notebooks/ and puts the course on ``sys.path``. Anywhere else the cell does nothing.

Files already up to date are left untouched, so a second run changes nothing. ``--check``
writes nothing and exits with 1 when something is out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from string import Template

import nbformat

from helpers.settings import REPO_ROOT

START, END = "<!-- colab:start -->", "<!-- colab:end -->"
CELL_TEMPLATE = Path(__file__).with_name("colab_cell.template")
CELL_TAG = "colab-setup"  # the cell's id and its tag: how a later run finds it
_GITHUB = re.compile(r"^(?:https://github\.com/|git@github\.com:)([\w.-]+/[\w.-]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class Course:
    """What the links and the cell are made from: pyproject.toml's address and version."""

    repository: str  # "" while the course has no public address
    version: str

    @property
    def tag(self) -> str:
        return f"v{self.version}"


def read_course(pyproject: Path) -> Course:
    """The ``Repository`` URL of ``[project.urls]`` (may be missing) and the version."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    repository = project.get("urls", {}).get("Repository", "")
    if not isinstance(repository, str):
        raise ValueError(f"{pyproject}: [project.urls] Repository must be a URL string")
    if not isinstance(project.get("version"), str):
        raise ValueError(f"{pyproject}: [project] has no version for the Colab cell to fetch")
    return Course(repository.strip(), project["version"])


def github_path(repository: str) -> str | None:
    """``owner/name`` of a GitHub repository address (https or ssh), else None."""
    found = _GITHUB.match(repository)
    return found.group(1) if found else None


def colab_url(course: Course, notebook: str) -> str:
    """The address that opens ``notebook`` (a path in the repository) on Colab."""
    path = github_path(course.repository)
    if path is None:
        raise ValueError(f"Colab opens notebooks from GitHub only, not {course.repository!r}")
    return f"https://colab.research.google.com/github/{path}/blob/{course.tag}/{notebook}"


def readme_section(course: Course, notebooks: list[str]) -> str:
    """What goes between the README's markers, for notebooks given as repository paths."""
    if not course.repository:
        return (
            'No "Open in Colab" links yet: the course has no public address. A fork or a '
            "teacher's copy sets its own\nunder `[project.urls]` in pyproject.toml "
            '(`Repository = "https://github.com/OWNER/NAME"`), then runs `make colab`.'
        )
    if github_path(course.repository) is None:
        return (
            f"Colab opens notebooks from GitHub only, and the course lives at "
            f"{course.repository}:\nupload a notebook to Colab by hand; its first cell "
            "fetches the course from there."
        )
    links = " ·\n".join(f"[{Path(nb).stem}]({colab_url(course, nb)})" for nb in notebooks)
    return (
        f"Open a notebook on Google Colab (version {course.version}; its first cell fetches the "
        f"course and installs its helpers,\nkeeping Colab's TensorFlow):\n{links}"
    )


def update_readme(text: str, section: str) -> str:
    """``text`` with ``section`` between the Colab markers (ValueError when they are missing)."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(
            f"no {START} ... {END} markers in the README: put them where the links should go"
        )
    return f"{text[: start + len(START)]}\n{section}\n{text[end:]}"


def cell_source(course: Course) -> str:
    """The Colab cell's code: the template with the address and version filled in."""
    template = Template(CELL_TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(repository=repr(course.repository), version=course.version)


def update_notebook(notebook: nbformat.NotebookNode, source: str) -> bool:
    """Make the Colab cell, with ``source``, the notebook's first code cell; True if changed."""
    cells = notebook.cells
    ours = [i for i, cell in enumerate(cells) if CELL_TAG in cell.metadata.get("tags", [])]
    before = nbformat.writes(notebook)
    cell = cells.pop(ours[0]) if ours else nbformat.v4.new_code_cell(id=CELL_TAG)
    if (notebook.nbformat, notebook.nbformat_minor) < (4, 5):
        cell.pop("id", None)  # cell ids came with nbformat 4.5
    for duplicate in reversed(ours[1:]):
        cells.pop(duplicate - 1)
    if cell.source != source:  # a new address or version: what the old cell printed is stale
        cell.source, cell.outputs, cell.execution_count = source, [], None
    cell.metadata["tags"] = [CELL_TAG]
    # Folded in JupyterLab, a one-line form on Colab: the lesson starts with the next cell.
    cell.metadata["jupyter"] = {"source_hidden": True}
    cell.metadata["cellView"] = "form"
    first_code = next((i for i, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    cells.insert(first_code, cell)
    return nbformat.writes(notebook) != before


def course_notebooks(root: Path) -> list[Path]:
    """The course's notebooks in order (``notebooks/0*.ipynb``)."""
    return sorted((root / "notebooks").glob("0*.ipynb"))


def sync(root: Path = REPO_ROOT, check: bool = False) -> list[Path]:
    """Bring the README and the notebooks under ``root`` up to date (or, with ``check``, only
    see whether they are); the files that changed, or would."""
    course = read_course(root / "pyproject.toml")
    notebooks = course_notebooks(root)
    stale = []
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    section = readme_section(course, [p.relative_to(root).as_posix() for p in notebooks])
    updated = update_readme(text, section)
    if updated != text:
        stale.append(readme)
        if not check:
            readme.write_text(updated, encoding="utf-8")
    source = cell_source(course)
    for path in notebooks:
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if update_notebook(notebook, source):
            stale.append(path)
            if not check:
                nbformat.write(notebook, path)
    return stale


def main(argv: list[str] | None = None) -> int:
    """Run the command line; 1 when ``--check`` finds something out of date or input is bad."""
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.colab",
        description="Write the README's Open-in-Colab links and each notebook's Colab cell.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="the course's folder")
    args = parser.parse_args(argv)
    try:
        stale = sync(args.root, check=args.check)
    except (OSError, ValueError) as exc:  # TOMLDecodeError and NotJSONError are ValueErrors
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in stale:
        verb = "out of date" if args.check else "updated"
        print(f"{path.relative_to(args.root).as_posix()}: {verb}")
    if args.check and stale:
        print("run `make colab` to bring them up to date", file=sys.stderr)
        return 1
    if not stale:
        print("README.md and the notebooks are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
