"""Debian's chromium, the one browser the course's tools and tests drive through Playwright,
and the flags it runs with on a machine that may have no network: nothing is downloaded,
neither a browser (no ``playwright install``) nor anything a page asks for beyond this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; .ci/install-debian installs it
CHROMIUM_ARGS = (
    "--no-sandbox",  # tests and CI run as root in containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # no update, safe-browsing or sync requests: the machine may have no network at all
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")  # requests that stay on this machine


class ChromiumNotFound(RuntimeError):
    """The browser to drive is not installed."""


def find_chromium(path: Path | None = None) -> Path:
    """The Chromium executable (default: Debian's); a clear error when it is not installed."""
    path = Path(path) if path is not None else CHROMIUM
    if not path.is_file():
        raise ChromiumNotFound(
            f"no Chromium at {path}: install Debian's chromium (`sudo apt-get install chromium`, "
            "or .ci/install-debian chromium chromium browser), or name another one with "
            "--chromium PATH"
        )
    return path


@contextmanager
def offline_browser(chromium: Path | None = None) -> Iterator:
    """A headless Chromium started by Playwright from ``chromium`` (default: Debian's)."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium(chromium)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()
