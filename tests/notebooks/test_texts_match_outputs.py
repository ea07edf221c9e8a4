"""The texts of the notebooks state what their committed (full-profile) outputs show.

Each fact of :mod:`tests.notebooks.stated_facts` pins a sentence and checks it against the
printed numbers. A changed cell makes its committed outputs stale: re-execute the notebook
(``python -m course_tools.run_notebooks notebooks/NN_name.ipynb``) and fix the sentence if the
numbers moved.
"""

import nbformat
import pytest

from tests.notebooks import stated_facts
from tests.notebooks.stated_facts import FACTS, Fact, collapse, holds, number, printed_text


@pytest.mark.parametrize("fact", FACTS, ids=[f"{f.notebook}:{f.name}" for f in FACTS])
def test_the_text_states_what_the_notebook_printed(fact):
    stated_facts.verify(fact)


def test_every_fact_names_a_new_sentence():
    names = [(fact.notebook, fact.name) for fact in FACTS]
    assert len(set(names)) == len(names)


# ---------------------------------------------------------------------------------------------
# The machinery, on made-up text


def fake_notebook(markdown, *printed):
    cells = [nbformat.v4.new_markdown_cell(markdown)]
    for text in printed:
        cell = nbformat.v4.new_code_cell("print(...)")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


@pytest.mark.parametrize("text, value", [("60,000", 60000), ("80.9%", 80.9), ("nine", 9), ("3", 3)])
def test_number_reads_the_ways_texts_write_numbers(text, value):
    assert number(text) == value


def test_printed_text_keeps_stdout_and_results_and_collapses_space():
    nb = fake_notebook("text", "a  b\n", "c")
    nb.cells[1].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="noise"))
    nb.cells[1].outputs.append(
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": "table\n  row"}, execution_count=1
        )
    )
    assert printed_text(nb) == "a b table row c"
    assert collapse(" x \n\n y ") == "x y"


def test_verify_compares_the_stated_and_the_printed_numbers(monkeypatch):
    notebooks = {
        "99_fake": fake_notebook("About 81% of pixels are\nbackground.", "background: 80.9%")
    }
    monkeypatch.setattr(stated_facts, "read_notebook", notebooks.__getitem__)
    near = Fact(
        "share",
        "99_fake",
        r"About (?P<share>\d+)% of pixels",
        r"background: (?P<share>[\d.]+)%",
        within=0.5,
    )
    stated_facts.verify(near)
    exact = Fact(
        "share", "99_fake", r"About (?P<share>\d+)% of pixels", r"background: (?P<share>[\d.]+)%"
    )
    with pytest.raises(
        AssertionError, match=r"states share: \{'share': '81'\}, but 99_fake printed"
    ):
        stated_facts.verify(exact)
    missing = Fact(
        "share", "99_fake", r"About (?P<share>\d+)% of pixels", r"foreground: (?P<share>\d+)"
    )
    with pytest.raises(AssertionError, match="prints nothing like"):
        stated_facts.verify(missing)
    twice = Fact("share", "99_fake", r"(?P<share>\d)", r"(?P<share>\d)")
    with pytest.raises(AssertionError, match="should state 'share' once"):
        stated_facts.verify(twice)


def test_a_fact_can_check_the_whole_printed_text():
    fact = Fact("all small", "99_fake", "x", check=lambda said, shown: "big" not in shown["text"])
    assert holds(fact, {}, {"text": "small small"})
    assert not holds(fact, {}, {"text": "small big"})
