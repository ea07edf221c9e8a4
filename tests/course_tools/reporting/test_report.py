"""course_tools.reporting.report: REPORT.md is built from the metrics and figures, and says
what is missing."""

import json
import re

import pytest

from course_tools.reporting import report
from course_tools.reporting.inputs import ReportInputError
from course_tools.reporting.sections import COMPARED_MODELS
from helpers.formatting import file_size, markdown_table, percent, points
from tests.course_tools.reporting.report_samples import FIGURES, synthetic_metrics, write_run

FIGURE_LINK = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


def test_quick_run_report_has_the_numbers_and_a_banner(tmp_path):
    profile = write_run(tmp_path)
    path = report.write_report(profile)
    assert path == tmp_path / "reports" / "REPORT.md"
    text = path.read_text()
    metrics = synthetic_metrics()

    assert "**quick** profile" in text and "Quick CI profile" in text
    for name in COMPARED_MODELS:
        record = metrics[name]
        for number in (percent(record["test_accuracy"]), f"{record['params']:,}",
                       f"{record['test_errors']:,}", file_size(record["model_file_bytes"])):
            assert number in text, (name, number)
    data = metrics["data"]
    for number in ("60,000", "10,000", "3,000", "6,000", "99.87%", "9.04%", "11.24%", "0.1307"):
        assert number in text
    assert f"{data['pixel_std']:.4f}" in text
    variants = metrics["ablation"]["variants"]
    for name, values in variants.items():
        assert f"| `{name}` | " in text
        assert percent(sum(values) / len(values)) in text
    drop = (sum(variants["no_batch_norm"]) - sum(variants["all"])) / 2
    assert f"leaving out batch normalisation ({points(drop)} points, p = " in text
    seeds = metrics["improved_cnn_seeds"]
    assert f"mean **{percent(seeds['test_mean'])}**, standard deviation 0.31 points" in text
    for accuracy in seeds["test_accuracy"]:
        assert percent(accuracy) in text
    assert f"**{percent(metrics['ensemble']['test_accuracy'])}**" in text
    for row in metrics["significance"]["comparisons"]:
        assert f"| {row['a']} | {row['b']} | {percent(row['accuracy_a'])} |" in text
    for variant in metrics["export"]["variants"]:
        row = (f"`{variant['file']}` | {file_size(variant['bytes'])} | "
               f"{percent(variant['test_accuracy'])} |")
        assert row in text, row
    for value in metrics["centring"].values():
        assert percent(value) in text
    for accuracy in metrics["visualize"]["rotation"]["accuracy"]:
        assert percent(accuracy) in text
    assert "| shift (pixels) | -6 | -4 | -2 | 0 | 2 | 4 | 6 |" in text
    assert "991 and 699 errors among 10,000 test digits, 292 fewer mistakes" in text
    assert "`make bench`" in text  # no benchmark section in this run


def test_the_digits_scored_are_counted_apart_from_mnists_test_set(tmp_path):
    metrics = synthetic_metrics()
    metrics["data"]["test_split"] = 2000  # the quick profile scores a subset of the 10,000
    text = report.write_report(write_run(tmp_path, metrics=metrics)).read_text()
    assert "MNIST has 60,000 training and 10,000 test images" in text
    assert "On the 2,000 test images it reaches" in text
    assert "Paired tests on the same 2,000 test digits" in text
    assert "991 and 699 errors among 2,000 test digits" in text
    assert "among 10,000 test digits" not in text


def test_every_figure_is_linked_relatively_and_resolves(tmp_path):
    profile = write_run(tmp_path)
    text = report.write_report(profile).read_text()
    links = FIGURE_LINK.findall(text)
    assert sorted(links) == sorted(f"figures/{name}" for name in FIGURES)
    for link in links:
        assert (profile.reports_dir / link).is_file(), link


def test_full_profile_has_no_banner_and_reports_the_benchmark(tmp_path):
    metrics = synthetic_metrics("full")
    metrics["benchmark"] = {
        "reference": {"test_accuracy": 0.9927, "train_seconds": 142.4},
        "improved": {"test_accuracy": 0.9951, "train_seconds": 388.0},
        "time_ratio": 2.72, "accuracy_gain_points": 0.24,
    }
    text = report.render_report(write_run(tmp_path, "full", metrics))
    assert "**full** profile" in text and "Quick CI profile" not in text
    assert "| reference | 99.27% | 142 s |" in text
    assert "| improved | 99.51% | 388 s |" in text
    assert "gains +0.24 points of test accuracy for 2.72 times the training time" in text


def test_missing_metrics_file_names_the_first_notebook(tmp_path):
    profile = write_run(tmp_path)
    profile.metrics_path.unlink()
    with pytest.raises(ReportInputError, match=r"metrics.json is missing: .*01_explore.ipynb"):
        report.render_report(profile)


def test_missing_figure_names_its_notebook(tmp_path):
    profile = write_run(tmp_path)
    (profile.figures_dir / "07_grad_cam.png").unlink()
    with pytest.raises(ReportInputError) as error:
        report.write_report(profile)
    assert str(error.value).endswith(
        "reports/figures/07_grad_cam.png is missing: run notebooks/07_visualize.ipynb"
    )
    assert not (profile.reports_dir / "REPORT.md").exists()


