"""The report as one PDF, and each graded student's executed notebooks as one PDF, printed by
the machine's chromium (driven by Playwright; no browser is downloaded and no request leaves
the machine: anything but local files is blocked).

From the command line::

    python -m course_tools.reporting.pdf [--profile full|quick] [--out FILE]
    python -m course_tools.reporting.pdf --students GRADED [--out FOLDER]

The first writes ``REPORT.pdf`` beside the profile's metrics file: the report rendered from
``metrics.json`` and the figures (as ``REPORT.md`` is), every section on a new page. The second
takes a folder with one folder per student holding that student's executed notebooks, at any
depth (a grading run's, e.g. nbgrader's ``autograded/``), and writes ``<student>.pdf`` for each
into ``--out`` (default: ``pdf/`` beside ``GRADED``): the notebooks in name order, a bookmark
each; a notebook that cannot be read becomes a page that says why. ``--chromium PATH`` picks
another Chromium than Debian's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from course_tools.browser import LOCAL_SCHEMES, ChromiumNotFound, offline_browser
from course_tools.reporting.html import markdown_to_html, notebook_to_html
from course_tools.reporting.inputs import ReportInputError
from course_tools.reporting.report import render_report
from helpers.settings import PROFILES, Profile, active_profile, relative_to_repo

REPORT_PDF = "REPORT.pdf"
# Added to the report's page for printing: each section on a new page, a caption kept with its
# figure, figures and tables never split.
REPORT_PRINT_CSS = """
body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; font-variant-ligatures: none; }
h2 { break-before: page; }
h1, h2, h3 { break-after: avoid; }
p:has(+ p > img) { break-after: avoid; }
img { display: block; margin: 0 auto; max-height: 150mm; break-inside: avoid; }
table { font-size: 9pt; break-inside: avoid; }
th, td { padding: 0.15rem 0.4rem; }
table code { font-size: 7.5pt; }
"""
# Added to a notebook's page (nbconvert's lab template) for printing: long code lines wrap
# instead of running off the page, figures are never split.
NOTEBOOK_PRINT_CSS = """
body { font-variant-ligatures: none; }  /* the text of the PDF reads "fi", not a ligature */
pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
.jp-Notebook { padding: 0 !important; }
.jp-OutputArea-output img { max-width: 100%; break-inside: avoid; }
"""
FOOTER = ('<div style="width: 100%; text-align: center; font-size: 8px; color: #666;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


class PdfError(RuntimeError):
    """The PDF cannot be made: no browser, nothing to print."""


def print_page(browser, page_path: Path, pdf_path: Path, css: str = "") -> list[str]:
    """Print the local page ``page_path`` (with ``css`` added) to ``pdf_path`` in A4 with page
    numbers; return the URLs it asked for outside the machine, which were blocked."""
    blocked: list[str] = []
    page = browser.new_page()
    try:
        def route(request_route):
            url = request_route.request.url
            if url.startswith(LOCAL_SCHEMES):
                request_route.continue_()
            else:
                blocked.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.goto(Path(page_path).resolve().as_uri(), wait_until="load")
        if css:
            page.add_style_tag(content=css)
        page.emulate_media(media="print")
        Path(pdf_path).parent.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(pdf_path), format="A4", print_background=True,
                 display_header_footer=True, header_template="<div></div>",
                 footer_template=FOOTER, margin={"top": "14mm", "bottom": "16mm",
                                                 "left": "15mm", "right": "15mm"})
    finally:
        page.close()
    return blocked


def report_pdf(profile: Profile, out: Path | None = None, chromium: Path | None = None,
               browser=None) -> Path:
    """The report of ``profile``'s run as one PDF (default: ``REPORT.pdf`` beside its
    metrics file), printed by ``browser`` or a Chromium started for it; a missing input stops
    it with the notebook to run."""
    text = render_report(profile)
    out = Path(out) if out is not None else profile.reports_dir / REPORT_PDF
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        shutil.copytree(profile.figures_dir, folder / "figures")
        page = folder / "REPORT.html"
        page.write_text(markdown_to_html(text, "MNIST course: the report"), encoding="utf-8")
        if browser is not None:
            print_page(browser, page, out, REPORT_PRINT_CSS)
        else:
            with offline_browser(chromium) as started:
                print_page(started, page, out, REPORT_PRINT_CSS)
    return out


def _unreadable_page(notebook: Path, error: Exception) -> str:
    return markdown_to_html(
        f"# {notebook.name}\n\nThis notebook could not be rendered:\n\n"
        f"```\n{type(error).__name__}: {error}\n```\n",
        notebook.name,
    )


def find_notebooks(folder: Path) -> list[Path]:
    """The notebooks anywhere in ``folder`` (checkpoints left out), in name order."""
    found = [path for path in Path(folder).rglob("*.ipynb")
             if ".ipynb_checkpoints" not in path.parts]
    return sorted(found, key=lambda path: (path.name, path.as_posix()))


def notebooks_pdf(browser, folder: Path, out: Path) -> tuple[Path, list[str]]:
    """The notebooks of ``folder``, in name order, as one PDF with a bookmark per notebook;
    return it and the notebooks that could not be rendered (each has a page saying why)."""
    from pypdf import PdfWriter

    notebooks = find_notebooks(folder)
    if not notebooks:
        raise PdfError(f"{relative_to_repo(folder)} holds no notebooks (*.ipynb)")
    failed = []
    writer = PdfWriter()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for number, notebook in enumerate(notebooks):
            page = scratch / f"{number:02d}_{notebook.stem}.html"
            try:
                notebook_to_html(notebook, page)
            except Exception as error:  # a broken submission must not stop the others
                failed.append(f"{notebook.name}: {type(error).__name__}: {error}")
                page.write_text(_unreadable_page(notebook, error), encoding="utf-8")
            printed = page.with_suffix(".pdf")
            print_page(browser, page, printed, NOTEBOOK_PRINT_CSS)
            writer.append(str(printed), outline_item=notebook.stem)
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as stream:
            writer.write(stream)
    return out, failed


def students_pdfs(graded_dir: Path, out_dir: Path | None = None,
                  chromium: Path | None = None, log=print) -> list[Path]:
    """One PDF per student folder of ``graded_dir`` (of a grading run), written to ``out_dir``
    (default: ``pdf/`` beside ``graded_dir``) as ``<student>.pdf``."""
    graded_dir = Path(graded_dir)
    if not graded_dir.is_dir():
        raise PdfError(f"{relative_to_repo(graded_dir)} is not a folder: give the folder of a "
                       "grading run that holds one folder per student with their notebooks")
    students = sorted(d for d in graded_dir.iterdir() if d.is_dir() and find_notebooks(d))
    if not students:
        raise PdfError(f"{relative_to_repo(graded_dir)} has no student folder with notebooks")
    out_dir = Path(out_dir) if out_dir is not None else graded_dir.parent / "pdf"
    written = []
    with offline_browser(chromium) as browser:
        for student in students:
            path, failed = notebooks_pdf(browser, student, out_dir / f"{student.name}.pdf")
            written.append(path)
            log(f"wrote {relative_to_repo(path)}")
            for problem in failed:
                log(f"  {student.name}: could not render {problem}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.reporting.pdf",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES),
                        help="whose report to print (default: MNIST_COURSE_PROFILE, else full)")
    parser.add_argument("--students", type=Path, metavar="GRADED",
                        help="print each student's executed notebooks instead: a folder with "
                             "one folder per student")
    parser.add_argument("--out", type=Path,
                        help="the PDF (report) or the folder of PDFs (--students)")
    parser.add_argument("--chromium", type=Path, help="the browser (default: Debian's chromium)")
    args = parser.parse_args(argv)
    try:
        if args.students:
            students_pdfs(args.students, args.out, args.chromium)
            return 0
        profile = PROFILES[args.profile] if args.profile else active_profile()
        path = report_pdf(profile, args.out, args.chromium)
    except (PdfError, ChromiumNotFound, ReportInputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {relative_to_repo(path)} ({profile.name} profile)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
