"""The reference answers of the exercises, as functions, read from the instructor notebooks.

The one home of an exercise's reference answer is its solution cell. The tooling that needs
one as code (the benchmark trains with 06's augmentation; the tests of ``helpers`` give 06's
``backward`` to the NumPy MLP) gets it with :func:`reference_function`, which runs the cell's
imports and the function's definition, nothing else of the notebook.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbgrader import utils as nbgrader_utils

from helpers.settings import REPO_ROOT

NOTEBOOKS = REPO_ROOT / "notebooks"
# What the notebooks import before their exercises, for the answers that use it.
PRELUDE = "import numpy as np\n"
KERAS_PRELUDE = "import keras\nfrom keras import layers\nimport tensorflow as tf\n"


@functools.cache
def reference_function(notebook: str, name: str, folder: Path = NOTEBOOKS):
    """The function ``name`` of a solution cell of ``folder/<notebook>.ipynb``."""
    path = Path(folder) / f"{notebook}.ipynb"
    if not path.is_file():
        raise FileNotFoundError(f"no instructor notebook {path}")
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code" or not nbgrader_utils.is_solution(cell):
            continue
        tree = ast.parse(TransformerManager().transform_cell(cell.source))
        wanted = [node for node in tree.body
                  if isinstance(node, ast.Import | ast.ImportFrom)
                  or isinstance(node, ast.FunctionDef) and node.name == name]
        if any(isinstance(node, ast.FunctionDef) for node in wanted):
            code = ast.unparse(ast.Module(body=wanted, type_ignores=[]))
            prelude = PRELUDE + (KERAS_PRELUDE if "keras" in code or "tf." in code else "")
            namespace: dict = {}
            exec(compile(prelude + code, f"{path.name}:{name}", "exec"), namespace)  # noqa: S102
            return namespace[name]
    raise LookupError(f"{path.name} has no solution cell that defines {name}()")
