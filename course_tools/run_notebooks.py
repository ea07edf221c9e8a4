"""``make run``: execute the course's notebooks in order, in place, showing where the run is.

Usage::

    python -m course_tools.run_notebooks [--profile full|quick] [--from 06] [NOTEBOOK ...]

For each notebook a progress line shows its name, the cell being run out of its code cells and
the elapsed time (tqdm), and what the cells print (the epoch lines of a training) streams above
it as it happens. A notebook that completes is written back with its outputs; one that fails is
written back too, executed up to the failing cell (later cells emptied), and the run stops with
one line saying which cell failed, why, and how to resume (``--from``, ``make run FROM=06``).
The kernel's own C++ messages (TensorFlow's start-up banner) go to ``scratch/run/``, not into
the notebooks. The peak memory of each notebook's kernel is measured and printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tqdm import tqdm

from helpers.settings import PROFILE_ENV_VAR, PROFILES, REPO_ROOT, relative_to_repo

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
LOG_DIR = REPO_ROOT / "scratch" / "run"
# The kernel writes C-level output (TensorFlow's banner) to its own stderr, not into the cells.
KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False", "--IPKernelApp.log_level=ERROR"]


class RunError(RuntimeError):
    """A notebook failed: the message is the one line ``make run`` prints."""


@dataclass
class NotebookRun:
    """What executing one notebook measured."""

    path: Path
    seconds: float
    peak_memory_bytes: int


def course_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The course's notebooks in order: ``01_explore.ipynb`` ... ``08_deploy.ipynb``."""
    return sorted(Path(folder).glob("0*.ipynb"))


def select(notebooks: list[Path], start: str | None) -> list[Path]:
    """``notebooks`` from the one whose name starts with ``start`` (``06``, ``06_improve``) on."""
    if not start:
        return notebooks
    names = [path.stem for path in notebooks]
    for index, name in enumerate(names):
        if name.startswith(start.removesuffix(".ipynb")):
            return notebooks[index:]
    raise RunError(f"no notebook starts with {start!r}; the notebooks are: {', '.join(names)}")


