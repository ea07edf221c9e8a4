"""A Markdown document or an executed notebook as one standalone HTML page, which
:mod:`course_tools.reporting.pdf` prints. (The course as a website is :mod:`course_tools.site`.)

Notebooks go through nbconvert's HTML exporter, Markdown through mistune (nbconvert's own
Markdown parser) into ``page.html``.
"""

from __future__ import annotations

import html
from pathlib import Path

PAGE = Path(__file__).with_name("page.html")  # fields: {title}, {body}


def _page(title: str, body: str) -> str:
    """The page template filled in; its braces are CSS, so the fields are replaced by name."""
    template = PAGE.read_text(encoding="utf-8")
    return template.replace("{title}", title).replace("{body}", body)


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
