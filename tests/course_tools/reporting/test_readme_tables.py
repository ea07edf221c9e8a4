"""README.md's results table equals what course_tools.reporting.readme_tables renders from the
metrics."""

import pytest

from course_tools.reporting import readme_tables, report
from course_tools.reporting.inputs import ReportInputError, load_metrics
from course_tools.reporting.readme_tables import (
    END,
    START,
    parse_table,
    render_results_table,
    results_block,
)
from helpers.settings import PROFILES, REPO_ROOT
from tests.course_tools.reporting.report_samples import synthetic_metrics, write_run

FIX = "run `make run`, then `python -m course_tools.reporting.report --update-readme`"


def assert_readme_matches_metrics(readme_path, profile):
    """The table between the README's markers equals the one rendered from the metrics."""
    written = parse_table(results_block(readme_path.read_text(encoding="utf-8")))
    rendered = parse_table(render_results_table(load_metrics(profile)))
    assert written == rendered, f"README.md's results table differs from the metrics: {FIX}"


def test_readme_results_match_the_full_run_metrics():
    """The committed README against the committed reports/metrics.json of the full run."""
    assert_readme_matches_metrics(REPO_ROOT / "README.md", PROFILES["full"])


def _readme_copy(tmp_path):
    """A copy of the real README with an (empty) results block."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    if START not in text:
        text += f"\n{START}\n{END}\n"
    copy = tmp_path / "README.md"
    copy.write_text(text, encoding="utf-8")
    return copy


def test_update_readme_writes_the_table_the_check_expects(tmp_path):
    profile = write_run(tmp_path / "run", "full")
    readme = _readme_copy(tmp_path)
    before = readme.read_text()
    assert readme_tables.update_readme(readme, load_metrics(profile)) is True
    assert_readme_matches_metrics(readme, profile)
    assert readme_tables.update_readme(readme, load_metrics(profile)) is False
    after = readme.read_text()
    assert after.split(START)[0] == before.split(START)[0]
    assert after.split(END)[1] == before.split(END)[1]

    rows = parse_table(results_block(after))
    assert rows[0] == ["model", "test accuracy", "parameters", "epochs", "training time",
                       "file size"]
    assert rows[1] == ["baseline CNN (notebooks 03-05)", "90.09%", "93,322", "2 (best: 2)",
                       "3.2 s", "1.17 MB"]
    assert rows[2] == ["improved CNN, seed 42 (notebook 06)", "92.14%", "112,458",
                       "2 (best: 2)", "6.4 s", "1.40 MB"]
    assert rows[3] == ["improved CNN, mean ± std over 2 seeds", "91.92% ± 0.31", "-", "-", "-",
                       "-"]
    assert rows[4] == ["best model: ensemble of the improved CNN's seeds (notebook 06)",
                       "93.01%", "224,916", "2 (best: 2)", "13 s", "2.80 MB"]
    assert rows[6] == ["int8 export of the best model (notebook 08)", "92.05%", "224,916", "-",
                       "-", "125.0 kB"]
    assert [row[0] for row in rows[5::2]] == ["ResNet-10 (notebook 06)", "NumPy MLP (notebook 06)"]


def test_a_hand_edited_number_is_caught(tmp_path):
    profile = write_run(tmp_path / "run", "full")
    readme = _readme_copy(tmp_path)
    readme_tables.update_readme(readme, load_metrics(profile))
    readme.write_text(readme.read_text().replace("92.14%", "99.14%"))
    with pytest.raises(AssertionError, match="--update-readme"):
        assert_readme_matches_metrics(readme, profile)


def test_the_model_chosen_on_validation_is_marked_best(tmp_path):
    metrics = synthetic_metrics("full")
    metrics["best_model"]["name"] = "resnet10"
    rows = readme_tables.results_rows(load_metrics(write_run(tmp_path, "full", metrics)))
    assert [row[0] for row in rows] == [
        "baseline CNN (notebooks 03-05)", "improved CNN, seed 42 (notebook 06)",
        "improved CNN, mean ± std over 2 seeds",
        "ensemble of the improved CNN's seeds (notebook 06)",
        "best model: ResNet-10 (notebook 06)", "int8 export of the best model (notebook 08)",
        "NumPy MLP (notebook 06)",
    ]


def test_quick_metrics_never_reach_the_readme(tmp_path):
    readme = _readme_copy(tmp_path)
    with pytest.raises(ValueError, match="come from the full profile"):
        readme_tables.update_readme(readme, load_metrics(write_run(tmp_path / "run")))


def test_readme_without_markers_is_a_clear_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Course\n\n| model | test accuracy |\n|---|---|\n")
    with pytest.raises(ValueError, match="put the table between the lines <!-- results:start"):
        readme_tables.update_readme(readme, load_metrics(write_run(tmp_path / "run", "full")))


def test_missing_int8_export_names_notebook_08(tmp_path):
    metrics = synthetic_metrics("full")
    metrics["export"]["variants"] = [
        v for v in metrics["export"]["variants"] if v["mode"] != "int8"
    ]
    with pytest.raises(ReportInputError, match="mode 'int8': run notebooks/08_deploy.ipynb"):
        render_results_table(load_metrics(write_run(tmp_path, "full", metrics)))


def test_cli_update_readme_rewrites_the_block(tmp_path, monkeypatch):
    profile = write_run(tmp_path / "run", "full")
    readme = _readme_copy(tmp_path)
    monkeypatch.setitem(report.PROFILES, "full", profile)
    monkeypatch.setattr(report, "REPO_ROOT", tmp_path)
    assert report.main(["--profile", "full", "--update-readme"]) == 0
    assert (profile.reports_dir / "REPORT.md").is_file()
    assert_readme_matches_metrics(readme, profile)
