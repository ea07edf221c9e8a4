"""Answers that hand the exercise to the course's own reference implementation score 0.

Most exercises have their reference implementation in ``helpers`` (the hidden tests compare
against it), and the student edition ships ``helpers``: ``return numpy_mlp.backward(...)``
would pass every test. :data:`REFERENCES` names, for each exercise (its solution cell's
``grade_id``), the helpers that are its answer. :class:`FlagDelegation`, a step of nbgrader's
autograde pipeline run after the notebook is executed, reads each solution cell and, when it
uses one of them, adds an error to the exercise's test cell (``test_<grade_id>``): nbgrader
then scores that check 0, and the feedback shows the error, which says why.

The check reads the code (Python's ``ast``), it does not run it: it follows imports and
aliases (``from helpers import numpy_mlp as m``, ``f = m.backward``, ``getattr(m,
"backward")``, star imports) and functions the solution calls that are defined in other
cells the student wrote. Code that builds the name at run time (``importlib``, ``eval``) gets
past it; the hidden tests and a read of the feedback remain the instructor's tools there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager
from nbformat.v4 import new_output
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict

import helpers

PACKAGE = "helpers"
ERROR_NAME = "DelegationError"

# notebook -> exercise (solution grade_id) -> the helpers that are that exercise's answer.
# An exercise listed with () has no reference implementation in helpers.
REFERENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "01_explore": {
        "count_per_class": ("helpers.exploration.class_counts",),
        "mean_image_per_class": ("helpers.exploration.mean_images",),
    },
    "02_preprocess": {
        "normalise": ("helpers.preprocessing.scale_images",),
        "one_hot": ("helpers.preprocessing.one_hot",),
        "shared_images": (),
    },
    "03_cnn": {
        "build_cnn": ("helpers.models.build_baseline_cnn",),
        "parameter_counts": (),
        "compile_model": ("helpers.models.compile_for_classification",),
    },
    "04_train": {
        "make_callbacks": (),
        "train": ("helpers.training.fit",),
        "best_epoch": (),
    },
    "05_evaluate": {
        "confusion_counts": ("helpers.evaluation.confusion_matrix",),
        "recall_per_class": ("helpers.evaluation.per_class_scores",),
    },
    "06_improve": {
        "build_augmentation": ("helpers.models.augmentation",),
        "mlp_backward": ("helpers.numpy_mlp.backward",),
        "choose_best": (),
    },
    "07_visualize": {
        "feature_maps_of": ("helpers.interpretation.feature_maps",),
        "saliency_of": ("helpers.interpretation.saliency_map",),
    },
    "08_deploy": {
        "int8_trade": ("helpers.deploy.tflite_export.export_table",),
        "centre_by_mass": (
            "helpers.deploy.drawn_digits.centre_in_canvas",
            "helpers.deploy.drawn_digits.recentre_batch",
        ),
    },
}


def test_cell_id(exercise: str) -> str:
    """The ``grade_id`` of the test cell that grades ``exercise`` (the course's convention)."""
    return f"test_{exercise}"


def _python(source: str) -> ast.Module | None:
    """The code of a cell (IPython magics turned into Python), or None if it does not parse."""
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _dotted(node: ast.AST, names: Mapping[str, str]) -> str | None:
    """``helpers.numpy_mlp.backward`` for ``m.backward`` when ``m`` is ``helpers.numpy_mlp``."""
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, names)
        return f"{base}.{node.attr}" if base else None
    return None


