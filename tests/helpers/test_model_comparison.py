"""helpers.model_comparison: the comparison and ablation tables."""

import pytest

from helpers.model_comparison import COMPARED_MODELS, ablation_table, comparison_table


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


def test_ablation_table_gives_the_difference_to_all_in_points():
    variants = {
        "all": {"val_accuracy": 0.995, "val_loss": 0.02},
        "no_augmentation": {"val_accuracy": 0.9925, "val_loss": 0.03},
    }
    table = ablation_table(variants)
    assert table.loc["all", "vs all (points)"] == 0
    assert table.loc["no_augmentation", "vs all (points)"] == -0.25
    with pytest.raises(KeyError, match="no 'all' variant"):
        ablation_table({"no_dropout": variants["all"]})