class _MemoryPeak:
    """Samples the resident memory of a process and its children in a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.peak = 0
        self._process = psutil.Process(pid)
        self._stop = threading.Event()
        self._interval = interval
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self._process, *self._process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in processes))
            except psutil.Error:  # the kernel is gone
                return
            self._stop.wait(self._interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def progress_bar(label: str, code_cells: int) -> tqdm:
    """A live progress line on a terminal; in a log (CI, a pipe) a plain line per cell that
    starts, at most every 10 seconds."""
    interactive = sys.stdout.isatty()
    return tqdm(
        total=code_cells,
        desc=label,
        unit="cell",
        bar_format="{desc}: {n_fmt}/{total_fmt} cells done, {elapsed}{postfix}",
        file=sys.stdout,
        mininterval=1.0 if interactive else 10.0,
        ascii=not interactive,
        dynamic_ncols=interactive,
        ncols=None if interactive else 200,
    )


class ProgressClient(NotebookClient):
    """An nbclient client that shows its progress with tqdm and streams what the cells print."""

    def __init__(self, nb, bar: tqdm, **kwargs):
        super().__init__(nb, **kwargs)
        self.bar = bar
        self.memory: _MemoryPeak | None = None
        self.code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        self._pending = ""
        self.on_cell_start = self._cell_started
        self.on_cell_executed = self._cell_done

    def _cell_started(self, cell, cell_index, **_):
        if self.memory is None and self.km is not None:
            self.memory = _MemoryPeak(self.km.provisioner.pid)
        if cell.cell_type == "code":
            position = self.code_cells.index(cell_index) + 1
            self.bar.set_postfix_str(f"cell {position}/{len(self.code_cells)}")

    def _cell_done(self, cell, **_):
        if cell.cell_type == "code":
            self._flush_stream(final=True)
            self.bar.update(1)

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if msg["msg_type"] == "stream":
            self._pending += msg["content"]["text"]
            self._flush_stream()
        return out

    def _flush_stream(self, final: bool = False) -> None:
        *lines, self._pending = self._pending.split("\n")
        if final and self._pending:
            lines, self._pending = [*lines, self._pending], ""
        for line in lines:
            if line.strip():
                self.bar.write(f"    {line.rstrip()}")


def _failure(path: Path, nb, error: CellExecutionError, failed_index: int | None) -> str:
    """The one line that says where a notebook failed and why."""
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    where = ""
    if failed_index is not None and failed_index in code_cells:
        where = f", code cell {code_cells.index(failed_index) + 1} of {len(code_cells)}"
    reason = f"{error.ename}: {error.evalue}" if error.ename else str(error).splitlines()[-1]
    return f"{relative_to_repo(path)} failed{where}: {reason.strip().splitlines()[0]}"


def _empty_unexecuted(nb, first_index: int) -> None:
    """Clear the cells from ``first_index`` on, so no stale output from another run remains."""
    for cell in nb.cells[first_index:]:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None


def execute_notebook(path: Path, *, position: int = 0, total: int = 1) -> NotebookRun:
    """Execute ``path`` in place in the environment's profile; :class:`RunError` on failure
    (the notebook is written back, executed up to the failing cell)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    label = f"[{position}/{total}] {path.stem}"
    with (
        progress_bar(label, sum(cell.cell_type == "code" for cell in nb.cells)) as bar,
        open(LOG_DIR / f"{path.stem}.kernel.log", "w") as kernel_log,
    ):
        client = ProgressClient(
            nb,
            bar,
            timeout=None,  # a long training cell is fine: progress shows it is alive
            kernel_name="python3",
            extra_arguments=KERNEL_ARGUMENTS,
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        failed_index: list[int] = []
        client.on_cell_error = lambda cell_index, **_: failed_index.append(cell_index)
        try:
            client.execute(stderr=kernel_log)
        except CellExecutionError as error:
            index = failed_index[0] if failed_index else None
            if index is not None:
                _empty_unexecuted(nb, index + 1)
            nbformat.write(nb, path)
            raise RunError(_failure(path, nb, error, index)) from None
        finally:
            peak = client.memory.stop() if client.memory else 0
    nbformat.write(nb, path)
    return NotebookRun(path, time.monotonic() - started, peak)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def run(notebooks: list[Path], log=print) -> list[NotebookRun]:
    """Execute ``notebooks`` in order; stop at the first failure (:class:`RunError`)."""
    runs = []
    for position, path in enumerate(notebooks, start=1):
        result = execute_notebook(path, position=position, total=len(notebooks))
        runs.append(result)
        log(
            f"{path.stem}: done in {_duration(result.seconds)}, "
            f"peak memory {result.peak_memory_bytes / 1e9:.1f} GB"
        )
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.run_notebooks",
        description="Execute the course's notebooks in order, in place, with progress.",
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/0*.ipynb")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="default: the environment's")
    parser.add_argument("--from", dest="start", metavar="NN", help="resume from this notebook")
    args = parser.parse_args(argv)
    if args.profile:
        os.environ[PROFILE_ENV_VAR] = args.profile  # the kernels inherit it
    profile = os.environ.get(PROFILE_ENV_VAR, "full")
    started = time.monotonic()
    try:
        notebooks = select(args.notebooks or course_notebooks(), args.start)
        print(f"executing {len(notebooks)} notebooks in the {profile} profile", flush=True)
        run(notebooks)
    except RunError as error:
        name = str(error).split(" failed", 1)[0]
        start = Path(name).stem[:2]
        print(f"error: {error}", file=sys.stderr)
        if name.endswith(".ipynb"):
            print(
                f"The notebook keeps its outputs up to that cell. Fix it, then resume with "
                f"`make run FROM={start}` (python -m course_tools.run_notebooks --from {start}).",
                file=sys.stderr,
            )
        return 1
    print(f"all {len(notebooks)} notebooks executed in {_duration(time.monotonic() - started)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
