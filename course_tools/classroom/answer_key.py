"""The exercises' reference answers, and the shipped code that holds one.

The reference answers are the functions of the instructor notebooks' solution cells (the code
nbgrader replaces in the student edition). :func:`answers_in` reads each function of a folder
of Python files (``helpers/`` as the student edition ships it) and names the ones that answer
an exercise. Both are normalised (names, arguments and constants all alike; attributes,
calls, keywords and operators kept); a function answers a reference when subtrees of at least
:data:`PIECE` nodes that it also holds cover :data:`SHARE` of the reference's nodes. A copy with
other names, other constants or lines added is found; a different way to compute the same thing
(a library call, another formula) is not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from nbgrader import utils as nbgrader_utils

PIECE = 6  # nodes: a smaller subtree (np.asarray(x)) is anybody's code
SHARE = 0.6  # of a reference's nodes found in one function: that function answers it
IGNORED_NODES = (ast.expr_context,)  # Load, Store, Del: read or written, the same code


@dataclass(frozen=True)
class Tree:
    """A normalised subtree: its ``shape`` (equal for equal code), its ``size`` in nodes and
    its ``parts``."""

    shape: str
    size: int
    parts: tuple[Tree, ...]


def shape(node: ast.AST) -> Tree:
    """The :class:`Tree` of ``node``, built bottom-up in one pass (contexts left out)."""
    fields, parts = [], []
    for name, value in ast.iter_fields(node):
        shown = []
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, IGNORED_NODES):
                continue
            if isinstance(item, ast.AST):
                parts.append(shape(item))
                shown.append(parts[-1].shape)
            else:
                shown.append(repr(item))
        fields.append(f"{name}=[{','.join(shown)}]")
    return Tree(f"{type(node).__name__}({';'.join(fields)})",
                1 + sum(part.size for part in parts), tuple(parts))


@dataclass(frozen=True)
class Reference:
    """One reference answer: a function of a solution cell, normalised."""

    notebook: str
    exercise: str  # the solution cell's grade_id
    function: str
    body: ast.Module = field(compare=False, repr=False)

    @cached_property
    def tree(self) -> Tree:
        return shape(self.body)

    @property
    def size(self) -> int:
        return self.tree.size


@dataclass(frozen=True)
class Answer:
    """A shipped function that holds a reference answer."""

    path: str
    function: str
    line: int
    reference: Reference
    share: float

    def __str__(self) -> str:
        return (f"{self.path}:{self.line} {self.function} answers {self.reference.notebook} "
                f"exercise {self.reference.exercise!r} ({self.reference.function}: "
                f"{self.share:.0%} of its code)")


class _Normalise(ast.NodeTransformer):
    """Every name, argument and constant becomes ``_``."""

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id="_", ctx=ast.Load()), node)

    def visit_Constant(self, node):
        return ast.copy_location(ast.Name(id="_", ctx=ast.Load()), node)

    def visit_arg(self, node):
        return ast.copy_location(ast.arg(arg="_"), node)


def normalised_body(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Module:
    """A function's statements without its docstring, normalised."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    module = ast.parse("\n".join(ast.unparse(statement) for statement in body) or "pass")
    return _Normalise().visit(module)


def subtrees(tree: Tree) -> set[str]:
    """The shapes of every subtree of ``tree`` of at least :data:`PIECE` nodes."""
    found, pending = set(), [tree]
    while pending:
        node = pending.pop()
        if node.size >= PIECE:
            found.add(node.shape)
            pending.extend(node.parts)
    return found


def covered(reference: Tree, shipped: set[str]) -> int:
    """How many nodes of ``reference`` lie in a subtree of :data:`PIECE` or more nodes that
    ``shipped`` (see :func:`subtrees`) holds too."""
    if reference.size < PIECE:
        return 0
    if reference.shape in shipped:
        return reference.size
    return sum(covered(part, shipped) for part in reference.parts)


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def references(notebooks: Iterable[Path]) -> list[Reference]:
    """The functions of the solution cells of ``notebooks`` (instructor notebooks)."""
    found = []
    for path in map(Path, notebooks):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code" or not nbgrader_utils.is_solution(cell):
                continue
            code = TransformerManager().transform_cell(cell.source)
            try:
                tree = ast.parse(code)
            except SyntaxError as error:
                raise ValueError(f"{path.name}: a solution cell does not parse: {error}") from None
            exercise = cell.metadata["nbgrader"].get("grade_id", "?")
            found += [Reference(path.stem, exercise, function.name, normalised_body(function))
                      for function in _functions(tree)]
    return found


def answers_in(folder: Path, known: list[Reference], root: Path | None = None) -> list[Answer]:
    """The functions of the ``.py`` files under ``folder`` that answer one of ``known``."""
    folder = Path(folder)
    root = Path(root or folder.parent)
    found = []
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in _functions(tree):
            shipped = subtrees(shape(normalised_body(function)))
            for reference in known:
                share = covered(reference.tree, shipped) / reference.size
                if share >= SHARE:
                    found.append(Answer(path.relative_to(root).as_posix(), function.name,
                                        function.lineno, reference, share))
    return found
