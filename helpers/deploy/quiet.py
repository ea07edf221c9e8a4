"""Silencing what C++ libraries write straight to the terminal: TensorFlow's converter logs
its passes and LiteRT announces its CPU delegate, below Python's own error reporting."""

from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def native_stderr_to(path):
    """File descriptor 2 (what C/C++ code and child processes write) appended to ``path``
    while the block runs."""
    sys.stderr.flush()
    with open(path, "ab") as target:
        saved = os.dup(2)
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def native_stderr_muted():
    """Silence what C/C++ code writes to file descriptor 2 while the block runs."""
    return native_stderr_to(os.devnull)
