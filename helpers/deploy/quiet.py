"""Silencing what C++ libraries write straight to the terminal: TensorFlow's converter logs
its passes and LiteRT announces its CPU delegate, below Python's own error reporting."""

from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def native_stderr_muted():
    """Silence what C/C++ code writes to file descriptor 2 while the block runs."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
