"""show_source (helpers/display.py): a helper's code, under the file and lines it comes from."""

import re

import pytest

from helpers import data, display
from helpers.settings import REPO_ROOT

WHERE = re.compile(r"^`(?P<path>[^`,]+), lines (?P<first>\d+)-(?P<last>\d+)`$")


def shown(obj, monkeypatch) -> str:
    """The Markdown that show_source displays for ``obj``."""
    displayed = []
    monkeypatch.setattr("IPython.display.display", displayed.append)
    display.show_source(obj)
    assert len(displayed) == 1
    return displayed[0].data


def test_the_code_is_shown_under_its_file_and_lines(monkeypatch):
    text = shown(data.load_mnist, monkeypatch)
    where, blank, fence, *code, closing = text.splitlines()
    found = WHERE.match(where)
    assert found, f"no 'file, lines first-last' line above the code: {where!r}"
    assert found["path"] == "helpers/data.py"  # relative to the repository, with / everywhere
    assert (blank, fence, closing) == ("", "```python", "```")

    source = (REPO_ROOT / found["path"]).read_text(encoding="utf-8").splitlines()
    first, last = int(found["first"]), int(found["last"])
    assert source[first - 1].startswith("def load_mnist("), "the first line is the def"
    assert code == source[first - 1 : last], "the lines named are the lines shown"


def test_a_one_line_function_names_its_one_line(tmp_path, monkeypatch):
    module = tmp_path / "one_liner.py"
    module.write_text("# a comment\n\ndef seven(): return 7\n", encoding="utf-8")
    monkeypatch.syspath_prepend(tmp_path)
    from one_liner import seven

    where = shown(seven, monkeypatch).splitlines()[0]
    assert where == f"`{module.resolve().as_posix()}, line 3`"  # outside the repository: as is


@pytest.mark.parametrize("obj", [len, int, 3])
def test_an_object_without_python_source_gets_a_clear_error(obj, monkeypatch):
    with pytest.raises(TypeError, match="shows code written in a Python file.*has none"):
        shown(obj, monkeypatch)
