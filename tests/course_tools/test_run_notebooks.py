"""course_tools.run_notebooks: notebooks run in order with progress; a failure is one line, keeps
the executed part, and the run resumes from that notebook."""

import re
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_tools import run_notebooks
from helpers.settings import REPO_ROOT


def write(folder, name, *sources):
    """A notebook of plain-Python code cells (and one markdown cell), with stale outputs."""
    cells = [new_markdown_cell(f"# {name}")]
    for source in sources:
        cell = new_code_cell(source)
        cell.outputs = [nbformat.v4.new_output("stream", text="stale output\n")]
        cell.execution_count = 99
        cells.append(cell)
    path = folder / f"{name}.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


@pytest.fixture
def course(tmp_path):
    """Three notebooks; the second fails at its second code cell until 'fixed' exists."""
    flag = tmp_path / "fixed"
    return [
        write(tmp_path, "01_first", "print('epoch 1/2  loss 0.5')\nprint('epoch 2/2  loss 0.2')"),
        write(
            tmp_path,
            "02_second",
            "value = 41",
            f"import pathlib\n"
            f"assert pathlib.Path({str(flag)!r}).exists(), 'accuracy 0.1 is below 0.9'",
            "print(value + 1)",
        ),
        write(tmp_path, "03_third", "print('third done')"),
    ], flag


def outputs_of(path):
    nb = nbformat.read(path, as_version=4)
    return [
        (cell.execution_count, "".join(o.get("text", "") for o in cell.outputs))
        for cell in nb.cells
        if cell.cell_type == "code"
    ]


def test_select_starts_at_the_named_notebook():
    notebooks = run_notebooks.course_notebooks()
    assert [p.stem[:2] for p in notebooks] == ["01", "02", "03", "04", "05", "06", "07", "08"]
    assert run_notebooks.select(notebooks, "06")[0].stem == "06_improve"
    assert run_notebooks.select(notebooks, "06_improve.ipynb")[0].stem == "06_improve"
    assert run_notebooks.select(notebooks, None) == notebooks
    with pytest.raises(run_notebooks.RunError, match="no notebook starts with '09'"):
        run_notebooks.select(notebooks, "09")


def test_a_run_executes_in_order_streams_the_output_and_measures_memory(course, capsys):
    paths, flag = course
    flag.touch()
    runs = run_notebooks.run(paths)
    assert [run.path for run in runs] == paths
    assert all(run.peak_memory_bytes > 10_000_000 for run in runs)  # a kernel takes tens of MB
    assert outputs_of(paths[0]) == [(1, "epoch 1/2  loss 0.5\nepoch 2/2  loss 0.2\n")]
    assert outputs_of(paths[1])[-1] == (3, "42\n")
    lines = [line.strip() for line in re.split(r"[\r\n]", capsys.readouterr().out)]
    streamed = [line for line in lines if line.startswith("epoch")]
    assert streamed == ["epoch 1/2  loss 0.5", "epoch 2/2  loss 0.2"]  # as the cell printed them
    assert any(line.startswith("01_first: done in") and "peak memory" in line for line in lines)
    assert any(line.startswith("[2/3] 02_second: 3/3 cells done") for line in lines)


def test_a_failure_is_one_line_keeps_the_executed_part_and_resumes(course, capsys):
    paths, flag = course
    with pytest.raises(run_notebooks.RunError) as failure:
        run_notebooks.run(paths)
    message = str(failure.value)
    assert message.endswith(
        "02_second.ipynb failed, code cell 2 of 3: AssertionError: accuracy 0.1 is below 0.9"
    )
    assert "\n" not in message
    executed = outputs_of(paths[1])
    assert executed[0] == (1, "")  # ran
    assert executed[1][0] == 2  # the failing cell keeps its error
    assert executed[2] == (None, "")  # not reached: no stale output left behind
    assert outputs_of(paths[2]) == [(99, "stale output\n")]  # the run stopped before it

    flag.touch()  # "fix" it, then resume from the failed notebook
    resumed = run_notebooks.run(run_notebooks.select(paths, "02"))
    assert [run.path.stem for run in resumed] == ["02_second", "03_third"]
    assert outputs_of(paths[2]) == [(1, "third done\n")]


def test_command_line_failure_says_how_to_resume(course):
    paths, _ = course
    result = subprocess.run(
        [sys.executable, "-m", "course_tools.run_notebooks", "--profile=quick", *map(str, paths)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    error_lines = result.stderr.strip().splitlines()
    assert error_lines[0].startswith("error: ") and "AssertionError: accuracy 0.1" in error_lines[0]
    assert "`make run FROM=02`" in error_lines[1]
    assert "Traceback" not in result.stderr
    assert "executing 3 notebooks in the quick profile" in result.stdout
