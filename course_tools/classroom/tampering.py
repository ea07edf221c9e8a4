"""Answers that change the tools the tests use score 0 for the checks those tools would judge.

A test cell runs in the student's kernel, after the student's code: ``np.allclose = lambda *a,
**k: True`` in an answer would make every later ``assert np.allclose(...)`` pass.
:class:`FlagTampering`, a step of nbgrader's autograde pipeline run after the notebook is
executed, reads the code of every cell the student can edit (Python's ``ast``; it runs
nothing) and finds:

- **a module changed**: an attribute of a module assigned or deleted (``np.allclose = f``,
  ``del keras.layers.Dense``, ``builtins.isinstance = f``, ``__builtins__.len = f``), directly
  or through ``setattr``/``delattr``, ``object.__setattr__``, the module's ``__dict__`` or
  ``vars()``, ``sys.modules``, ``globals()``, ``__import__``/``importlib.import_module``, or
  ``unittest.mock.patch``. Every test cell after it scores 0: it runs with changed tools.
- **a name the tests use rebound**: at the top level of a cell, a builtin (``isinstance =
  ...``, ``def len(x): ...``) or a module name (``np = FakeNumpy()``, ``import fake as np``)
  given another value. Every later test cell that reads that name scores 0.

Each such test cell gets an error (``TamperingError``) that says which line changed what;
nbgrader then scores it 0, and the feedback shows why. Whether a dotted name is a module is
read from the installed packages' files (``numpy.testing`` is, ``pandas.options`` is not), so
configuring a library (``pd.options.display.max_rows = 10``, ``plt.rcParams[...] = ...``) is
not tampering. Code that builds names at run time (``exec``, ``eval``, ``getattr`` with a
computed name) gets past a reading of the code; the hidden tests remain the backstop there.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from IPython.core.inputtransformer2 import TransformerManager
from nbformat.v4 import new_output
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import NbGraderPreprocessor

ERROR_NAME = "TamperingError"
BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))
MUTATORS = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__",
                      "__delitem__"})


@dataclass(frozen=True)
class Change:
    """One line of student code that changes what tests rely on."""

    cell: int  # index of the cell in the notebook
    line: int  # line in that cell, from 1
    code: str  # that line
    what: str  # what it changes, for the message
    name: str | None = None  # the global name rebound; None: a module changed (all tests)


def parse(source: str) -> ast.Module | None:
    """The code of a cell (IPython magics turned into Python), or None if it does not parse."""
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


@cache
def is_module(dotted: str) -> bool:
    """Whether ``dotted`` names an installed module, found from its files (nothing imported)."""
    if dotted in sys.modules:  # imported here already: os.path, a module of the standard library
        return True
    top, *rest = dotted.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    folders = [Path(folder) for folder in spec.submodule_search_locations or ()]
    for part in rest:
        found = []
        for folder in folders:
            if (folder / part / "__init__.py").is_file() or (folder / part).is_dir():
                found.append(folder / part)
            elif any(folder.glob(f"{part}.py")) or any(folder.glob(f"{part}.*.so")):
                return part == rest[-1]
        if not found:
            return False
        folders = found
    return True


def imports(trees: Sequence[ast.AST]) -> dict[str, str]:
    """name -> the dotted module or object the first import of it binds it to, in every cell
    (a later import of another module under that name is a rebinding, found elsewhere)."""
    names: dict[str, str] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        names.setdefault(alias.asname, alias.name)
                    else:
                        top = alias.name.split(".")[0]
                        names.setdefault(top, top)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        names.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")
    return names


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _Reader:
    """What the expressions of a notebook's cells stand for."""

    def __init__(self, names: dict[str, str]):
        self.names = names

    def dotted(self, node: ast.AST) -> str | None:
        """``numpy.testing`` for ``np.testing``; ``__import__("numpy")``, ``sys.modules["numpy"]``
        and ``importlib.import_module("numpy")`` for ``numpy``."""
        if isinstance(node, ast.Name):
            return "builtins" if node.id == "__builtins__" else self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Call) and node.args:
            function = self.dotted(node.func) or ""
            if function in ("builtins.__import__", "importlib.import_module") or (
                isinstance(node.func, ast.Name) and node.func.id == "__import__"
            ):
                return _constant(node.args[0])
        if isinstance(node, ast.Subscript) and self.dotted(node.value) == "sys.modules":
            return _constant(node.slice)
        return None

    def module(self, node: ast.AST) -> str | None:
        """The module ``node`` stands for, if it is one."""
        dotted = self.dotted(node)
        return dotted if dotted and is_module(dotted) else None

    def namespace(self, node: ast.AST) -> str | None:
        """The module whose namespace ``node`` is: ``M.__dict__``, ``vars(M)``, ``globals()``,
        ``sys.modules``."""
        if isinstance(node, ast.Attribute) and node.attr == "__dict__":
            return self.module(node.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "vars" and node.args:
                return self.module(node.args[0])
            if node.func.id == "globals":
                return "the notebook's globals"
        dotted = self.dotted(node)
        if dotted == "sys.modules":
            return "sys.modules"
        return "builtins" if dotted == "builtins" and isinstance(node, ast.Name) else None

    def changed_by_target(self, target: ast.AST) -> str | None:
        """The module (attribute) an assignment or ``del`` target changes."""
        if isinstance(target, ast.Attribute):
            module = self.module(target.value)
            return f"{module}.{target.attr}" if module else None
        if isinstance(target, ast.Subscript):
            return self.namespace(target.value)
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                changed = self.changed_by_target(element)
                if changed:
                    return changed
        return None

    def changed_by_call(self, call: ast.Call) -> str | None:
        """The module a call changes: ``setattr(M, ...)``, ``M.__dict__.update(...)``,
        ``mock.patch(...)``."""
        function = self.dotted(call.func) or ""
        if function.startswith("unittest.mock.patch") or function == "unittest.mock":
            return "a module (unittest.mock.patch)"
        name = call.func.id if isinstance(call.func, ast.Name) else None
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("__setattr__",
                                                                        "__delattr__"):
            name = "setattr"
        if name in ("setattr", "delattr") and call.args:
            module = self.module(call.args[0])
            attribute = _constant(call.args[1]) if len(call.args) > 1 else None
            if module:
                return f"{module}.{attribute}" if attribute else module
        if isinstance(call.func, ast.Attribute) and call.func.attr in MUTATORS:
            return self.namespace(call.func.value)
        return None


def _stored(target: ast.AST) -> list[str]:
    """The names an assignment target binds (``x``, ``a, b``; not the ``np`` of ``np.x``)."""
    return [node.id for node in ast.walk(target)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del)]


