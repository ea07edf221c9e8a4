"""What a grading run must leave as it was, and how to tell that it did.

- :func:`fingerprint`: size and modification time of every file under some folders (the
  repository, the course's ``source/`` and ``release/``, the hand-ins), compared before and
  after grading;
- :class:`HomeCanary`: a file of random text in the instructor's home folder, which no student
  may read or change, and no new file beside it;
- :class:`LoopbackListener`: a port on this machine's loopback that counts the connections it
  gets (a sandbox has a network of its own: none may arrive);
- :func:`hidden_tests_in_feedback`: the feedback files that show a line of a hidden test.
"""

from __future__ import annotations

import html
import re
import secrets
import socket
import threading
from collections.abc import Iterable
from pathlib import Path

import nbformat

from course_tools.classroom.feedback import hidden_pieces, plain

TAG = re.compile(r"<[^>]+>")


def fingerprint(folders: Iterable[Path], skip: Path | None = None) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``folders`` (a file may stand for a
    folder; ``skip``, ``.git`` and ``__pycache__`` left out: ``git status`` rewrites ``.git``'s
    index, and the sandbox shows neither)."""
    state = {}
    for folder in map(Path, folders):
        paths = folder.rglob("*") if folder.is_dir() else [folder] if folder.exists() else []
        for path in paths:
            if skip is not None and path.is_relative_to(skip):
                continue
            if path.is_file() and not {"__pycache__", ".git"} & set(path.parts):
                stat = path.stat()
                state[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return state


class HomeCanary:
    """A file of random text in ``home``; :meth:`check` says what changed there."""

    def __init__(self, home: Path | None = None):
        self.home = Path(home or Path.home())
        self.path = self.home / f".mnist-grading-canary-{secrets.token_hex(4)}"
        self.text = secrets.token_hex(16)

    def __enter__(self) -> HomeCanary:
        self.path.write_text(self.text, encoding="utf-8")
        self.before = sorted(path.name for path in self.home.iterdir())
        return self

    def check(self) -> list[str]:
        """Problems: the canary changed or went, files appeared in the home folder."""
        problems = []
        if not self.path.is_file() or self.path.read_text(encoding="utf-8") != self.text:
            problems.append(f"the canary {self.path} in the home folder changed or went")
        new = sorted(set(path.name for path in self.home.iterdir()) - set(self.before))
        if new:
            problems.append(f"new files in the home folder {self.home}: {', '.join(new)}")
        return problems

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)


class LoopbackListener:
    """A port on 127.0.0.1 that accepts and counts connections while the block runs."""

    def __enter__(self) -> LoopbackListener:
        self.connections = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def _accept(self) -> None:
        while not self.done.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()
        self.server.close()


def hidden_tests_in_feedback(source_dir: Path, feedback_root: Path) -> list[str]:
    """``<feedback file>: <piece>`` for every feedback page that shows a piece of a hidden test
    of the instructor notebooks in ``source_dir`` (as text, tags removed; see
    :func:`~course_tools.classroom.feedback.hidden_pieces`)."""
    found = []
    for notebook in sorted(Path(source_dir).glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        pieces = hidden_pieces(nb.cells, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
        for page in sorted(Path(feedback_root).rglob(f"{notebook.stem}.html")):
            text = plain(html.unescape(TAG.sub("", page.read_text(encoding="utf-8"))))
            found += [f"{page}: {piece}" for piece in sorted(pieces) if piece in text][:1]
    return found
