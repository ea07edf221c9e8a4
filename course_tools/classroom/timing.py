"""Where grading time goes, read from the executed notebooks nbgrader keeps.

nbclient, which nbgrader's ``Execute`` step runs on, stamps every executed cell with when it
started and finished (``metadata.execution``). For one student's ``autograded/<student>/mnist/``
folder this gives each notebook's cell time, its slowest cells, and the gap before its first
cell: what happens between two notebooks (the kernel's start-up and shutdown, nbgrader's
sanitising and saving of grades). Notebooks graded in two lanes
(:mod:`~course_tools.classroom.lanes`) overlap: a notebook that started before the one before
it finished has no gap ("beside"), and the time outside cells is the time no cell ran.

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
    started: datetime | None = None


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
        cells.append(CellTime(index, (end - start).total_seconds(), first_line[:60], start))
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
        gap = "-"
        if previous and notebook.started:
            gap = f"{(notebook.started - previous).total_seconds():.1f}" \
                if notebook.started >= previous else "beside"
        slowest = "; ".join(
            f"[{cell.index}] {cell.seconds:.1f} `{cell.first_line}`"
            for cell in notebook.slowest(top)
        )
        lines.append(f"| {notebook.name} | {notebook.cell_seconds:.1f} | {gap} | {slowest} |")
        previous = notebook.finished or previous
    total = sum(notebook.cell_seconds for notebook in times)
    dated = [notebook for notebook in times if notebook.started]
    span = (max(n.finished for n in dated) - min(n.started for n in dated)).total_seconds() \
        if dated else 0.0
    busy = busy_seconds(times)
    beside = f"; {total - busy:.1f} s of cells beside others" if total - busy > 0.05 else ""
    lines.append(f"| **all** | {total:.1f} | {span - busy:.1f} outside cells | "
                 f"first cell to last: {span:.1f}{beside} |")
    return "\n".join(lines)


def busy_seconds(times: list[NotebookTime]) -> float:
    """Seconds in which at least one cell ran: the cells' total, less what overlapped."""
    spans = sorted((cell.started, cell.started.timestamp() + cell.seconds)
                   for notebook in times for cell in notebook.cells if cell.started)
    busy, reached = 0.0, None
    for start, end in spans:
        start = start.timestamp()
        if reached is None or start > reached:
            busy, reached = busy + end - start, end
        elif end > reached:
            busy, reached = busy + end - reached, end
    return busy


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
