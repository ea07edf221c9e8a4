"""The drawing page in a real browser: Debian's chromium driven by Playwright.

A person draws a digit, reads the answer, presses Clear and draws the next one at once. The
test does that for all ten digits on one page and asserts every answer; the fifth digit is
cleared with the sketchpad's own bin button instead of Clear. After each answer, the canvas
must hold the new digit's ink only: nothing left from the digit before. Clicks are Playwright's
mouse; strokes are too for two digits, pointer events dispatched in the page for the others
(see DRAWN_WITH_THE_MOUSE).

The browser is the system's chromium (``.ci/install-debian`` installs it; `make unit-test`
runs that script first), never a browser downloaded by `playwright install`. The ten answers
are saved side by side in scratch/test-artefacts/app_digits.png, the page in app.png.
"""

import io
import re
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image, ImageFilter
from playwright.sync_api import expect

from helpers import settings
from helpers.deploy.app import BRUSH_RADIUS, CANVAS_SIZE, NO_DIGIT
from tests.helpers.deploy.digit_strokes import STROKES, draw_with_pil

ARTEFACTS = settings.REPO_ROOT / "scratch" / "test-artefacts"
ANSWER_SECONDS = 30  # generous: a loaded 2-core CI machine
CLEARED_WITH_THE_BIN = 4  # the digit the sketchpad's own bin button clears
BIN = '#sketchpad button[aria-label="Clear canvas"]'
# Playwright's mouse goes through chromium's input pipeline, where every move waits for the
# sketchpad's software-rendered WebGL (about 0.4 s a point on a 2-core machine, 30 s for the ten
# digits). Two digits are drawn that way; the others with the same pointer events dispatched in
# the page, each point hit-tested first so that anything covering the canvas still stops them.
DRAWN_WITH_THE_MOUSE = {1, 7}
DISPATCH_STROKES_JS = """strokes => {
    const canvas = document.querySelector("#sketchpad canvas");
    const pointer = (type, [x, y], buttons) => canvas.dispatchEvent(new PointerEvent(type, {
        clientX: x, clientY: y, buttons, button: 0, pointerId: 1, pointerType: "mouse",
        isPrimary: true, bubbles: true, cancelable: true, composed: true,
    }));
    for (const points of strokes) {
        for (const [x, y] of points) {
            const found = document.elementFromPoint(x, y);
            if (found !== canvas) {
                throw new Error(`${found?.outerHTML.slice(0, 80)} covers (${x}, ${y})`);
            }
        }
        pointer("pointermove", points[0], 0);
        pointer("pointerdown", points[0], 1);
        points.slice(1).forEach((point) => pointer("pointermove", point, 1));
        pointer("pointerup", points.at(-1), 0);
    }
}"""
INK = 128  # a pixel darker than this is ink
STRAY_INK_PIXELS = 40  # ink allowed outside the current digit's strokes (anti-aliasing)


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


def drawing_square(page):
    """(left, top, side) of the sketchpad's paper in page pixels: its CANVAS_SIZE-pixel canvas
    at the zoom the sketchpad shows, in the middle of its drawing area."""
    box = page.locator("#sketchpad canvas").first.bounding_box()
    zoom = float(page.locator("#sketchpad .zoom-number").inner_text().strip().rstrip("%")) / 100
    side = CANVAS_SIZE * zoom
    return box["x"] + (box["width"] - side) / 2, box["y"] + (box["height"] - side) / 2, side


def draw(page, digit):
    """Draw ``digit`` on the sketchpad's canvas: with Playwright's mouse for the digits of
    DRAWN_WITH_THE_MOUSE, with pointer events dispatched in the page for the others."""
    left, top, side = drawing_square(page)
    strokes = [[(left + x * side, top + y * side) for x, y in stroke] for stroke in STROKES[digit]]
    if digit not in DRAWN_WITH_THE_MOUSE:
        page.evaluate(DISPATCH_STROKES_JS, strokes)
        return
    for points in strokes:
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point)  # one move per point: the brush joins them with a line
        page.mouse.up()


def canvas_picture(page):
    """The sketchpad's paper as the page shows it, its tool buttons painted white: a grey
    uint8 array, one value per page pixel."""
    left, top, side = (round(value) for value in drawing_square(page))
    png = page.screenshot(
        clip={"x": left, "y": top, "width": side, "height": side},
        mask=[page.locator("#sketchpad button")],
        mask_color="#ffffff",
    )
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def ink_away_from(picture, digit=None):
    """How many ink pixels of ``picture`` lie away from ``digit``'s strokes, drawn with the
    brush's round ends (all of its ink pixels when ``digit`` is None)."""
    side = picture.shape[0]
    strokes = Image.new("L", (side, side), 255)
    if digit is not None:
        pen = round(2 * BRUSH_RADIUS * side / CANVAS_SIZE)
        strokes = Image.fromarray(draw_with_pil(digit, side, pen))
        strokes = strokes.filter(ImageFilter.MinFilter(pen + 1))  # a pen radius wider
    return int(((picture < INK) & (np.asarray(strokes) >= INK)).sum())


def answer_is(page, text):
    expect(page.locator("#answer")).to_contain_text(text, timeout=ANSWER_SECONDS * 1000)


def press_predict(page):
    """Press Predict and wait for its answer: the whole drawing goes to the server."""
    with page.expect_request(
        lambda request: "/queue/join" in request.url and '"composite"' in (request.post_data or "")
    ):
        page.locator("#predict").click()
    # the answer's status tracker, shown while the server works, hides again
    expect(page.locator("#answer .wrap")).to_have_class(
        re.compile(r"\bhide\b"), timeout=ANSWER_SECONDS * 1000
    )


def clear(page, digit):
    """Empty the canvas as a person would: Clear, or for one digit the sketchpad's bin."""
    page.locator(BIN if digit == CLEARED_WITH_THE_BIN else "#clear").click()


def save_side_by_side(pictures, path):
    """Save the pictures in one row, 4 pixels apart."""
    height = max(picture.shape[0] for picture in pictures)
    row = np.full((height, sum(p.shape[1] + 4 for p in pictures)), 200, np.uint8)
    x = 0
    for picture in pictures:
        row[: picture.shape[0], x : x + picture.shape[1]] = picture
        x += picture.shape[1] + 4
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(row).save(path)


def test_ten_digits_drawn_one_after_another_with_clear_between_are_each_read_right(page):
    answer_is(page, NO_DIGIT)
    pictures = []
    for digit in range(10):
        draw(page, digit)  # at once after the clear, as a person does
        answer_is(page, f"It is a {digit} (")  # read as you draw: the sketchpad's change event
        expect(page.locator("#chart")).to_contain_text(str(digit))
        picture = canvas_picture(page)
        pictures.append(picture)
        stray = ink_away_from(picture, digit)
        assert stray <= STRAY_INK_PIXELS, (
            f"the canvas holds {stray} ink pixels away from the {digit} just drawn: "
            "the clear before it left the previous digit"
        )
        if digit == 9:
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTEFACTS / "app.png", full_page=True)
            press_predict(page)
            answer_is(page, "It is a 9 (")
        clear(page, digit)
        answer_is(page, NO_DIGIT)
        expect(page.locator("#chart")).not_to_contain_text("%")
    save_side_by_side(pictures, ARTEFACTS / "app_digits.png")

    ink = ink_away_from(canvas_picture(page))
    assert ink == 0, f"{ink} ink pixels are left on the canvas after the tenth clear"
    assert page.outside_requests == [], "the page must not fetch anything from the network"
