"""The kernels grading starts: in a sandbox when there is one, always watched.

:class:`GradingKernelManager` is jupyter_client's ``AsyncKernelManager`` with two changes:

- with a :class:`~course_tools.classroom.sandbox.Sandbox`, the kernel's command is wrapped in
  it, and kernel and grader talk over jupyter_client's ``ipc`` transport (Unix sockets in a
  folder both sides see), since the sandbox has no network; interrupts are sent as messages
  (``interrupt_mode = "message"``) so that no signal crosses into the sandbox, and what the
  kernel writes to its standard output and error goes to :data:`KERNEL_LOG` in the student's
  folder, where the disk limit counts it;
- a :class:`Watchdog` thread adds up what everything the kernel started holds (resident
  memory, processes, the student's files) and stops the kernel past its
  :class:`~course_tools.classroom.sandbox.Limits`, saying why in :attr:`stopped`; in a sandbox,
  the memory of the student's kernels that run their code at once (two lanes) counts together
  (:class:`SharedMemory`), that of a kernel started ahead, still idle, does not.

Each kernel has a sockets folder of its own, seen by no other kernel's sandbox. With
:attr:`~GradingKernelManager.preload` set, the kernel imports those modules before it starts
(:data:`PRELOADING_LAUNCHER`): grading starts the next notebook's kernel that way while a
notebook runs (:mod:`~course_tools.classroom.warm_kernels`). When grading is stopped,
:func:`kill_trees` ends its workers with every kernel and sandbox under them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Dict, Instance, Integer, List, Unicode

from course_tools.classroom.sandbox import Limits, Sandbox, format_size

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
POLL = 0.25  # seconds between two looks at the kernel's processes
DISK_EVERY = 4  # polls between two measures of the student's folder
MAX_ROUNDS = 100  # looks at a process tree that kill_trees takes at most
KERNEL_LOG = "kernel.log"  # the sandboxed kernel's standard output and error
# What ``python -m ipykernel_launcher`` does, after importing the modules in {names}.
# Matplotlib's backend is set first, as ipykernel sets it: Keras imports pyplot, which reads
# it. A name that is no module (``from a import function``) is skipped, and so is a module that
# is not there (the notebook fails on it by itself); any other failure ends the kernel, and the
# notebook gets a new one (a half-imported package would not be what a notebook gets).
PRELOADING_LAUNCHER = """\
import importlib, importlib.util, os, sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
sys.argv[0] = importlib.util.find_spec("ipykernel_launcher").origin
if not os.environ.get("MPLBACKEND"):
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
for name in {names!r}:
    try:
        importlib.import_module(name)
    except BaseException as error:
        if not (isinstance(error, ModuleNotFoundError) and error.name == name):
            print(f"importing {{name}} ahead failed: {{error!r}}", file=sys.stderr, flush=True)
            os._exit(1)
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def preloading(command: list[str], names: list[str]) -> list[str]:
    """A ``python -m ipykernel_launcher ...`` command that imports ``names`` first; any other
    command as it is."""
    if len(command) < 3 or command[1:3] != ["-m", "ipykernel_launcher"]:
        return command
    return [command[0], "-c", PRELOADING_LAUNCHER.format(names=list(names)), *command[3:]]


def _stat(path: str) -> list[bytes]:
    """The fields of a ``/proc/.../stat`` file after the command's name (state first, then
    the parent's pid...); none if it is gone."""
    try:
        with open(path, "rb") as handle:
            stat = handle.read()
    except OSError:
        return []
    return stat[stat.rindex(b")") + 2 :].split()


def _parents() -> dict[int, int]:
    """pid -> parent pid, for every process of this machine."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            fields = _stat(f"/proc/{entry.name}/stat")
            if fields:
                found[int(entry.name)] = int(fields[1])
    return found


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it."""
    return process_trees([pid])


