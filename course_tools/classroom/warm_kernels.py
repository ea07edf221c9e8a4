"""The next notebook's kernel, started while the current notebook runs.

nbgrader runs a student's notebooks one after the other, each in a kernel of its own, and each
kernel spends seconds starting and importing TensorFlow before the notebook's first cell is
done. While a student is graded (:func:`ahead`),
:class:`~course_tools.classroom.execution.GuardedExecute` takes the kernel started ahead for
its notebook, if there is one, and starts the next notebook's, which imports what that
notebook imports (:func:`imports`) while the current notebook runs. A kernel started ahead is
like any other: in a sandbox of its own, with sockets no other kernel sees, the same
environment, its own watchdog; it runs no code of the student's before its notebook's first
cell. A kernel that cannot be used (dead, for another notebook, not ready) is stopped and the
notebook gets a new one, as without this module.

The kernels started ahead live in the thread that grades (:func:`current`): one student at a
time per worker, and one lane of their notebooks per thread
(:mod:`~course_tools.classroom.lanes`).
"""

from __future__ import annotations

import ast
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbgrader import utils as nbgrader_utils

log = logging.getLogger(__name__)


def imports(notebook: Path) -> tuple[str, ...]:
    """The modules a notebook imports at the top level of its code cells, in order; for
    ``from a import b``, ``a`` and ``a.b`` (which may not be a module). Solution and test cells
    are skipped (what they import is no business of a kernel started ahead: a student could
    read it in ``sys.modules``), and so are cells that are not Python."""
    names: list[str] = []
    to_python = TransformerManager()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or nbgrader_utils.is_solution(cell) or \
                nbgrader_utils.is_grade(cell):
            continue
        try:
            tree = ast.parse(to_python.transform_cell(cell.source))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return tuple(dict.fromkeys(names))


async def stop(manager: AsyncKernelManager) -> None:
    """Stop ``manager``'s kernel, if it has one, and free what it holds; never raises."""
    try:
        if manager.has_kernel:
            await manager.shutdown_kernel(now=True)
        else:
            await manager.cleanup_resources()
    except Exception as error:  # a kernel that is already gone
        log.warning("stopping a kernel started ahead: %s", error)


class WarmKernels:
    """At most one kernel started ahead, and what the student's notebooks import."""

    def __init__(self) -> None:
        self.notebooks: dict[str, tuple[str, ...]] = {}  # in grading order: name -> imports
        self.waiting: AsyncKernelManager | None = None
        self.waiting_for: tuple[str, str] | None = None  # (notebook, kernel name)
        self.taken = 0  # kernels started ahead that a notebook ran in

    def after(self, notebook: str) -> str | None:
        """The notebook graded after ``notebook``, if any."""
        names = list(self.notebooks)
        index = names.index(notebook) + 1 if notebook in names else len(names)
        return names[index] if index < len(names) else None

    async def take(self, notebook: str, kernel_name: str) -> AsyncKernelManager | None:
        """The kernel started ahead for ``notebook`` if it is still alive; any other is
        stopped."""
        manager, self.waiting = self.waiting, None
        meant_for, self.waiting_for = self.waiting_for, None
        if manager is None:
            return None
        if meant_for == (notebook, kernel_name) and await manager.is_alive():
            self.taken += 1
            if hasattr(manager, "ahead"):
                manager.ahead = False  # its memory counts from now on (kernels.SharedMemory)
            return manager
        log.warning("the kernel started ahead for %s cannot run %s: starting a new one",
                    meant_for[0] if meant_for else "?", notebook)
        await stop(manager)
        return None

    async def start_after(self, notebook: str, kernel_name: str,
                          make_manager: Callable[[], AsyncKernelManager], **start: object) -> None:
        """Start the kernel of the notebook after ``notebook``, if there is one (``start``:
        what ``start_kernel`` gets). Never raises: a kernel that fails to start is stopped,
        and its notebook starts one in its turn."""
        following = self.after(notebook)
        if following is None or self.waiting is not None:
            return
        manager = None
        try:
            manager = make_manager()
            if hasattr(manager, "preload"):
                manager.preload = list(self.notebooks[following])
                manager.ahead = True
            await manager.start_kernel(**start)
        except Exception as error:
            log.warning("could not start a kernel ahead for %s: %s", following, error)
            if manager is not None:
                await stop(manager)
            return
        self.waiting, self.waiting_for = manager, (following, kernel_name)

    async def discard(self) -> None:
        """Stop the kernel started ahead, if any, and start no more; never raises."""
        manager, self.waiting, self.waiting_for = self.waiting, None, None
        self.notebooks = {}
        if manager is not None:
            await stop(manager)


_THREADS = threading.local()


def current() -> WarmKernels:
    """The kernels started ahead of this thread's notebooks."""
    warm = getattr(_THREADS, "warm", None)
    if warm is None:
        warm = _THREADS.warm = WarmKernels()
    return warm


@contextlib.contextmanager
def ahead(notebooks: dict[str, tuple[str, ...]]) -> Iterator[WarmKernels]:
    """Start kernels ahead inside the block for ``notebooks`` (name -> modules to import, in
    the order this thread grades them); the one left over is stopped at its end."""
    warm = current()
    warm.notebooks, warm.taken = dict(notebooks), 0
    try:
        yield warm
    finally:
        run_sync(warm.discard)()
