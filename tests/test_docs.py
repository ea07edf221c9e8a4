"""The README and docs/: short enough for a newcomer, no broken link, one home per fact."""

import ast
import re
from pathlib import Path

import pytest

from helpers.settings import REPO_ROOT

README = REPO_ROOT / "README.md"
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
HELPERS = REPO_ROOT / "helpers"

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto: ...
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`]+`")


def prose(path: Path) -> str:
    """The Markdown of ``path`` without its code blocks and code spans."""
    return CODE_SPAN.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file."""
    found, seen = set(), {}
    for heading in re.findall(r"^#+\s+(.+?)\s*$", FENCE.sub("", path.read_text("utf-8")), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        found.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return found


def relative_links():
    for page in PAGES:
        for target in LINK.findall(prose(page)):
            if not SCHEME.match(target):
                yield pytest.param(page, target, id=f"{page.name}:{target}")


def test_the_readme_is_short():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines <= 150, f"README.md has {lines} lines: move the details to docs/"


def test_there_are_links_to_check():
    assert len(DOCS) >= 3 and len(list(relative_links())) >= 20


@pytest.mark.parametrize("page, target", list(relative_links()))
def test_every_relative_link_resolves(page, target):
    path, _, anchor = target.partition("#")
    linked = (page.parent / path).resolve() if path else page
    assert linked.exists(), f"{page.name} links to {target}, which does not exist"
    if anchor and linked.suffix == ".md":
        assert anchor in anchors(linked), f"{page.name}: {linked.name} has no heading #{anchor}"


def module_map() -> list[str]:
    """The first column of the tables in helpers/__init__.py's docstring (what the course
    teaches, then the plumbing)."""
    module = ast.parse((HELPERS / "__init__.py").read_text(encoding="utf-8"))
    lines = ast.get_docstring(module).splitlines()
    borders = [i for i, line in enumerate(lines) if re.fullmatch(r"=+( +=+)+", line)]
    assert len(borders) == 6, "the map is two reST tables: top border, header, border, rows, border"
    listed = []
    for top in (0, 3):
        width = len(lines[borders[top]].split()[0])
        rows = lines[borders[top + 1] + 1 : borders[top + 2]]
        listed += [row[:width].strip() for row in rows if row[:width].strip()]
    return listed


def test_the_module_map_lists_every_module_of_helpers_and_nothing_else():
    modules = {p.stem for p in HELPERS.glob("*.py") if not p.name.startswith("_")}
    packages = {f"{p.parent.name}/" for p in HELPERS.glob("*/__init__.py")}
    listed = module_map()
    assert len(listed) == len(set(listed)), "a module is listed twice"
    assert set(listed) == modules | packages


def test_the_python_range_is_stated_once_in_running_md():
    stated = {page.name: len(re.findall(r"\b3\.\d+ to 3\.\d+", prose(page))) for page in PAGES}
    assert {name: n for name, n in stated.items() if n} == {"running.md": 1}
    assert "`requires-python` in pyproject.toml" in (REPO_ROOT / "docs" / "running.md").read_text()


def test_the_onednn_explanation_has_one_home():
    """Which CPUs TensorFlow enables oneDNN on is said at ONEDNN_ENV_VAR, and only there."""
    homes = [*PAGES, REPO_ROOT / "Makefile", *HELPERS.rglob("*.py")]
    saying = [p.relative_to(REPO_ROOT).as_posix() for p in homes if "AVX-VNNI" in p.read_text()]
    assert saying == ["helpers/__init__.py"]
