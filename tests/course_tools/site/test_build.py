"""course_tools.site: the source folder and a small site built by Sphinx from tiny notebooks
and a synthetic run (the whole course's site is tested in a browser by test_site_browser.py)."""

import re

import nbformat
import pytest

from course_tools import colab
from course_tools.reporting import report
from course_tools.reporting.inputs import load_metrics
from course_tools.reporting.readme_tables import render_results_table
from course_tools.site import build, pages
from tests.course_tools.reporting.report_samples import write_run

GITHUB = "https://github.com/owner/mnist-course"


def _notebook(path, title, printed):
    """An executed notebook whose first code cell is the Colab cell, as `make colab` writes."""
    colab_cell = nbformat.v4.new_code_cell("print('on Colab')", execution_count=1, outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="the Colab cell ran\n"),
    ])
    colab_cell.metadata["tags"] = [colab.CELL_TAG]
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# {title}\n\nThe loss is $$L = -\\log p_y$$"),
        colab_cell,
        nbformat.v4.new_code_cell("print(6 * 7)", execution_count=2, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text=f"{printed}\n"),
        ]),
    ])
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def inputs(tmp_path):
    """Two notebooks (named so that name order and course order differ), a synthetic run with
    its report, and no address."""
    run = write_run(tmp_path / "run")
    report.write_report(run)
    notebooks = [
        _notebook(tmp_path / "nb" / "02_second.ipynb", "Second", "two"),
        _notebook(tmp_path / "nb" / "01_first.ipynb", "First", "one"),
    ]
    return pages.SiteInputs(notebooks, run, colab.Course("", "1.2.0"))


def test_sources_keep_the_given_order_and_leave_the_colab_cell_out(inputs, tmp_path):
    src = tmp_path / "src"
    documents = pages.write_sources(inputs, src)

    assert documents == ["index", "notebooks/02_second", "notebooks/01_first", "results",
                         "report"]  # no benchmark.md in this run: no page
    index = (src / "index.md").read_text()
    assert index.index("notebooks/02_second") < index.index("notebooks/01_first")
    copy = nbformat.read(src / "notebooks" / "02_second.ipynb", as_version=4)
    assert copy.cells[1].metadata["tags"] == [colab.CELL_TAG, pages.HIDDEN]
    assert copy.cells[2].outputs[0].text == "two\n", "outputs are kept as executed"
    original = nbformat.read(inputs.notebooks[0], as_version=4)
    assert original.cells[1].metadata["tags"] == [colab.CELL_TAG]
    assert render_results_table(load_metrics(inputs.run)) in (src / "results.md").read_text()
    assert (src / "figures" / "04_learning_curves.png").is_file()

    (inputs.run.reports_dir / report.REPORT_NAME).unlink()
    (inputs.run.reports_dir / report.BENCHMARK_NAME).write_text("# Benchmark\n")
    again = pages.write_sources(
        pages.SiteInputs(inputs.notebooks[1:], inputs.run, inputs.course), src
    )
    assert again == ["index", "notebooks/01_first", "results", "benchmark"]
    assert not (src / "report.md").exists(), "the folder is written anew"
    assert not (src / "notebooks" / "02_second.ipynb").exists()


def test_a_frame_of_a_server_the_run_started_becomes_a_line_saying_so(tmp_path):
    path = _notebook(tmp_path / "08_app.ipynb", "App", "served")
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[2].outputs.append(nbformat.v4.new_output("display_data", data={
        "text/html": '<div><iframe src="http://127.0.0.1:7860/" width="100%"></iframe></div>',
        "text/plain": "<IPython.core.display.HTML object>",
    }))
    nbformat.write(notebook, path)

    pages.copy_notebook(path, tmp_path / "copy.ipynb")

    outputs = nbformat.read(tmp_path / "copy.ipynb", as_version=4).cells[2].outputs
    assert outputs[0].text == "served\n"
    assert outputs[1].output_type == "stream" and "iframe" not in str(outputs[1])
    assert "http://127.0.0.1:7860/" in outputs[1].text and "run the notebook" in outputs[1].text


def test_without_an_address_pages_say_how_to_run_them_and_have_no_launch_button():
    options = build.theme_options(colab.Course("", "1.2.0"))
    assert "launch_buttons" not in options and "repository_url" not in options
    assert "make lab" in options["announcement"]
    assert "no public address" in options["announcement"]


def test_a_gitlab_address_gets_binder_but_not_colab():
    options = build.theme_options(colab.Course("https://gitlab.com/owner/mnist", "1.2.0"))
    assert set(options["launch_buttons"]) == {"binderhub_url", "notebook_interface"}


def test_site_pages_hold_outputs_math_and_launch_links_at_the_version_tag(inputs, tmp_path):
    course = colab.Course(GITHUB, "1.2.0")
    index = build.build_site(pages.SiteInputs(inputs.notebooks, inputs.run, course),
                             tmp_path / "site")

    html = index.parent
    page = (html / "notebooks" / "01_first.html").read_text()
    assert "one" in page and "the Colab cell ran" not in page
    assert 'class="math' in page and "_static/mathjax/tex-svg.js" in page
    assert (html / "_static" / "mathjax" / "tex-svg.js").is_file()
    links = set(re.findall(r'href="(https://[^"]+)"', page))
    assert colab.colab_url(course, "notebooks/01_first.ipynb") in links
    binder = f"{build.BINDER}/v2/gh/owner/mnist-course/v1.2.0"
    assert f"{binder}?urlpath=lab/tree/notebooks/01_first.ipynb" in links
    assert "rocket button" in page and "version 1.2.0" in page
    # course order: the first page leads to 02_second, which leads to 01_first
    assert 'href="notebooks/02_second.html"' in index.read_text()
    second = (html / "notebooks" / "02_second.html").read_text()
    assert re.search(r'class="right-next"\s+href="01_first.html"', second)
