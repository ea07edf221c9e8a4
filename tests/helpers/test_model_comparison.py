"""helpers.model_comparison: the comparison table, spreads over seeds, the ablation summary and
the paired tests."""

import numpy as np
import pytest

from helpers.model_comparison import (
    COMPARED_MODELS,
    ablation_summary,
    bootstrap_difference,
    comparison_table,
    correct_predictions,
    mcnemar,
    paired_comparison,
    spread,
)


def record(accuracy, params, seconds):
    return {
        "test_accuracy": accuracy,
        "test_loss": 0.03,
        "test_errors": round((1 - accuracy) * 10_000),
        "params": params,
        "macs_per_image": params * 10,
        "epochs": 3,
        "best_epoch": 3,
        "train_seconds": 3 * seconds,
        "seconds_per_epoch": seconds,
        "model_file_bytes": params * 12,
    }


METRICS = {
    "profile": "quick",
    "numpy_mlp": record(0.98, 203_530, 4.0),
    "keras_mlp": record(0.981, 269_322, 3.0),
    "baseline_cnn": record(0.9927, 93_322, 9.5),
    "improved_cnn": record(0.9965, 120_000, 14.0),
    "ensemble": record(0.9972, 360_000, 42.0),
    "resnet10": record(0.994, 677_450, 420.0),
}


def test_comparison_table_has_one_row_per_model_in_order():
    table = comparison_table(METRICS)
    assert list(table.index) == list(COMPARED_MODELS.values())
    row = table.loc["Improved CNN"]
    assert row["test accuracy"] == 0.9965
    assert row["test errors"] == 35
    assert row["parameters"] == 120_000
    assert row["file size (kB)"] == 1440.0
    assert table.loc["ResNet-10", "s per epoch"] == 420.0


def test_missing_model_or_key_names_the_notebook_to_run():
    partial = {k: v for k, v in METRICS.items() if k != "resnet10"}
    with pytest.raises(KeyError, match="resnet10.*notebooks/06_improve.ipynb"):
        comparison_table(partial)
    broken = {**METRICS, "baseline_cnn": {"test_accuracy": 0.99}}
    with pytest.raises(KeyError, match="lacks params"):
        comparison_table(broken)
    with pytest.raises(KeyError, match="05_evaluate"):
        comparison_table({"profile": "full"}, {"baseline_cnn": "Baseline CNN"})


def test_spread_of_repeated_runs():
    summary = spread([0.9961, 0.9965, 0.9957])
    assert summary == {"runs": 3, "mean": 0.9961, "std": 0.0004, "min": 0.9957, "max": 0.9965}
    with pytest.raises(ValueError, match="at least 2 values"):
        spread([0.99])


def test_ablation_summary_says_which_differences_the_seeds_explain():
    scores = {
        "all": [0.981, 0.982, 0.980],
        "no_augmentation": [0.970, 0.969, 0.972],  # far beyond the spread
        "no_dropout": [0.9815, 0.9800, 0.9820],  # inside it
    }
    table = ablation_summary(scores)
    assert list(table.index) == ["all", "no_augmentation", "no_dropout"]
    assert table.loc["no_augmentation", "vs all (points)"] == pytest.approx(-1.07, abs=0.01)
    assert table.loc["no_augmentation", "p-value"] < 0.01
    assert table.loc["no_dropout", "p-value"] > 0.5
    assert np.isnan(table.loc["all", "p-value"]) and table.loc["all", "seeds"] == 3
    with pytest.raises(KeyError, match="no 'all' variant"):
        ablation_summary({"no_dropout": [0.9, 0.91]})


def test_mcnemar_counts_only_the_disagreements():
    a = np.array([True] * 90 + [True] * 15 + [False] * 5)
    b = np.array([True] * 90 + [False] * 15 + [True] * 5)
    result = mcnemar(a, b)
    assert (result["a_only"], result["b_only"]) == (15, 5)
    assert result["p_value"] == pytest.approx(0.041389, abs=1e-6)  # two-sided binomial, n=20
    assert mcnemar(a, a) == {"a_only": 0, "b_only": 0, "p_value": 1.0}
    with pytest.raises(ValueError, match="one right/wrong per test image"):
        mcnemar(a, b[:-1])


def test_bootstrap_interval_contains_the_difference_and_excludes_zero_when_clear():
    rng = np.random.default_rng(1)
    a = rng.random(10_000) < 0.995
    b = a & (rng.random(10_000) < 0.99)  # b loses about 1% of a's right answers
    low, high = bootstrap_difference(a, b)
    assert low < a.mean() - b.mean() < high and low > 0
    low, high = bootstrap_difference(a, a.copy())
    assert low == high == 0


def test_paired_comparison_record_and_correct_predictions():
    labels = np.array([0, 1, 2, 1])
    probabilities = np.eye(3)[[0, 2, 2, 1]]
    correct = correct_predictions(labels, probabilities)
    assert correct.tolist() == [True, False, True, True]
    record = paired_comparison("a", correct, "b", np.ones(4, bool))
    assert record["a"] == "a" and record["accuracy_a"] == 0.75 and record["accuracy_b"] == 1.0
    assert (record["a_only"], record["b_only"]) == (0, 1)
    assert len(record["difference_interval_95"]) == 2
    with pytest.raises(ValueError, match="probabilities shaped"):
        correct_predictions(labels, probabilities[:3])
