"""Student code that reaches outside its notebook, named in the grading log.

No notebook of this course needs a database, a socket, a subprocess, a signal, a fork or the
files of the machine beyond its own folder. :func:`reaching_out` reads (never runs) the code
cells of a hand-in and names each line that does one of these and is not a line of the
instructor's notebook (its Colab cell clones the course), so the instructor sees who tried
what. It scores nothing: the sandbox is what stops it (:mod:`~course_tools.classroom.sandbox`),
and without one the grading log is where it shows.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from course_tools.classroom.submissions import HandIn
from course_tools.classroom.tampering import imports, parse

MODULES = ("sqlite3", "socket", "subprocess", "ctypes", "urllib", "http", "requests", "pty",
           "signal", "multiprocessing", "shutil")
CALLS = ("os.kill", "os.killpg", "os.fork", "os.forkpty", "os.system", "os.popen", "os.exec",
         "os.spawn", "os.setsid", "os.chdir", "os.walk", "os.scandir", "os.listdir",
         "glob.glob", "glob.iglob", "pathlib.Path.home", "os.path.expanduser")
OUTSIDE = ("/", "~", "..")  # a path that starts here leaves the notebook's own folder


def _dotted(node: ast.AST, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return names.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, names)
        return f"{base}.{node.attr}" if base else None
    return None


def _leaves(node: ast.AST) -> bool:
    """A string constant among the call's arguments that is a path outside the notebook."""
    return any(isinstance(arg, ast.Constant) and isinstance(arg.value, str)
               and arg.value.startswith(OUTSIDE) and not arg.value.startswith("/submission")
               for arg in ast.walk(node))


def findings(source: str, names: dict[str, str],
             known: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """``(line, what)`` for every reach outside in one cell's code (lines in ``known``, the
    instructor's, left out)."""
    tree = parse(source)
    if tree is None:
        return []
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = getattr(node, "module", None)
            for alias in node.names:
                dotted = f"{module}.{alias.name}" if module else alias.name
                if dotted.split(".")[0] in MODULES:
                    found.append((node.lineno, f"imports {dotted}"))
        elif isinstance(node, ast.Call):
            dotted = _dotted(node.func, names) or ""
            if dotted.startswith(CALLS):
                found.append((node.lineno, f"calls {dotted}"))
            elif dotted in ("open", "pathlib.Path", "Path") and _leaves(node):
                found.append((node.lineno, f"opens a path outside its folder with {dotted}"))
    return [(line, what) for line, what in found
            if line > len(lines) or lines[line - 1].strip() not in known]


def _lines(notebook: Path) -> frozenset[str]:
    if not notebook.is_file():
        return frozenset()
    nb = nbformat.read(notebook, as_version=4)
    return frozenset(line.strip() for cell in nb.cells if cell.cell_type == "code"
                     for line in cell.source.splitlines())


def reaching_out(hand_in: HandIn, instructor: Path) -> list[str]:
    """One note per notebook of ``hand_in`` whose code reaches outside (empty when none);
    ``instructor`` holds the instructor's notebooks."""
    notes = []
    for name in hand_in.readable():
        known = _lines(Path(instructor) / f"{name}.ipynb")
        nb = nbformat.read(hand_in.found[name], as_version=4)
        code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
        names = imports([tree for source in code if (tree := parse(source)) is not None])
        what = []
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                what += [f"cell {index + 1} line {line} {text}"
                         for line, text in findings(cell.source, names, known)]
        if what:
            notes.append(f"{name}: code that reaches outside the notebook (stopped by the "
                         f"sandbox, if there is one): " + "; ".join(what[:20])
                         + (f"; and {len(what) - 20} more" if len(what) > 20 else ""))
    return notes
