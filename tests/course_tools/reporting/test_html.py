"""course_tools.reporting.html: a notebook and a Markdown document as standalone pages."""

import nbformat

from course_tools.reporting import html as html_pages


def test_a_notebook_page_holds_its_text_and_outputs(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# A tiny notebook"),
        nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="answer 42\n"),
        ]),
    ])
    nbformat.write(notebook, tmp_path / "01_tiny.ipynb")
    page = html_pages.notebook_to_html(tmp_path / "01_tiny.ipynb", tmp_path / "out" / "01.html")
    text = page.read_text()
    assert "answer 42" in text and "A tiny notebook" in text


def test_markdown_tables_and_title_are_rendered():
    page = html_pages.markdown_to_html("# Report\n\n| a | b |\n|---|---:|\n| 1 | 2 |\n", "R & D")
    assert "<title>R &amp; D</title>" in page
    assert "<table>" in page and "<h1>Report</h1>" in page
