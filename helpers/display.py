"""Showing code in a notebook: the helpers a notebook teaches are displayed, not copied."""

from __future__ import annotations

import inspect


def show_source(obj) -> None:
    """Display the source of a helper function or class as highlighted code."""
    from IPython.display import Markdown, display

    display(Markdown(f"```python\n{inspect.getsource(obj).rstrip()}\n```"))
