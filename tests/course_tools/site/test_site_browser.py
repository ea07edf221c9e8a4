"""The course's website as `make site` builds it (the committed notebooks, the full run's
report and metrics), read in Debian's chromium driven by Playwright, as a student opens it:
from disk, with no network.

Every page is loaded and every request it makes is recorded: each must be a file of the built
site. Every link between pages resolves, the search finds a word of notebook 06 and the report,
the mathematics is typeset, and the results page shows the numbers of ``reports/metrics.json``.
Screenshots go to scratch/test-artefacts/site/.
"""

import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from course_tools.colab import read_course
from course_tools.reporting.inputs import load_metrics
from course_tools.reporting.readme_tables import HEADER, results_rows
from course_tools.run_notebooks import course_notebooks
from course_tools.site import build, pages
from helpers import settings

ARTEFACTS = settings.REPO_ROOT / "scratch" / "test-artefacts" / "site"
FULL = settings.PROFILES["full"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site of the committed course (a few seconds: nothing is executed)."""
    inputs = pages.SiteInputs(
        course_notebooks(), FULL, read_course(settings.REPO_ROOT / "pyproject.toml")
    )
    return build.build_site(inputs, tmp_path_factory.mktemp("site")).parent


def _pages(site):
    """Every HTML page of the site but the theme's own files."""
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).parts[0][0] == "_")


class _Links(HTMLParser):
    """The ids of a page and the addresses it points to (links, images, scripts, styles)."""

    def __init__(self):
        super().__init__()
        self.ids, self.targets = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.targets.append(attrs[name])


def _parse(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_site_has_a_page_per_notebook_in_course_order(site):
    notebooks = [path.stem for path in course_notebooks()]
    assert [p.stem for p in sorted((site / "notebooks").glob("*.html"))] == notebooks
    index = (site / "index.html").read_text(encoding="utf-8")
    positions = [index.index(f'href="notebooks/{name}.html"') for name in notebooks]
    assert positions == sorted(positions)
    for page in ("results", "report", "search"):
        assert (site / f"{page}.html").is_file()


def test_every_internal_link_resolves(site):
    parsed = {}
    broken = []
    for page in _pages(site):
        for target in _parse(page).targets:
            parts = urlsplit(target)
            if parts.scheme in ("http", "https", "mailto", "data", "javascript"):
                continue
            if not parts.path:  # "#anchor" on the same page
                path = page
            else:
                path = (page.parent / unquote(parts.path)).resolve()
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                broken.append(f"{page.relative_to(site)}: {target}")
                continue
            if parts.fragment and path.suffix == ".html":
                ids = parsed.setdefault(path, _parse(path)).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: {target} (no such anchor)")
    assert broken == []


def _open(browser, url):
    """A page loaded in a fresh tab; the requests it made, those that failed and those that
    finished (lists that grow while the page runs)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests, failed, finished = _watch(page)
    page.goto(url, wait_until="load")
    return page, requests, failed, finished


def _watch(page):
    """The URLs ``page`` will request, those that fail and those that finish."""
    requests, failed, finished = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("requestfinished", lambda request: finished.append(request.url))
    return requests, failed, finished


def _settle(page, requests, failed, finished, quiet_ms=500, timeout_s=30) -> None:
    """Wait until every request the page made has finished or failed and none started for
    ``quiet_ms``; Playwright's ``networkidle`` (which counts connections, not requests)
    sometimes never came on a busy machine."""
    deadline = time.monotonic() + timeout_s
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if len(requests) != seen:
            seen, quiet_since = len(requests), time.monotonic()
        pending = len(requests) - len(failed) - len(finished)
        if pending <= 0 and time.monotonic() - quiet_since >= quiet_ms / 1000:
            return
        page.wait_for_timeout(50)  # lets the page's events come in
    done = set(failed) | set(finished)
    raise AssertionError(f"{page.url}: still loading after {timeout_s} s: "
                         f"{[url for url in requests if url not in done]}")


def test_every_page_loads_with_no_request_leaving_the_site(browser, site):
    root = site.as_uri() + "/"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for path in _pages(site):
        page, requests, failed, finished = _open(browser, path.as_uri())
        try:
            _settle(page, requests, failed, finished)
            assert page.title(), path
            outside = [url for url in requests if not url.startswith((root, "data:", "blob:"))]
            assert outside == [], f"{path.relative_to(site)} asked for {outside}"
            assert failed == [], f"{path.relative_to(site)}: these did not load: {failed}"
            if path.parent == site or path.stem.startswith("01"):
                page.screenshot(path=ARTEFACTS / f"{path.stem}.png")
        finally:
            page.close()


def test_a_page_still_loading_is_named_with_what_it_waits_for(browser):
    page = browser.new_page()
    requests, failed, finished = _watch(page)
    page.route("http://hang.invalid/**", lambda route: None)  # never answered
    try:
        page.set_content('<script>fetch("http://hang.invalid/data.json")</script>')
        with pytest.raises(AssertionError, match="still loading.*hang.invalid/data.json"):
            _settle(page, requests, failed, finished, timeout_s=2)
    finally:
        page.close()


def test_the_search_finds_mcnemar_in_notebook_06_and_the_report(browser, site):
    page, *_ = _open(browser, f"{site.as_uri()}/search.html?q=McNemar")
    try:
        results = page.locator("#search-results ul.search li a")
        results.first.wait_for(timeout=30_000)
        found = {Path(urlsplit(href).path).name for href in
                 (results.nth(i).get_attribute("href") for i in range(results.count()))}
        assert {"06_improve.html", "report.html"} <= found
        page.screenshot(path=ARTEFACTS / "search.png")
    finally:
        page.close()


def test_the_mathematics_of_notebook_06_is_typeset(browser, site):
    page, *_ = _open(browser, (site / "notebooks" / "06_improve.html").as_uri())
    try:
        formulas = page.locator("div.math mjx-container svg")
        formulas.first.wait_for(timeout=30_000)
        assert formulas.count() >= 2
        assert page.locator("mjx-merror").count() == 0, "MathJax could not read a formula"
        box = formulas.first.bounding_box()
        assert box["width"] > 100 and box["height"] > 20
        assert "\\begin{aligned}" not in page.locator("article").inner_text()
    finally:
        page.close()


def test_the_results_table_shows_the_numbers_of_metrics_json(browser, site):
    page, *_ = _open(browser, (site / "results.html").as_uri())
    try:
        table = page.locator("article table").first
        header = [cell.strip() for cell in table.locator("thead th").all_inner_texts()]
        rows = [[cell.strip().replace("\u2019", "'")  # the page curls the ' of "CNN's"
                 for cell in row.locator("td").all_inner_texts()]
                for row in table.locator("tbody tr").all()]
        assert header == list(HEADER)
        assert rows == results_rows(load_metrics(FULL))
    finally:
        page.close()


def test_the_report_shows_every_figure(browser, site):
    page, *_ = _open(browser, (site / "report.html").as_uri())
    try:
        images = page.locator("article img")
        widths = images.evaluate_all("images => images.map(image => image.naturalWidth)")
        assert len(widths) >= 20 and all(width > 0 for width in widths), widths
    finally:
        page.close()
