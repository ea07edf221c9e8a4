"""The source folder the site is built from: the course's notebooks as executed, in course
order, the results table of ``metrics.json``, the report with its figures, the benchmark when
``make bench`` has run, and a home page whose tables of contents list them in that order.

Nothing here runs a notebook: the copies keep the outputs they were committed with, but for
two changes. The Colab set-up cell (:mod:`course_tools.colab`) gets myst-nb's ``remove-cell``
tag, since on the site each page has launch buttons instead; and an output that framed a page
served on the machine during the run (notebook 08's drawing app, on 127.0.0.1) becomes a line
saying so: that server is gone, and the frame would ask the reader's own machine for it.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_tools.colab import CELL_TAG, Course
from course_tools.reporting.inputs import load_metrics
from course_tools.reporting.readme_tables import render_results_table
from course_tools.reporting.report import BENCHMARK_NAME, REPORT_NAME
from helpers.settings import Profile

TITLE = "Handwritten digits with deep learning: an MNIST course"
HIDDEN = "remove-cell"  # myst-nb leaves a cell with this tag out of the page
NOTEBOOKS = "notebooks"  # where the copies go in the source folder, as in the repository
LOCAL_FRAME = re.compile(r'<iframe[^>]*\ssrc="(https?://(?:127\.0\.0\.1|localhost)[:/][^"]*)"')


@dataclass(frozen=True)
class SiteInputs:
    """What the site shows: notebooks in course order, the run whose results and report it
    shows, and the course's address and version (for the launch buttons)."""

    notebooks: list[Path]
    run: Profile
    course: Course


def copy_notebook(source: Path, target: Path) -> None:
    """Copy an executed notebook, its Colab cell tagged to be left out and its frames of local
    servers replaced."""
    notebook = nbformat.read(source, as_version=nbformat.NO_CONVERT)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if CELL_TAG in tags and HIDDEN not in tags:
            cell.metadata["tags"] = [*tags, HIDDEN]
        for index, output in enumerate(cell.get("outputs", [])):
            found = LOCAL_FRAME.search(str(output.get("data", {}).get("text/html", "")))
            if found:
                cell.outputs[index] = nbformat.v4.new_output(
                    "stream", name="stdout",
                    text=f"[here the notebook showed {found.group(1)}, served on the machine "
                    "that ran it while the cell ran: run the notebook to see it]\n",
                )
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)


def run_note(course: Course) -> str:
    """How to run a page, shown at the top of every page (HTML)."""
    local = "on your own machine, clone the course and run <code>make lab</code>"
    if not course.repository:
        return (
            f"Run a notebook {local}. No Colab or Binder buttons yet: the course has no public "
            "address (<code>Repository</code> under <code>[project.urls]</code> in "
            "pyproject.toml)."
        )
    return (
        f"Run a notebook from the rocket button at the top of its page (version {course.version}), "
        f"or {local}."
    )


def results_page(run: Profile) -> str:
    """The results table of the run's ``metrics.json``, as on the README."""
    table = render_results_table(load_metrics(run))
    return (
        "# Results\n\n"
        f"Measured by the {run.name} run of the notebooks; every number comes from its "
        "`metrics.json`.\n\n"
        f"{table}\n"
    )


def home_page(notebooks: list[str], results: list[str]) -> str:
    """The home page: the notebooks, then the results pages, as tables of contents (the
    sidebar and the previous / next links follow them)."""

    def toctree(caption: str, documents: list[str]) -> str:
        entries = "\n".join(documents)
        return f"```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n\n{entries}\n```\n"

    return (
        f"# {TITLE}\n\n"
        "Recognise handwritten digits with TensorFlow/Keras, one step at a time, in ordered "
        "Jupyter notebooks that run on a laptop CPU. Each page below is a notebook as the "
        "course's full run executed it, with its outputs.\n\n"
        + toctree("The course", notebooks)
        + "\n"
        + toctree("The results", results)
    )


def write_sources(inputs: SiteInputs, src: Path) -> list[str]:
    """Write the source folder ``src`` (emptied first); the documents of the site in order
    (``index`` first)."""
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    notebooks = []
    for path in inputs.notebooks:
        copy_notebook(path, src / NOTEBOOKS / path.name)
        notebooks.append(f"{NOTEBOOKS}/{path.stem}")
    (src / "results.md").write_text(results_page(inputs.run), encoding="utf-8")
    results = ["results"]
    reports = inputs.run.reports_dir
    if (reports / REPORT_NAME).is_file():
        shutil.copyfile(reports / REPORT_NAME, src / "report.md")
        if inputs.run.figures_dir.is_dir():
            shutil.copytree(inputs.run.figures_dir, src / "figures")
        results.append("report")
    if (reports / BENCHMARK_NAME).is_file():
        shutil.copyfile(reports / BENCHMARK_NAME, src / "benchmark.md")
        results.append("benchmark")
    (src / "index.md").write_text(home_page(notebooks, results), encoding="utf-8")
    return ["index", *notebooks, *results]
