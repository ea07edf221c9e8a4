"""The README's results table, rendered from metrics.json so that the two never disagree.

The table sits in README.md between ``<!-- results:start -->`` and ``<!-- results:end -->``;
``python -m course_tools.reporting.report --update-readme`` rewrites it, and
``tests/course_tools/reporting/test_readme_tables.py``
checks that it equals what :func:`render_results_table` makes of ``reports/metrics.json``.
"""

from __future__ import annotations

from pathlib import Path

from course_tools.reporting.inputs import Metrics, ReportInputError
from course_tools.reporting.sections import model_name
from helpers.formatting import count, epochs, file_size, markdown_table, percent, seconds
from helpers.outputs import producer

START = "<!-- results:start -->"
END = "<!-- results:end -->"
HEADER = ("model", "test accuracy", "parameters", "epochs", "training time", "file size")
NOT_APPLICABLE = "-"


def _model_row(label: str, record) -> list[str]:
    return [
        label,
        percent(record["test_accuracy"]),
        count(record["params"]),
        epochs(record["epochs"], record["best_epoch"]),
        seconds(record["train_seconds"]),
        file_size(record["model_file_bytes"]),
    ]


def _int8_export(metrics: Metrics):
    for variant in metrics.section("export")["variants"]:
        if variant["model"] == "best_cnn" and variant["mode"] == "int8":
            return variant
    raise ReportInputError(
        "metrics.json: export.variants has no entry for model 'best_cnn', mode 'int8': "
        f"run {producer('sections', 'export')}"
    )


# The models of the results table after the baseline, in order, and the notebook of each.
NOTEBOOK_06_MODELS = ("improved_cnn", "ensemble", "resnet10")


def results_rows(metrics: Metrics) -> list[list[str]]:
    """The baseline, the improved CNN with its spread over seeds, the ensemble, ResNet-10 (the
    one chosen on validation marked as the best model), the int8 export of the best model, and
    the NumPy MLP."""
    best_name = metrics.section("best_model")["name"]
    seeds = metrics.section("improved_cnn_seeds")
    int8 = _int8_export(metrics)
    rows = [_model_row("baseline CNN (notebooks 03-05)", metrics.section("baseline_cnn"))]
    for name in NOTEBOOK_06_MODELS:
        label = f"{model_name(name)} (notebook 06)"
        if name == "improved_cnn":
            label = f"improved CNN, seed {seeds['chosen_seed']} (notebook 06)"
        rows.append(_model_row(f"best model: {label}" if name == best_name else label,
                               metrics.section(name)))
        if name == "improved_cnn":
            rows.append([f"improved CNN, mean ± std over {len(seeds['seeds'])} seeds",
                         f"{percent(seeds['test_mean'])} ± {100 * seeds['test_std']:.2f}",
                         NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE])
    rows += [
        ["int8 export of the best model (notebook 08)", percent(int8["test_accuracy"]),
         count(metrics.section(best_name)["params"]), NOT_APPLICABLE, NOT_APPLICABLE,
         file_size(int8["bytes"])],
        _model_row("NumPy MLP (notebook 06)", metrics.section("numpy_mlp")),
    ]
    return rows


def render_results_table(metrics: Metrics) -> str:
    """The README's results table as Markdown."""
    return markdown_table(HEADER, results_rows(metrics))


def results_block(readme: str) -> str:
    """The text between the results markers of a README."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(
            f"README.md has no results block: put the table between the lines {START} and {END}"
        )
    return readme[start + len(START) : end]


def parse_table(text: str) -> list[list[str]]:
    """The rows of the Markdown table in ``text`` (header included, alignment row left out)."""
    rows = []
    for line in text.strip().splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if all(set(cell) <= set(":-") and cell for cell in cells):
            continue
        rows.append(cells)
    return rows


def replace_results_block(readme: str, table: str) -> str:
    """``readme`` with the text between the markers replaced by ``table``."""
    results_block(readme)  # the markers must be there
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{table}\n{END}{after}"


def update_readme(readme_path: Path, metrics: Metrics) -> bool:
    """Rewrite the results table of ``readme_path`` from ``metrics``; True when it changed."""
    if metrics.profile != "full":
        raise ValueError(
            f"the README's results come from the full profile, not {metrics.profile!r}: "
            "run `make run`, then `python -m course_tools.reporting.report --update-readme`"
        )
    readme_path = Path(readme_path)
    old = readme_path.read_text(encoding="utf-8")
    new = replace_results_block(old, render_results_table(metrics))
    if new != old:
        readme_path.write_text(new, encoding="utf-8")
    return new != old
