"""Showing code in a notebook: the helpers a notebook teaches are displayed, not copied."""

from __future__ import annotations

import inspect
from pathlib import Path

from helpers.settings import relative_to_repo


def _source(obj) -> tuple[str, str]:
    """``obj``'s code and where it is: ``helpers/numpy_mlp.py, lines 120-135``.

    The path is relative to the repository root and written with ``/``, so it reads the same on
    every system. A TypeError says so when ``obj`` has no Python source (a built-in, or a
    function defined in a notebook cell).
    """
    obj = inspect.unwrap(obj) if callable(obj) else obj  # a decorated function: its own code
    try:
        path = inspect.getsourcefile(obj)
        lines, first = inspect.getsourcelines(obj)
    except (TypeError, OSError) as error:
        raise TypeError(
            f"show_source shows code written in a Python file, and {obj!r} has none "
            f"({error}): pass a function or class of helpers, e.g. show_source(data.load_mnist)"
        ) from error
    if path is None:
        raise TypeError(f"show_source: Python cannot tell which file {obj!r} comes from")
    first = max(first, 1)  # a whole module starts at line 0
    last = first + len(lines) - 1
    where = Path(relative_to_repo(Path(path))).as_posix()
    where += f", line {first}" if first == last else f", lines {first}-{last}"
    return "".join(lines).rstrip(), where


def source_markdown(obj) -> str:
    """Markdown of ``obj``'s source as highlighted code, under the file and lines it is from."""
    code, where = _source(obj)
    return f"`{where}`\n\n```python\n{code}\n```"


def show_source(obj) -> None:
    """Display the source of a helper function or class as highlighted code, under the file and
    lines it comes from, so that a student can open the rest."""
    from IPython.display import Markdown, display

    display(Markdown(source_markdown(obj)))
