"""Export the executed notebooks and the report to HTML, for reading without Jupyter.

From the command line::

    python -m course_tools.reporting.html [--profile full|quick] [--out scratch/html]

writes ``index.html`` (links to everything), ``REPORT.html`` with its ``figures/`` beside it,
and ``notebooks/<name>.html`` for every notebook in ``notebooks/`` that has been executed.
Notebooks go through nbconvert's HTML exporter, the report through mistune (nbconvert's own
Markdown parser).
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from course_tools.reporting.report import REPORT_NAME
from helpers.settings import PROFILES, REPO_ROOT, Profile, active_profile, relative_to_repo

DEFAULT_OUT = REPO_ROOT / "scratch" / "html"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
PAGE = Path(__file__).with_name("page.html")  # fields: {title}, {body}


def _page(title: str, body: str) -> str:
    """The page template filled in; its braces are CSS, so the fields are replaced by name."""
    template = PAGE.read_text(encoding="utf-8")
    return template.replace("{title}", title).replace("{body}", body)


@dataclass
class HtmlExport:
    """What an export wrote (paths inside ``out``) and what it skipped."""

    out: Path
    profile: str
    notebooks: list[Path] = field(default_factory=list)
    not_executed: list[str] = field(default_factory=list)
    report: Path | None = None


def is_executed(notebook_path: Path) -> bool:
    """True when at least one code cell of the notebook has been run."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    return any(
        cell.cell_type == "code" and (cell.get("execution_count") or cell.get("outputs"))
        for cell in notebook.cells
    )


def notebook_to_html(notebook_path: Path, out_path: Path) -> Path:
    """Write one notebook, with its outputs, as a standalone HTML page."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(notebook_path, as_version=4)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(body, encoding="utf-8")
    return out_path


def markdown_to_html(text: str, title: str) -> str:
    """A Markdown document (GitHub tables included) as a standalone HTML page."""
    import mistune

    render = mistune.create_markdown(plugins=["table", "strikethrough", "url"])
    return _page(html.escape(title), render(text))


def report_to_html(reports_dir: Path, out: Path) -> Path:
    """``REPORT.md`` as ``out/REPORT.html``, with ``figures/`` copied so its images show."""
    report = reports_dir / REPORT_NAME
    text = report.read_text(encoding="utf-8")
    figures = reports_dir / "figures"
    if figures.is_dir():
        shutil.copytree(figures, out / "figures", dirs_exist_ok=True)
    target = out / "REPORT.html"
    target.write_text(markdown_to_html(text, "MNIST course: the report"), encoding="utf-8")
    return target


def _index(export: HtmlExport, reports_dir: Path) -> str:
    lines = ["<h1>MNIST course: HTML export</h1>", "<h2>Report</h2>"]
    if export.report:
        lines.append('<p><a href="REPORT.html">The report</a> (from REPORT.md)</p>')
    else:
        lines.append(
            f"<p>No report yet: {html.escape(relative_to_repo(reports_dir / REPORT_NAME))} is "
            "missing; build it with <code>python -m course_tools.reporting.report --profile "
            f"{html.escape(export.profile)}</code>.</p>"
        )
    lines.append("<h2>Notebooks</h2>\n<ul>")
    for page in export.notebooks:
        link = page.relative_to(export.out).as_posix()
        lines.append(f'<li><a href="{link}">{html.escape(page.stem)}</a></li>')
    for name in export.not_executed:
        lines.append(f"<li>{html.escape(name)} (not executed yet, so not exported)</li>")
    lines.append("</ul>")
    return _page("MNIST course", "\n".join(lines))


def export_html(
    profile: Profile, out: Path = DEFAULT_OUT, notebooks_dir: Path = NOTEBOOKS_DIR
) -> HtmlExport:
    """Export the executed notebooks and the profile's report into ``out``, with an index."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    export = HtmlExport(out, profile.name)
    for notebook in sorted(Path(notebooks_dir).glob("*.ipynb")):
        if is_executed(notebook):
            export.notebooks.append(
                notebook_to_html(notebook, out / "notebooks" / f"{notebook.stem}.html")
            )
        else:
            export.not_executed.append(notebook.name)
    if (profile.reports_dir / REPORT_NAME).is_file():
        export.report = report_to_html(profile.reports_dir, out)
    (out / "index.html").write_text(_index(export, profile.reports_dir), encoding="utf-8")
    return export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_tools.reporting.html",
                                     description="Export the notebooks and the report to HTML.")
    parser.add_argument("--profile", choices=sorted(PROFILES),
                        help="whose report to export (default: MNIST_COURSE_PROFILE, else full)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default: scratch/html)")
    args = parser.parse_args(argv)
    profile = PROFILES[args.profile] if args.profile else active_profile()
    export = export_html(profile, args.out)
    report = " and the report" if export.report else (
        f" (no report: run python -m course_tools.reporting.report --profile {profile.name})"
    )
    print(f"wrote {len(export.notebooks)} notebooks{report}"
          f" to {relative_to_repo(export.out / 'index.html')}")
    for name in export.not_executed:
        print(f"skipped {name}: not executed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
