"""Helpers shared by the notebooks of the MNIST course.

Importing the package loads TensorFlow once, quietly: ``TF_CPP_MIN_LOG_LEVEL=3`` keeps its C++
logs to fatal messages, and the few banners TensorFlow 2.21 prints while it loads (before that
setting takes effect) are dropped. Python errors and warnings still show.
"""

import contextlib
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


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


with native_stderr_muted():
    import tensorflow  # noqa: F401  (loaded here so its start-up banners are dropped)
