"""course_tools.reporting.pdf: the report and graded notebooks printed to PDF by the machine's
chromium; page counts and text are read back with pypdf."""

import shutil

import nbformat
import pytest
from pypdf import PdfReader

from course_tools.browser import ChromiumNotFound
from course_tools.reporting import pdf, report
from course_tools.reporting.inputs import ReportInputError
from helpers import settings
from helpers.formatting import percent
from tests.course_tools.reporting.report_samples import FIGURES, synthetic_metrics, write_run


def _pages(path):
    return [page.extract_text() for page in PdfReader(path).pages]


def _headings(profile):
    markdown = report.render_report(profile)
    return [line.lstrip("# ") for line in markdown.splitlines() if line.startswith(("# ", "## "))]


# Playwright's sync API runs one browser session at a time: the tests that start their own
# (through main and students_pdfs) come first, before the shared browser below is started.


def test_report_pdf_has_a_page_per_section_and_the_headline_as_text(
    tmp_path, monkeypatch, capsys
):
    profile = write_run(tmp_path)
    monkeypatch.setenv(settings.PROFILE_ENV_VAR, "quick")
    monkeypatch.setenv(settings.OUTPUT_ENV_VAR, str(tmp_path))
    assert pdf.main([]) == 0  # the active profile's report, in its reports folder
    assert "wrote" in capsys.readouterr().out

    path = tmp_path / "reports" / "REPORT.pdf"
    pages = _pages(path)
    headings = _headings(profile)
    # tiny figures: the title page, then one page per section
    assert len(pages) == len(headings)
    for page, heading in zip(pages, headings, strict=True):
        assert page.startswith(heading), (heading, page[:80])
    metrics = synthetic_metrics()
    best = metrics[metrics["best_model"]["name"]]
    assert percent(best["test_accuracy"]) in "".join(pages)
    assert f"1 / {len(pages)}" in pages[0]  # page numbers


def test_a_missing_input_or_browser_is_a_clear_error(tmp_path):
    profile = write_run(tmp_path)
    with pytest.raises(ChromiumNotFound, match="no Chromium at .*apt-get install chromium"):
        pdf.report_pdf(profile, chromium=tmp_path / "no-chromium")
    (profile.metrics_path).unlink()
    with pytest.raises(ReportInputError, match="metrics.json is missing"):
        pdf.report_pdf(profile)
    assert not (profile.reports_dir / "REPORT.pdf").exists()


def _notebook(path, text):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(f"# {path.stem}"),
        nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text=f"{text}\n"),
        ]),
    ])
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def test_each_student_gets_one_pdf_with_a_bookmark_per_notebook(tmp_path):
    executed = tmp_path / "grades" / "autograded"  # nbgrader's layout: <student>/<assignment>/
    _notebook(executed / "alice" / "mnist" / "02_preprocess.ipynb", "alice splits")
    _notebook(executed / "alice" / "mnist" / "01_explore.ipynb", "alice answers 42")
    _notebook(executed / "alice" / "mnist" / ".ipynb_checkpoints" / "01_explore.ipynb",
              "stale checkpoint")
    (executed / "bob").mkdir()
    (executed / "bob" / "01_explore.ipynb").write_text("not a notebook")
    (executed / "carol").mkdir()  # nothing handed in: no PDF
    lines = []

    written = pdf.students_pdfs(executed, log=lines.append)

    out = tmp_path / "grades" / "pdf"
    assert written == [out / "alice.pdf", out / "bob.pdf"]
    alice, bob = (PdfReader(path) for path in written)
    assert [item.title for item in alice.outline] == ["01_explore", "02_preprocess"]
    assert [item.title for item in bob.outline] == ["01_explore"]
    alice_text = "".join(page.extract_text() for page in alice.pages)
    assert "alice answers 42" in alice_text and "alice splits" in alice_text
    assert "stale checkpoint" not in alice_text
    bob_text = "".join(page.extract_text() for page in bob.pages)
    assert "01_explore.ipynb" in bob_text and "could not be rendered" in bob_text
    assert "NotJSONError" in bob_text
    assert any("bob: could not render 01_explore.ipynb" in line for line in lines)


def test_students_pdfs_need_a_grading_folder(tmp_path, capsys):
    with pytest.raises(pdf.PdfError, match="is not a folder"):
        pdf.students_pdfs(tmp_path / "missing")
    (tmp_path / "empty" / "alice").mkdir(parents=True)
    with pytest.raises(pdf.PdfError, match="no student folder with notebooks"):
        pdf.students_pdfs(tmp_path / "empty")
    assert pdf.main(["--students", str(tmp_path / "missing")]) == 1
    assert "is not a folder" in capsys.readouterr().err


# -- with one browser for the rest of the module ----------------------------------------


def test_with_real_figures_every_section_still_starts_a_page(browser, tmp_path):
    profile = write_run(tmp_path)
    for name in FIGURES:  # the committed full run's figures
        shutil.copy2(settings.PROFILES["full"].figures_dir / name, profile.figures_dir / name)
    pages = _pages(pdf.report_pdf(profile, out=tmp_path / "out" / "report.pdf", browser=browser))

    headings = _headings(profile)
    starts = [next(i for i, page in enumerate(pages) if page.startswith(heading))
              for heading in headings]
    assert starts == sorted(starts) and starts[0] == 0
    assert len(pages) > len(headings)  # the figures take pages of their own
    assert all(page.strip() for page in pages)


def test_requests_that_would_leave_the_machine_are_blocked(browser, tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<p>kept on this machine</p><img src="https://cdn.example.org/logo.png">'
                    '<script src="http://cdn.example.org/x.js"></script>')
    blocked = pdf.print_page(browser, page, tmp_path / "page.pdf")
    assert sorted(blocked) == ["http://cdn.example.org/x.js", "https://cdn.example.org/logo.png"]
    assert "kept on this machine" in _pages(tmp_path / "page.pdf")[0]