def process_trees(pids: list[int]) -> list[int]:
    """``pids`` and every process descended from them, from one look at ``/proc``."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    tree, todo = [], list(pids)
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children.get(current, [])
    return tree


def kill_trees(pids: list[int]) -> set[int]:
    """SIGKILL each of ``pids`` and every process descended from them; the pids found.

    Every process is stopped (SIGSTOP) as it is found, and the trees are looked at again, once
    what was found has stopped, until nothing new appears: a stopped process starts no other.
    Only then are they all killed. Killing a parent alone is not enough: a sandbox being set
    up when its parent dies outlives it, since bubblewrap's ``--die-with-parent`` is not yet in
    force in the sandbox's first process then. A process that does not stop within 2 s (in an
    uninterruptible wait) is killed with the others all the same, and so is what was found
    after ``MAX_ROUNDS`` looks (processes that keep waking each other up: inside a sandbox,
    whatever escapes the count dies with the sandbox's first process).
    """
    found: set[int] = set()
    for _ in range(MAX_ROUNDS):
        new = set(process_trees(pids)) - found
        if not new:
            break
        for process in new:
            _signal(process, signal.SIGSTOP)
        found |= new
        _wait_until_stopped(new)
    for process in found:
        _signal(process, signal.SIGKILL)
    return found


def _wait_until_stopped(pids: set[int], timeout: float = 2.0) -> None:
    """Wait until every thread of each of ``pids`` is stopped, or the process gone (at most
    ``timeout`` seconds): a signal is sent at once but obeyed a moment later."""
    deadline = time.monotonic() + timeout
    waiting = set(pids)
    while waiting and time.monotonic() < deadline:
        waiting = {pid for pid in waiting if not _stopped(pid)}
        if waiting:
            time.sleep(0.001)


def _stopped(pid: int) -> bool:
    """Whether every thread of ``pid`` is stopped (or ``pid`` gone, or a zombie)."""
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return True
    states = (_stat(f"/proc/{pid}/task/{thread}/stat")[:1] for thread in threads)
    return all(state in ([], [b"T"], [b"t"], [b"Z"], [b"X"]) for state in states)


def _signal(pid: int, number: int) -> None:
    """Send signal ``number`` to ``pid`` unless it is gone (or not ours to signal)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, number)


def anonymous_memory(pid: int) -> int:
    """Bytes of private memory ``pid`` holds in RAM (resident minus file-backed and shared)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            _, resident, shared, *_ = (int(field) for field in handle.read().split())
    except (OSError, ValueError):
        return 0
    return (resident - shared) * PAGE


def folder_size(folder: Path) -> int:
    """Bytes of every file under ``folder`` (links not followed)."""
    total, todo = 0, [str(folder)]
    while todo:
        try:
            entries = list(os.scandir(todo.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total


class SharedMemory:
    """The memory of the kernels that share a student's folder (two lanes, a kernel started
    ahead), as their watchdogs last measured it: the memory limit is the student's, not each
    kernel's."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[str, dict[int, int]] = {}  # student's folder -> pid -> bytes

    def record(self, folder: str, pid: int, memory: int) -> tuple[int, bool]:
        """Record what ``pid``'s kernel holds; the folder's kernels' total, and whether this
        one holds the most of them."""
        with self.lock:
            kernels = self.held.setdefault(folder, {})
            kernels[pid] = memory
            return sum(kernels.values()), memory >= max(kernels.values())

    def forget(self, folder: str, pid: int) -> None:
        with self.lock:
            kernels = self.held.get(folder, {})
            kernels.pop(pid, None)
            if not kernels:
                self.held.pop(folder, None)


SHARED_MEMORY = SharedMemory()


class Watchdog(threading.Thread):
    """Stops the process group of ``pid`` when what it holds passes ``limits``; with
    ``folders`` (the student's first), its memory counts with that of the student's other
    kernels, and the one holding the most is stopped."""

    def __init__(self, pid: int, limits: Limits, folders: list[Path], on_stop,
                 counted=lambda: True):
        super().__init__(name=f"watchdog-{pid}", daemon=True)
        self.pid, self.limits, self.folders, self.on_stop = pid, limits, folders, on_stop
        self.student = str(folders[0]) if folders else None
        self.counted = counted  # False: the kernel runs nothing of the student's yet
        self.done = threading.Event()
        self.peak_memory = 0

    def over_limit(self, tick: int) -> str | None:
        """Why the sandbox must stop now, or None."""
        tree = process_tree(self.pid)
        memory = sum(anonymous_memory(pid) for pid in tree)
        self.peak_memory = max(self.peak_memory, memory)
        if len(tree) > self.limits.processes:
            return f"it started more than {self.limits.processes} processes ({len(tree)})"
        if memory > self.limits.memory:
            return (f"it used more than {format_size(self.limits.memory)} of memory "
                    f"({format_size(memory)})")
        if self.student is not None and not self.counted():
            SHARED_MEMORY.forget(self.student, self.pid)
        elif self.student is not None:
            total, most = SHARED_MEMORY.record(self.student, self.pid, memory)
            if total > self.limits.memory and most:
                return (f"it used more than {format_size(self.limits.memory)} of memory with "
                        f"the student's other kernels ({format_size(memory)} of "
                        f"{format_size(total)})")
        if self.folders and tick % DISK_EVERY == 0:
            size = sum(folder_size(folder) for folder in self.folders)
            if size > self.limits.disk:
                return (f"its files took more than {format_size(self.limits.disk)} "
                        f"({format_size(size)})")
        return None

    def run(self) -> None:
        try:
            tick = 0
            while not self.done.wait(POLL):
                if not Path(f"/proc/{self.pid}").exists():
                    return
                reason = self.over_limit(tick)
                tick += 1
                if reason:
                    self.on_stop(reason)
                    return
        finally:
            if self.student is not None:
                SHARED_MEMORY.forget(self.student, self.pid)


