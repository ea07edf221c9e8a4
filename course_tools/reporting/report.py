"""Build ``REPORT.md`` from a run's ``metrics.json`` and figures; never typed by hand.

From the command line::

    python -m course_tools.reporting.report [--profile full|quick] [--update-readme]

writes ``<reports_dir>/REPORT.md`` of the profile (default: the active one). With
``--update-readme`` it also rewrites the results table of README.md (full profile only).
A missing metrics file, section, key or figure stops it with a message naming the notebook
to run; all missing inputs are listed at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course_tools.reporting.inputs import Figures, ReportInputError, load_metrics
from course_tools.reporting.readme_tables import update_readme
from course_tools.reporting.sections import SECTIONS
from helpers.settings import PROFILES, REPO_ROOT, Profile, active_profile, relative_to_repo

REPORT_NAME = "REPORT.md"
BENCHMARK_NAME = "benchmark.md"  # written beside it by `make bench` (course_tools.benchmark)


def render_report(profile: Profile) -> str:
    """The Markdown of the report of ``profile``'s run."""
    metrics = load_metrics(profile)
    if metrics.profile != profile.name:
        raise ReportInputError(
            f"{metrics.name} says it was written by the {metrics.profile!r} profile, but it lies "
            f"in the {profile.name!r} profile's folder: re-run the notebooks in that profile"
        )
    figures = Figures(profile)
    parts, problems = [], []
    for section in SECTIONS:
        try:
            parts.append(section(metrics, figures))
        except ReportInputError as exc:
            problems.append(str(exc))
    problems = list(dict.fromkeys(problems + figures.missing))  # each once, in order
    if problems:
        if len(problems) == 1:
            raise ReportInputError(problems[0])
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise ReportInputError(f"the report needs {len(problems)} more inputs:\n{listed}")
    return "\n\n".join(parts) + "\n"


def write_report(profile: Profile) -> Path:
    """Write ``REPORT.md`` next to the profile's metrics file; return its path."""
    path = profile.reports_dir / REPORT_NAME
    path.write_text(render_report(profile), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_tools.reporting.report", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--profile", choices=sorted(PROFILES),
                        help="the run to report on (default: MNIST_COURSE_PROFILE, else full)")
    parser.add_argument("--update-readme", action="store_true",
                        help="also rewrite README.md's results table (full profile only)")
    args = parser.parse_args(argv)
    try:
        profile = PROFILES[args.profile] if args.profile else active_profile()
        path = write_report(profile)
        print(f"wrote {relative_to_repo(path)} ({profile.name} profile)")
        if args.update_readme:
            changed = update_readme(REPO_ROOT / "README.md", load_metrics(profile))
            print("README.md results table " + ("updated" if changed else "already up to date"))
    except (ReportInputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