class _Scope:
    """What names stand for in a notebook: imports, star imports, simple aliases."""

    def __init__(self, trees: Iterable[ast.Module]):
        self.names: dict[str, str] = {}
        self.stars: set[str] = set()
        self.functions: dict[str, ast.AST] = {}
        trees = list(trees)
        for tree in trees:
            self.add(tree)
        for tree in trees:  # a name given another value is a variable, not the module
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and _dotted(node.value, self.names) is None:
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            self.names.pop(target.id, None)

    def add(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.names[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        self.names[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name == "*":
                        self.stars.add(node.module)
                    else:
                        self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = node

    def add_aliases(self, tree: ast.AST) -> None:
        """``m = numpy_mlp`` or ``f = numpy_mlp.backward``: ``m`` and ``f`` stand for them."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                value = _dotted(node.value, self.names)
                if isinstance(target, ast.Name) and value and value.startswith(PACKAGE):
                    self.names[target.id] = value


def package_modules() -> frozenset[str]:
    """Every module of ``helpers`` by dotted name, read from its files (nothing imported)."""
    root = Path(helpers.__file__).parent
    names = set()
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        names.add(".".join((PACKAGE, *parts)))
    return frozenset(names)


MODULES = package_modules()


def _matches(path: str, forbidden: str) -> bool:
    """``path`` is ``forbidden``, or a function of that name reached through another module of
    ``helpers`` (which may import it from the module that defines it)."""
    module, _, name = path.rpartition(".")
    return path == forbidden or (module in MODULES and name == forbidden.rpartition(".")[2])


def _uses(tree: ast.AST, scope: _Scope, forbidden: Sequence[str]) -> set[str]:
    found = set()
    defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    for node in ast.walk(tree):
        paths = []
        if isinstance(node, ast.Name | ast.Attribute):
            paths.append(_dotted(node, scope.names))
        if isinstance(node, ast.Name) and node.id not in scope.names and node.id not in defined:
            paths += [f"{module}.{node.id}" for module in scope.stars]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            base = _dotted(node.args[0], scope.names)
            paths.append(f"{base}.{node.args[1].value}" if base else None)
        for path in filter(None, paths):
            found.update(name for name in forbidden if _matches(path, name))
    return found


def delegated_to(
    solution: str, other_cells: Sequence[str], forbidden: Sequence[str]
) -> list[str]:
    """The helpers of ``forbidden`` that the solution cell ``solution`` uses, directly or through
    functions it calls that are defined in ``other_cells`` (the notebook's other code cells
    the student can edit; their imports count too)."""
    if not forbidden:
        return []
    tree = _python(solution)
    if tree is None:
        return []
    others = [parsed for source in other_cells if (parsed := _python(source)) is not None]
    scope = _Scope([*others, tree])
    scope.add_aliases(tree)
    own = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    found, pending, seen = set(), [tree], set()
    while pending:
        node = pending.pop()
        found |= _uses(node, scope, forbidden)
        for call in ast.walk(node):
            name = call.func.id if isinstance(call, ast.Call) and isinstance(
                call.func, ast.Name) else None
            if name in scope.functions and name not in own and name not in seen:
                seen.add(name)
                pending.append(scope.functions[name])
    return sorted(found)


def message(exercise: str, helpers_used: Sequence[str]) -> str:
    """Why the exercise scores 0, for the feedback."""
    used = ", ".join(f"`{name}`" for name in helpers_used)
    return (
        f"the answer to exercise `{exercise}` hands the work to {used}, the course's own "
        "reference implementation of this exercise (it ships with the course so that later "
        "notebooks can use it). An answer must compute the result itself: this check scores 0."
    )


class FlagDelegation(NbGraderPreprocessor):
    """nbgrader autograde step: an exercise answered by calling its reference implementation
    gets an error in its test cell, so nbgrader scores that test 0."""

    references = Dict(
        default_value=REFERENCES,
        help="notebook -> exercise grade_id -> the helpers that are the exercise's answer",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        exercises = self.references.get(resources["nbgrader"]["notebook"], {})
        if not exercises:
            return nb, resources
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        editable = [cell for cell in code if not nbgrader_utils.is_locked(cell)]
        by_id = {
            cell.metadata.nbgrader.get("grade_id"): cell
            for cell in code
            if "nbgrader" in cell.metadata
        }
        for exercise, forbidden in exercises.items():
            solution, test = by_id.get(exercise), by_id.get(test_cell_id(exercise))
            if solution is None or test is None:
                continue
            others = [cell.source for cell in editable if cell is not solution]
            used = delegated_to(solution.source, others, forbidden)
            if used:
                text = message(exercise, used)
                self.log.warning("%s: %s", resources["nbgrader"]["notebook"], text)
                test.outputs.append(
                    new_output("error", ename=ERROR_NAME, evalue=text,
                               traceback=[f"{ERROR_NAME}: {text}"])
                )
        return nb, resources