@pytest.mark.parametrize(
    "section, notebook",
    [
        ("data", "notebooks/01_explore.ipynb and notebooks/02_preprocess.ipynb"),
        ("baseline_cnn", "notebooks/05_evaluate.ipynb"),
        ("resnet10", "notebooks/06_improve.ipynb"),
        ("ablation", "notebooks/06_improve.ipynb"),
        ("best_model", "notebooks/06_improve.ipynb"),
        ("visualize", "notebooks/07_visualize.ipynb"),
        ("export", "notebooks/08_deploy.ipynb"),
        ("centring", "notebooks/08_deploy.ipynb"),
    ],
)
def test_missing_section_names_its_notebook(tmp_path, section, notebook):
    metrics = synthetic_metrics()
    del metrics[section]
    profile = write_run(tmp_path, metrics=metrics)
    with pytest.raises(ReportInputError, match=f"has no '{section}' section: run {notebook}"):
        report.render_report(profile)


@pytest.mark.parametrize(
    "path, message",
    [
        (("export", "variants", 2, "latency_ms"),
         "export.variants[2] has no key 'latency_ms': run notebooks/08_deploy.ipynb"),
        (("visualize", "rotation", "degrees"),
         "visualize.rotation has no key 'degrees': run notebooks/07_visualize.ipynb"),
        (("baseline_cnn", "test_errors"),
         "baseline_cnn has no key 'test_errors': run notebooks/05_evaluate.ipynb"),
        (("improved_cnn_seeds", "test_mean"),
         "improved_cnn_seeds has no key 'test_mean': run notebooks/06_improve.ipynb"),
    ],
)
def test_missing_key_names_its_notebook(tmp_path, path, message):
    metrics = synthetic_metrics()
    container = metrics
    for key in path[:-1]:
        container = container[key]
    del container[path[-1]]
    with pytest.raises(ReportInputError, match=re.escape(message)):
        report.render_report(write_run(tmp_path, metrics=metrics))


def test_every_missing_input_is_listed_at_once(tmp_path):
    metrics = synthetic_metrics()
    del metrics["visualize"], metrics["export"]
    profile = write_run(tmp_path, metrics=metrics)
    (profile.figures_dir / "04_learning_curves.png").unlink()
    with pytest.raises(ReportInputError) as error:
        report.render_report(profile)
    message = str(error.value)
    assert message.startswith("the report needs 3 more inputs:")
    assert "04_learning_curves.png is missing: run notebooks/04_train.ipynb" in message
    assert "no 'visualize' section: run notebooks/07_visualize.ipynb" in message
    assert "no 'export' section: run notebooks/08_deploy.ipynb" in message


def test_metrics_of_another_profile_are_refused(tmp_path):
    profile = write_run(tmp_path, metrics=synthetic_metrics("full"))
    with pytest.raises(ReportInputError, match="written by the 'full' profile"):
        report.render_report(profile)


def test_cli_writes_the_report_or_explains_what_is_missing(tmp_path, monkeypatch, capsys):
    profile = write_run(tmp_path)
    monkeypatch.setitem(report.PROFILES, "quick", profile)
    assert report.main(["--profile", "quick"]) == 0
    assert (profile.reports_dir / "REPORT.md").is_file()
    assert "quick profile" in capsys.readouterr().out

    metrics = json.loads(profile.metrics_path.read_text())
    del metrics["ablation"]
    profile.metrics_path.write_text(json.dumps(metrics))
    assert report.main(["--profile", "quick"]) == 1
    assert "no 'ablation' section: run notebooks/06_improve.ipynb" in capsys.readouterr().err


def test_benchmark_over_seeds_shows_the_spread(tmp_path):
    metrics = synthetic_metrics("full")
    metrics["benchmark"] = {
        "reference": {"test_accuracy": 0.9912, "test_accuracy_std": 0.0004,
                      "train_seconds": 134.0, "cpu_seconds": 210.0},
        "improved": {"test_accuracy": 0.9958, "test_accuracy_std": 0.0003,
                     "train_seconds": 240.0, "cpu_seconds": 350.0},
        "seeds": [42, 43, 44],
        "time_ratio": 1.79, "cpu_time_ratio": 1.67, "accuracy_gain_points": 0.46,
    }
    text = report.render_report(write_run(tmp_path, "full", metrics))
    assert "| recipe | test accuracy (3 seeds) | training time | CPU time |" in text
    assert "| reference | 99.12% ± 0.04 | 134 s | 210 s |" in text
    assert "| improved | 99.58% ± 0.03 | 240 s | 350 s |" in text
    assert "tests both, over 3 seeds each." in text


def test_markdown_table_aligns_number_columns_right():
    rows = [["a", "99.27%", "-"], ["b", "9%", "+1"]]
    table = markdown_table(["model", "accuracy", "change"], rows)
    assert table.splitlines()[1] == "| --- | ---: | ---: |"


def test_benchmark_section_shows_cpu_time_when_the_benchmark_measured_it(tmp_path):
    metrics = synthetic_metrics("full")
    metrics["benchmark"] = {
        "reference": {"test_accuracy": 0.9912, "train_seconds": 134.0, "cpu_seconds": 210.0},
        "improved": {"test_accuracy": 0.9965, "train_seconds": 240.0, "cpu_seconds": 350.0},
        "time_ratio": 1.79, "cpu_time_ratio": 1.67, "accuracy_gain_points": 0.53,
    }
    text = report.render_report(write_run(tmp_path, "full", metrics))
    assert "| reference | 99.12% | 134 s | 210 s |" in text
    assert "| improved | 99.65% | 240 s | 350 s |" in text
    assert "for 1.79 times the training time (CPU time: 1.67 times)." in text
