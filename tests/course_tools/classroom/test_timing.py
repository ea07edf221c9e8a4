"""Where grading time went, from the executed notebooks' cell stamps."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_tools.classroom import timing


def stamped(source, start, end):
    cell = new_code_cell(source)
    cell.metadata["execution"] = {
        "iopub.status.busy": f"2030-01-01T10:00:{start:06.3f}Z",
        "shell.execute_reply": f"2030-01-01T10:00:{end:06.3f}Z",
    }
    return cell


def test_report_adds_up_cells_and_the_gaps_between_notebooks(tmp_path, capsys):
    first = new_notebook(cells=[stamped("import numpy", 0, 4), new_markdown_cell("text"),
                                stamped("\n\nfit()", 4, 10)])
    second = new_notebook(cells=[stamped("import keras", 13, 15), new_code_cell("not run")])
    nbformat.write(first, tmp_path / "01_a.ipynb")
    nbformat.write(second, tmp_path / "02_b.ipynb")
    times = timing.folder_times(tmp_path)
    assert [t.cell_seconds for t in times] == [10.0, 2.0]
    assert [(c.index, c.seconds, c.first_line) for c in times[0].slowest(1)] == [(2, 6.0, "fit()")]
    table = timing.report(times, top=1)
    assert "| 01_a | 10.0 | - | [2] 6.0 `fit()` |" in table
    assert "| 02_b | 2.0 | 3.0 |" in table
    assert "| **all** | 12.0 | 3.0 outside cells | first cell to last: 15.0 |" in table
    assert timing.main([str(tmp_path)]) == 0 and "02_b" in capsys.readouterr().out
    assert timing.main([str(tmp_path / "empty")]) == 2


def test_notebooks_graded_beside_others_have_no_gap_and_overlaps_are_counted_once(tmp_path):
    """Two lanes: 02 ran while 01 did; the time outside cells is when no cell ran."""
    nbformat.write(new_notebook(cells=[stamped("a", 0, 6)]), tmp_path / "01_a.ipynb")
    nbformat.write(new_notebook(cells=[stamped("b", 2, 4), stamped("c", 5, 8)]),
                   tmp_path / "02_b.ipynb")
    nbformat.write(new_notebook(cells=[stamped("d", 10, 11)]), tmp_path / "03_c.ipynb")
    times = timing.folder_times(tmp_path)
    assert timing.busy_seconds(times) == 9.0  # 0-8 and 10-11
    table = timing.report(times, top=1)
    assert "| 02_b | 5.0 | beside |" in table
    assert "| 03_c | 1.0 | 2.0 |" in table
    assert ("| **all** | 12.0 | 2.0 outside cells | first cell to last: 11.0; 3.0 s of cells "
            "beside others |") in table
