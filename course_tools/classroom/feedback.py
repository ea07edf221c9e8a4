"""What the feedback a student gets back may show: no hidden test, and how it was graded.

nbgrader's feedback is the autograded notebook as HTML, and nbgrader shows the hidden tests
there on purpose (nbgrader issue #917). Here they stay hidden: :class:`HideHiddenTests`, a step
of nbgrader's ``generate_feedback``, removes the hidden-test regions of the test cells (nbgrader's
own ``ClearHiddenTests``) and then every output that shows one of their lines, or
:data:`RUN` characters of one in a row — a failed hidden test's traceback quotes its code, and
a student's code can print what the kernel ran; text the notebook also shows outside the
hidden regions is not a secret. An error keeps its name and message; its
traceback is cut. What a student's code prints in another form (reversed, encoded) gets past
a reading of the text. :class:`GradedWithoutSandbox` opens each
feedback file with a note when the kernels ran without a sandbox (``SANDBOX=none``).
"""

from __future__ import annotations

import re

from nbformat.v4 import new_markdown_cell
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
SHORTEST = 12  # characters: a shorter hidden line ("pass", "x = 1") is not searched for
RUN = 40  # characters of a longer hidden line that give it away
REMOVED = "[output removed from the feedback: it showed the hidden tests]\n"
NO_SANDBOX = (
    "**Graded without a sandbox.** This notebook ran with the grader's rights (`SANDBOX=none`): "
    "its code could read and change what the grader can. Ask your instructor about it."
)


def plain(text: str) -> str:
    """``text`` without terminal colours, its white space folded."""
    return " ".join(ANSI_ESCAPE.sub("", text).split())


def _regions(cells, begin: str, end: str) -> tuple[list[str], list[str]]:
    """The lines inside the hidden-test regions of the test cells, and all other lines."""
    hidden, visible = [], []
    for cell in cells:
        inside = False
        for line in cell.source.splitlines():
            if nbgrader_utils.is_grade(cell) and begin in line:
                inside = True
            elif inside and end in line:
                inside = False
            else:
                (hidden if inside else visible).append(plain(line))
    return hidden, visible


def hidden_lines(cells, begin: str, end: str) -> set[str]:
    """The lines of the hidden-test regions of the test cells, folded, long enough to search."""
    hidden, _ = _regions(cells, begin, end)
    return {line for line in hidden if len(line) >= SHORTEST}


def hidden_pieces(cells, begin: str, end: str) -> set[str]:
    """What gives a hidden test away: each of its long lines and every run of :data:`RUN`
    characters of one, unless the notebook shows the same text outside the hidden regions
    (read as a page shows it: white space folded across lines, markdown's backticks gone)."""
    _, visible = _regions(cells, begin, end)
    shown = " ".join(visible)
    shown = f"{shown}\n{shown.replace('`', '')}"
    return {piece for piece in _pieces(hidden_lines(cells, begin, end)) if piece not in shown}


def _texts(output) -> list[str]:
    texts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    for value in output.get("data", {}).values():
        texts += value if isinstance(value, list) else [str(value)]
    return [text if isinstance(text, str) else "".join(text) for text in texts]


def _pieces(lines: set[str]) -> set[str]:
    """Each line, and every run of :data:`RUN` characters of the longer ones."""
    return {line[start:start + RUN] for line in lines
            for start in range(max(1, len(line) - RUN + 1))}


def shows(output, pieces: set[str]) -> bool:
    """Whether an output shows one of ``pieces`` (see :func:`hidden_pieces`)."""
    text = plain("\n".join(_texts(output)))
    return any(piece in text for piece in pieces)


def hide(output, pieces: set[str]):
    """``output`` without what it shows of ``pieces``: an error keeps its name (and message,
    unless that shows one), anything else is replaced by a note."""
    if output.output_type == "error":
        evalue = "" if shows({"evalue": output.evalue}, pieces) else output.evalue
        output.evalue = evalue
        output.traceback = [f"{output.ename}: {evalue}".rstrip(": ") + " (traceback hidden)"]
        return output
    output.clear()
    output.update(output_type="stream", name="stdout", text=REMOVED)
    return output


class HideHiddenTests(ClearHiddenTests):
    """nbgrader feedback step: hidden tests out of the test cells and out of every output."""

    def preprocess(self, nb, resources):
        pieces = hidden_pieces(nb.cells, self.begin_test_delimeter, self.end_test_delimeter)
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            for index, output in enumerate(cell.get("outputs", [])):
                if shows(output, pieces):
                    cell.outputs[index] = hide(output, pieces)
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        if nbgrader_utils.is_grade(cell):  # a student's own cell is theirs, markers or not
            self._remove_hidden_test_region(cell)
        return cell, resources


class GradedWithoutSandbox(NbGraderPreprocessor):
    """nbgrader feedback step: a note at the top that the notebook ran without a sandbox."""

    def preprocess(self, nb, resources):
        nb.cells.insert(0, new_markdown_cell(NO_SANDBOX))
        return nb, resources
