"""course_tools.reporting.html: executed notebooks and the report become linked HTML pages."""

import re

import nbformat

from course_tools.reporting import html as html_export
from course_tools.reporting import report
from tests.course_tools.reporting.report_samples import write_run


def _notebooks(folder):
    folder.mkdir()
    executed = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A tiny notebook"),
        nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="answer 42\n"),
        ]),
    ])
    blank = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nbformat.write(executed, folder / "01_tiny.ipynb")
    nbformat.write(blank, folder / "02_blank.ipynb")
    return folder


def test_export_writes_notebooks_report_figures_and_index(tmp_path):
    profile = write_run(tmp_path / "run")
    report.write_report(profile)
    out = tmp_path / "html"
    export = html_export.export_html(profile, out, _notebooks(tmp_path / "notebooks"))

    assert export.notebooks == [out / "notebooks" / "01_tiny.html"]
    assert export.not_executed == ["02_blank.ipynb"]
    page = (out / "notebooks" / "01_tiny.html").read_text()
    assert "answer 42" in page and "A tiny notebook" in page

    html = (out / "REPORT.html").read_text()
    assert "<table>" in html and "Quick CI profile" in html
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 20
    for src in images:
        assert src.startswith("figures/") and (out / src).is_file(), src

    index = (out / "index.html").read_text()
    assert 'href="REPORT.html"' in index
    assert 'href="notebooks/01_tiny.html"' in index
    assert "02_blank.ipynb (not executed yet" in index


def test_index_says_how_to_build_a_missing_report(tmp_path):
    profile = write_run(tmp_path / "run")
    out = tmp_path / "html"
    export = html_export.export_html(profile, out, _notebooks(tmp_path / "notebooks"))
    assert export.report is None and not (out / "REPORT.html").exists()
    index = (out / "index.html").read_text()
    assert "python -m course_tools.reporting.report --profile quick" in index
