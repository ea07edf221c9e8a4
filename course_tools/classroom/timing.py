"""Where grading time goes, read from the executed notebooks nbgrader keeps.

nbclient, which nbgrader's ``Execute`` step runs on, stamps every executed cell with when it
started and finished (``metadata.execution``). For one student's ``autograded/<student>/mnist/``
folder this gives each notebook's cell time, its slowest cells, and the gap before its first
cell: what happens between two notebooks (the kernel's start-up and shutdown, nbgrader's
sanitising and saving of grades).

Usage::

    python -m course_tools.classroom.timing grading/autograded/<student>/mnist [--top 3]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import nbformat

STARTED, FINISHED = "iopub.status.busy", "shell.execute_reply"


@dataclass(frozen=True)
class CellTime:
    index: int
    seconds: float
    first_line: str


@dataclass(frozen=True)
class NotebookTime:
    name: str
    started: datetime | None  # the first cell's start
    finished: datetime | None  # the last cell's end
    cells: tuple[CellTime, ...]

    @property
    def cell_seconds(self) -> float:
        return sum(cell.seconds for cell in self.cells)

    def slowest(self, count: int) -> list[CellTime]:
        return sorted(self.cells, key=lambda cell: -cell.seconds)[:count]


def _stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def notebook_time(path: Path) -> NotebookTime:
    """The recorded run times of the cells of one executed notebook."""
    nb = nbformat.read(path, as_version=4)
    cells, starts, ends = [], [], []
    for index, cell in enumerate(nb.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type != "code" or STARTED not in stamps or FINISHED not in stamps:
            continue
        start, end = _stamp(stamps[STARTED]), _stamp(stamps[FINISHED])
        starts.append(start)
        ends.append(end)
        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
        cells.append(CellTime(index, (end - start).total_seconds(), first_line[:60]))
    return NotebookTime(
        Path(path).stem, min(starts, default=None), max(ends, default=None), tuple(cells)
    )


def folder_times(folder: Path) -> list[NotebookTime]:
    """Every executed notebook of a student's autograded folder, in course order."""
    return [notebook_time(path) for path in sorted(Path(folder).glob("*.ipynb"))]


def report(times: list[NotebookTime], top: int = 3) -> str:
    """A Markdown table: cell time, gap before the first cell, slowest cells, per notebook."""
    lines = [
        "| notebook | cells (s) | gap before (s) | slowest cells (s) |",
        "|---|---:|---:|---|",
    ]
    previous = None
    for notebook in times:
        gap = (
            f"{(notebook.started - previous).total_seconds():.1f}"
            if previous and notebook.started
            else "-"
        )
        slowest = "; ".join(
            f"[{cell.index}] {cell.seconds:.1f} `{cell.first_line}`"
            for cell in notebook.slowest(top)
        )
        lines.append(f"| {notebook.name} | {notebook.cell_seconds:.1f} | {gap} | {slowest} |")
        previous = notebook.finished or previous
    total = sum(notebook.cell_seconds for notebook in times)
    dated = [notebook for notebook in times if notebook.started]
    span = (dated[-1].finished - dated[0].started).total_seconds() if dated else 0.0
    lines.append(f"| **all** | {total:.1f} | {span - total:.1f} outside cells | "
                 f"first cell to last: {span:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.classroom.timing",
        description="Where one student's grading time went, per notebook and cell.",
    )
    parser.add_argument("folder", type=Path, help="autograded/<student>/<assignment> folder")
    parser.add_argument("--top", type=int, default=3, help="slowest cells shown per notebook")
    args = parser.parse_args(argv)
    times = folder_times(args.folder)
    if not times:
        print(f"error: no executed notebooks in {args.folder}", file=sys.stderr)
        return 2
    print(report(times, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
