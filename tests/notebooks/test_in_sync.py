"""The committed notebooks show the helpers as they are now.

A notebook that displays a helper with ``show_source`` must be re-executed when that helper
changes; this test fails until it is, so students never read code that no longer runs.
"""

import importlib
import importlib.util
import inspect
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("0*.ipynb"))
SHOWN_MODULES = ("helpers", "helpers.deploy")  # where a module a notebook shows is looked up
SHOW_SOURCE = re.compile(r"^show_source\((\w+)\.(\w+)\)\s*$")


def shown_sources():
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            match = SHOW_SOURCE.match("".join(cell["source"]))
            if cell["cell_type"] == "code" and match:
                yield pytest.param(path.name, *match.groups(), cell, id=f"{path.stem}:{match[2]}")


@pytest.mark.parametrize("notebook, module, name, cell", list(shown_sources()))
def test_displayed_source_matches_the_helper(notebook, module, name, cell):
    package = next(
        package for package in SHOWN_MODULES
        if importlib.util.find_spec(f"{package}.{module}") is not None
    )
    helper = getattr(importlib.import_module(f"{package}.{module}"), name)
    shown = [out["data"]["text/markdown"] for out in cell["outputs"] if "data" in out]
    assert shown, f"{notebook}: the show_source({module}.{name}) cell has no output: execute it"
    assert inspect.getsource(helper).rstrip() in "".join(shown[0]), (
        f"{notebook} shows an old version of helpers.{module}.{name}: re-execute the notebook"
    )


def test_the_notebooks_are_found_and_show_helpers():
    assert len(NOTEBOOKS) == 8
    assert len(list(shown_sources())) >= 8, "the notebooks show the helpers they teach"
