"""Build the course's website with Sphinx: ``make site``.

From the command line::

    python -m course_tools.site.build [--out scratch/site]

writes ``<out>/html/index.html`` and a page per notebook, in course order (the order of
:func:`course_tools.run_notebooks.course_notebooks`), with the outputs the notebooks were
committed with: they are not run again. Then the results table and the report (with its
figures) of the full run, and the benchmark when ``make bench`` has run. The pages work from
disk with no network: the theme's files, the search index and MathJax (from the
django-static-mathjax package, SVG output, so no web fonts) are copied beside them.

Each notebook page has launch buttons to Colab and Binder when pyproject.toml sets the course's
address (``Repository`` under ``[project.urls]``; :mod:`course_tools.colab` reads it), at the
git tag of its version; a line at the top of every page says how to run it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from course_tools.colab import Course, github_path, read_course
from course_tools.reporting.inputs import ReportInputError
from course_tools.run_notebooks import course_notebooks
from course_tools.site.pages import TITLE, SiteInputs, run_note, write_sources
from helpers.settings import PROFILES, REPO_ROOT, relative_to_repo

DEFAULT_OUT = REPO_ROOT / "scratch" / "site"
# MathJax 3: the SVG renderer and the TeX extensions it loads on demand (\require, autoload)
MATHJAX_FILES = ("tex-svg.js", "input/tex/extensions")
COLAB = "https://colab.research.google.com"
BINDER = "https://mybinder.org"


def mathjax_dir() -> Path:
    """MathJax's ``es5`` folder as the django-static-mathjax package installs it."""
    import mathjax  # django-static-mathjax: MathJax's files, nothing of Django

    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def copy_mathjax(static: Path) -> None:
    """Copy what the pages load of MathJax into ``static/mathjax/``."""
    source, target = mathjax_dir(), static / "mathjax"
    for name in MATHJAX_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        else:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / name)


def theme_options(course: Course) -> dict:
    """sphinx-book-theme's options: launch buttons from the course's address, if any."""
    options = {
        "announcement": run_note(course),
        "use_download_button": True,  # the .ipynb, to open in your own Jupyter
        "use_fullscreen_button": False,
        "show_toc_level": 2,
    }
    if course.repository:
        launch = {"binderhub_url": BINDER, "notebook_interface": "jupyterlab"}
        if github_path(course.repository):  # Colab opens notebooks from GitHub only
            launch["colab_url"] = COLAB
        options |= {
            "repository_url": course.repository,
            "repository_branch": course.tag,  # the tag the Colab cell clones
            "path_to_docs": "",  # the source folder mirrors the repository's layout
            "use_repository_button": True,
            "launch_buttons": launch,
        }
    return options


def sphinx_config(course: Course, static: Path) -> dict:
    """Sphinx's settings (no conf.py: they are passed as overrides)."""
    return {
        "project": TITLE,
        "html_title": TITLE,
        "author": "",  # no "By ..." line under each page
        "extensions": ["myst_nb"],
        "html_theme": "sphinx_book_theme",
        "html_theme_options": theme_options(course),
        "html_static_path": [str(static)],
        "nb_execution_mode": "off",  # the outputs as committed
        "nb_ipywidgets_js": {},  # no widget manager fetched from a CDN
        "myst_enable_extensions": ["dollarmath", "amsmath"],
        "mathjax_path": "mathjax/tex-svg.js",  # in _static/, copied by copy_mathjax
        # the search lists the pages it finds without fetching each one for a summary, which
        # a browser refuses for pages opened from disk (file://)
        "html_show_search_summary": False,
        "exclude_patterns": ["_static"],
    }


def build_site(inputs: SiteInputs, out: Path = DEFAULT_OUT, quiet: bool = True) -> Path:
    """Build the site anew into ``out/html`` (its sources in ``out/src``); the path of its home
    page. Sphinx's warnings go to stderr."""
    from sphinx.application import Sphinx

    out = Path(out)
    src, html, static, doctrees = out / "src", out / "html", out / "static", out / "doctrees"
    for folder in (html, static, doctrees):
        shutil.rmtree(folder, ignore_errors=True)
    write_sources(inputs, src)
    copy_mathjax(static)
    app = Sphinx(
        srcdir=src,
        confdir=None,
        outdir=html,
        doctreedir=doctrees,
        buildername="html",
        confoverrides=sphinx_config(inputs.course, static),
        status=None if quiet else sys.stdout,
        warning=sys.stderr,
        freshenv=True,
    )
    app.build()
    if app.statuscode:
        raise RuntimeError(f"Sphinx failed (status {app.statuscode})")
    return html / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.site.build", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default: scratch/site); the site is in html/")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    started = time.monotonic()
    inputs = SiteInputs(
        course_notebooks(), PROFILES["full"], read_course(REPO_ROOT / "pyproject.toml")
    )
    try:
        index = build_site(inputs, args.out, quiet=not args.verbose)
    except (ReportInputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {relative_to_repo(index)} ({len(inputs.notebooks)} notebooks) "
          f"in {time.monotonic() - started:.0f} s: open it in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
