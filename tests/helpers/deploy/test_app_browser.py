"""The drawing page in a real browser: Debian's chromium driven by Playwright.

Mouse strokes on the sketchpad must come back as the right digit, and a cleared canvas as
"no digit found". The browser is the system's chromium (``.ci/install-chromium`` installs it;
`make unit-test` runs that script first), never a browser downloaded by `playwright install`.
A screenshot of the page is saved to scratch/test-artefacts/app.png.
"""

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from helpers import settings
from helpers.deploy.app import NO_DIGIT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in CI containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # no update, safe-browsing or sync requests: the machine may have no network at all
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = settings.REPO_ROOT / "scratch" / "test-artefacts"
ANSWER_SECONDS = 30  # generous: a loaded 2-core CI machine
STROKES = {  # (x, y) as fractions of the canvas, one list per stroke
    7: [[(0.3, 0.22), (0.72, 0.22), (0.45, 0.82)]],
    1: [[(0.5, 0.15), (0.5, 0.85)]],
}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        found = shutil.which("chromium")
        pytest.fail(
            f"Debian's chromium is not installed at {CHROMIUM}"
            + (f" (found {found})" if found else "")
            + ": run .ci/install-chromium (sudo apt-get install chromium), then the tests again"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, app_url):
    """The page, loaded, the brush chosen; it records every request that leaves the app."""
    page = browser.new_page(viewport={"width": 960, "height": 720})
    page.outside_requests = []
    app_host = urlsplit(app_url).netloc
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).netloc == app_host
            or request.url.startswith(("data:", "blob:"))
            or page.outside_requests.append(request.url)
        ),
    )
    page.goto(app_url)
    # the app's start-up script picks the brush once the sketchpad has drawn its tools
    expect(page.locator("#sketchpad button.quite-round.highlight")).to_have_count(1, timeout=30_000)
    yield page
    page.close()


def draw(page, digit):
    """Draw ``digit`` with mouse strokes on the sketchpad's canvas."""
    box = page.locator("#sketchpad canvas").first.bounding_box()
    side = min(box["width"], box["height"])  # the white square sits in the middle
    left = box["x"] + (box["width"] - side) / 2
    top = box["y"] + (box["height"] - side) / 2
    for stroke in STROKES[digit]:
        points = [(left + x * side, top + y * side) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=2)  # the brush joins the points with lines
        page.mouse.up()


def answer_is(page, text):
    expect(page.locator("#answer")).to_contain_text(text, timeout=ANSWER_SECONDS * 1000)


def test_drawing_a_digit_shows_it_and_clearing_asks_for_another(page):
    answer_is(page, NO_DIGIT)

    draw(page, 7)  # read as you draw: the sketchpad's change event
    answer_is(page, "It is a 7 (")
    expect(page.locator("#chart")).to_contain_text("7")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / "app.png", full_page=True)

    page.locator("#clear").click()
    answer_is(page, NO_DIGIT)
    expect(page.locator("#chart")).not_to_contain_text("%")

    draw(page, 1)  # the brush is chosen again after clearing
    answer_is(page, "It is a 1 (")
    page.locator("#predict").click()
    answer_is(page, "It is a 1 (")

    assert page.outside_requests == [], "the page must not fetch anything from the network"