class GradingKernelManager(AsyncKernelManager):
    """A kernel for grading: wrapped in :attr:`sandbox` when set, watched by a :class:`Watchdog`."""

    sandbox = Instance(Sandbox, allow_none=True, help="the sandbox kernels start in").tag(
        config=True)
    limits = Instance(Limits, args=(), help="what a kernel may use").tag(config=True)
    preload = List(Unicode(), help="modules the kernel imports before it starts")
    env = Dict(Unicode(), help="variables the kernel gets on top of this process's "
               "environment").tag(config=True)
    nice = Integer(0, help="niceness added to this process's for the kernel").tag(config=True)
    ahead = Bool(False, help="started ahead of its notebook, and idle: its memory is not "
                 "counted with the student's other kernels")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stopped: str | None = None  # why the watchdog stopped the kernel
        self.watchdog: Watchdog | None = None
        self.own_sockets = False  # the sandbox has this kernel's own sockets folder
        if self.sandbox is not None:
            self.transport = "ipc"

    async def _async_pre_start_kernel(self, **kw):
        if self.sandbox is not None and not self.own_sockets:  # made once it is started
            self.sandbox, self.own_sockets = self.sandbox.for_one_kernel(), True
            self.ip = str(self.sandbox.sockets / "kernel")
            self.connection_file = str(self.sandbox.sockets / "kernel.json")
        return await super()._async_pre_start_kernel(**kw)

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None and self.sandbox is not None:
            spec.interrupt_mode = "message"  # no signal crosses into the sandbox
        return spec

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        if self.sandbox is not None and self.sandbox.as_root:  # readable by the kernel's user
            os.chown(self.connection_file, *self.sandbox.user)

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        command = preloading(super().format_kernel_cmd(extra_arguments), self.preload)
        if self.sandbox is not None:
            command = self.sandbox.command(command, {**os.environ, **self.env})
        return ["nice", "-n", str(self.nice), *command] if self.nice else command

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kwargs) -> None:
        if self.sandbox is None:
            kwargs["env"] = {**kwargs.get("env", os.environ), **self.env}
            return await super()._async_launch_kernel(kernel_cmd, **kwargs)
        with open(self.sandbox.folder / KERNEL_LOG, "ab") as log:
            kwargs.update(stdout=log, stderr=log)
            await super()._async_launch_kernel(kernel_cmd, **kwargs)

    async def _async_post_start_kernel(self, **kwargs) -> None:
        await super()._async_post_start_kernel(**kwargs)
        process = getattr(self.provisioner, "process", None)
        if process is not None:
            folders = [] if self.sandbox is None else [self.sandbox.folder, self.sandbox.sockets]
            self.watchdog = Watchdog(process.pid, self.limits, folders, self.stop,
                                     counted=lambda: not self.ahead)
            self.watchdog.start()

    def stop(self, reason: str) -> None:
        """Kill the kernel and everything it started, and remember why."""
        self.stopped = reason
        process = getattr(self.provisioner, "process", None)
        if process is None:
            return
        try:
            os.killpg(os.getpgid(process.pid), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        if self.watchdog is not None:
            self.watchdog.done.set()
        await super()._async_cleanup_resources(restart=restart)