def _rebound(statement: ast.stmt, names: dict[str, str]) -> list[str]:
    """Names a top-level statement binds (an import of the same module is not a rebinding)."""
    bound = []
    if isinstance(statement, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.For | ast.Delete):
        targets = (statement.targets if isinstance(statement, ast.Assign | ast.Delete)
                   else [statement.target])
        for target in targets:
            bound += _stored(target)
    elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        bound.append(statement.name)
    elif isinstance(statement, ast.With):
        for item in statement.items:
            if item.optional_vars is not None:
                bound += _stored(item.optional_vars)
    elif isinstance(statement, ast.Import | ast.ImportFrom):
        module = getattr(statement, "module", None)
        for alias in statement.names:
            name = alias.asname or alias.name.split(".")[0]
            target = f"{module}.{alias.name}" if module else (
                alias.name if alias.asname else alias.name.split(".")[0])
            if names.get(name, target) != target:
                bound.append(name)
    walrus = [node.target.id for node in ast.walk(statement) if isinstance(node, ast.NamedExpr)]
    declared = {name for node in ast.walk(statement) if isinstance(node, ast.Global)
                for name in node.names}
    if declared:  # `global x` in a function, then an assignment to x there
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                if node.id in declared:
                    bound.append(node.id)
    return bound + walrus


def changes(cells: Sequence[tuple[int, str]], all_code: Sequence[str]) -> list[Change]:
    """What the student cells ``(index, source)`` change of the tests' tools; ``all_code`` is
    every code cell's source (their imports say what names stand for)."""
    names = imports([tree for source in all_code if (tree := parse(source)) is not None])
    reader = _Reader(names)
    modules = {name for name, dotted in names.items() if is_module(dotted)}
    found = []
    for index, source in cells:
        tree = parse(source)
        if tree is None:
            continue
        lines = source.splitlines()

        def line_of(node: ast.AST, lines=lines) -> tuple[int, str]:
            number = getattr(node, "lineno", 1)
            return number, lines[number - 1].strip() if number <= len(lines) else ""

        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Assign | ast.Delete):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                changed = reader.changed_by_target(target)
                if changed:
                    found.append(Change(index, *line_of(node), changed))
            if isinstance(node, ast.Call):
                changed = reader.changed_by_call(node)
                if changed:
                    found.append(Change(index, *line_of(node), changed))
        for statement in tree.body:
            for name in _rebound(statement, names):
                if name in BUILTINS or name in modules:
                    kind = "the builtin" if name in BUILTINS else "the module name"
                    found.append(Change(index, *line_of(statement), f"{kind} `{name}`", name))
    return found


def reads(source: str) -> set[str]:
    """Global names a test cell reads before binding them itself."""
    tree = parse(source)
    if tree is None:
        return set()
    bound = {name for statement in tree.body for name in _rebound(statement, {})}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            bound.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)} - bound


def affected(test_index: int, test_source: str, found: Sequence[Change]) -> list[Change]:
    """The changes made before the test cell at ``test_index`` that its check relies on."""
    used = reads(test_source)
    return [change for change in found if change.cell < test_index
            and (change.name is None or change.name in used)]


def message(change: Change) -> str:
    """Why a check scores 0, for the feedback."""
    return (f"cell {change.cell + 1}, line {change.line} (`{change.code}`) changes "
            f"{change.what}, which this test relies on. A test run with changed tools proves "
            "nothing: this check scores 0.")


class FlagTampering(NbGraderPreprocessor):
    """nbgrader autograde step: a test cell run after code that changed its tools gets an
    error, so nbgrader scores it 0."""

    def preprocess(self, nb, resources):
        code = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
        student = [(index, cell.source) for index, cell in code
                   if not (nbgrader_utils.is_grade(cell) or nbgrader_utils.is_locked(cell))]
        found = changes(student, [cell.source for _, cell in code])
        if not found:
            return nb, resources
        notebook = resources["nbgrader"]["notebook"]
        for index, cell in code:
            if not nbgrader_utils.is_grade(cell) or nbgrader_utils.is_solution(cell):
                continue
            relied_on = affected(index, cell.source, found)
            if relied_on:
                text = message(relied_on[0])
                self.log.warning("%s: %s", notebook, text)
                cell.outputs.append(new_output("error", ename=ERROR_NAME, evalue=text,
                                               traceback=[f"{ERROR_NAME}: {text}"]))
        return nb, resources
