"""nbgrader's ``Execute`` step for notebooks nobody here wrote.

:class:`GuardedExecute` runs a notebook the way nbgrader's ``Execute`` does, in a
:class:`~course_tools.classroom.kernels.GradingKernelManager` kernel, and adds what a hostile
hand-in needs:

- **output cap**: past ``output_limit`` bytes of what the kernel sends back, the kernel is
  stopped (one line in the cell's output says so) and further output dropped;
- **a stopped kernel** (over its limits, killed, crashed) ends the notebook, not the grading:
  the cell that was running gets an error saying why, every later code cell an error saying it
  was not run, so nbgrader scores them 0 and goes on to the next notebook;
- **kernels started ahead**: inside :func:`~course_tools.classroom.warm_kernels.ahead`, the
  notebook runs in the kernel started for it while the previous notebook ran, and starts the
  next one;
- **kernels stopped at once**: after its last cell a notebook's kernel is killed, not asked to
  exit, so neither its clean-up (1-2 s with TensorFlow loaded) nor a student's exit hook
  holds grading up.
"""

from __future__ import annotations

import asyncio
import json
import signal

from nbclient.exceptions import DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Enum, Integer

from course_tools.classroom import warm_kernels
from course_tools.classroom.kernels import GradingKernelManager
from course_tools.classroom.sandbox import Limits, format_size

STOPPED = "KernelStopped"
NOT_RUN = "NotRun"


def error(ename: str, evalue: str):
    """An error output, as nbgrader scores it (0 for a test cell)."""
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def message_size(msg: dict) -> int:
    """Bytes a kernel message's content takes as JSON."""
    return len(json.dumps(msg.get("content", {}), default=str))


class GuardedExecute(Execute):
    """nbgrader's ``Execute`` with capped output and stopped kernels recorded (module doc)."""

    output_limit = Integer(Limits().output, help="bytes one notebook may send back").tag(
        config=True)
    # nbclient's default is "graceful"; nothing of a graded kernel is kept after its last cell
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", GradingKernelManager)
        super().__init__(**kwargs)
        self._reset()

    def _reset(self) -> None:
        self.sent = 0
        self.capped = False
        self.stopped: str | None = None
        self._started_ahead = False  # the kernel was started ahead (warm_kernels)
        self._start_kwargs: dict = {}

    def preprocess(self, nb, resources=None, km=None):
        self._reset()
        return super().preprocess(nb, resources, km)

    async def async_start_new_kernel(self, **kwargs) -> None:
        """The kernel started ahead for this notebook if there is one, else a new one; then the
        next notebook's, ahead (see :mod:`~course_tools.classroom.warm_kernels`)."""
        notebook = self.resources.get("nbgrader", {}).get("notebook", "")
        self._start_kwargs = kwargs
        started_ahead = await warm_kernels.current().take(notebook, self.kernel_name)
        self._started_ahead = started_ahead is not None
        if started_ahead is None:
            await super().async_start_new_kernel(**kwargs)
        else:
            self.km = started_ahead
        await warm_kernels.current().start_after(
            notebook, self.kernel_name, self._next_kernel_manager,
            **self._start_arguments(kwargs))

    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_start_new_kernel_client(self):
        """nbclient's, but a kernel started ahead may take a cell's time to be ready (its
        imports are a cell's work), and one that fails gives way to a new kernel."""
        if not self._started_ahead:
            return await super().async_start_new_kernel_client()
        self._started_ahead = False
        startup_timeout = self.startup_timeout
        self.startup_timeout = max(startup_timeout, self.timeout or 0)
        try:
            return await super().async_start_new_kernel_client()
        except Exception as error:  # nbclient has stopped it
            self.log.warning("the kernel started ahead failed (%s): starting a new one", error)
            self.km = self.create_kernel_manager()
            await super().async_start_new_kernel(**self._start_kwargs)
            return await super().async_start_new_kernel_client()
        finally:
            self.startup_timeout = startup_timeout

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def _next_kernel_manager(self):
        """A kernel manager as nbclient's ``create_kernel_manager`` makes one."""
        named = {"kernel_name": self.kernel_name} if self.kernel_name else {}
        return self.kernel_manager_class(config=self.config, **named)

    def _start_arguments(self, kwargs: dict) -> dict:
        """What nbclient's ``async_start_new_kernel`` starts a kernel with: the notebook's folder
        and IPython's history kept in memory."""
        path = self.resources.get("metadata", {}).get("path") or None
        extra = list(self.extra_arguments)
        if self.ipython_hist_file and not any(
                argument.startswith("--HistoryManager.hist_file") for argument in extra):
            extra.append(f"--HistoryManager.hist_file={self.ipython_hist_file}")
        return {**({"cwd": path} if path else {}), **kwargs, "extra_arguments": extra}

    def preprocess_cell(self, cell, resources, index):
        if self.stopped is not None:
            if cell.cell_type == "code" and cell.source.strip():
                why = f"not run: the kernel was stopped earlier, {self.stopped}"
                cell.outputs = [error(NOT_RUN, why)]
            return cell, self.resources
        try:
            super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self.stopped = getattr(self.km, "stopped", None) or self._death()
        else:  # stopped while this cell's last output came in
            self.stopped = getattr(self.km, "stopped", None)
        if self.stopped is not None:
            self.log.warning("kernel stopped: %s", self.stopped)
            cell.outputs.append(error(STOPPED, f"the kernel was stopped: {self.stopped}"))
        return cell, self.resources

    def _death(self) -> str:
        """Why the kernel died, as far as its exit status tells (a sandbox reports a signal as
        128 + its number)."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        code = process.poll() if process is not None else None
        if code is None:
            return "the kernel died"
        number = -code if code < 0 else code - 128 if code > 128 else None
        if number is None:
            return f"the kernel exited (code {code})"
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"the kernel died ({name}: killed, or it crashed, e.g. out of memory)"

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] not in ("status", "execute_input"):
            self.sent += message_size(msg)
            if self.sent > self.output_limit:
                self._over_limit(cell)
                return None
        return super().process_message(msg, cell, cell_index)

    def _over_limit(self, cell) -> None:
        if self.capped:
            return
        self.capped = True
        why = f"it sent more than {format_size(self.output_limit)} of output"
        cell.outputs.append(new_output("stream", name="stderr", text=f"[stopped: {why}]\n"))
        if isinstance(self.km, GradingKernelManager):
            self.km.stop(why)
        else:
            asyncio.ensure_future(ensure_async(self.km.shutdown_kernel(now=True)))
