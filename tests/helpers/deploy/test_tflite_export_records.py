"""The records that compare exported files, and their table (helpers.deploy.tflite_export)."""

import numpy as np
import pytest

from helpers import settings
from helpers.deploy.tflite_export import RECORD_KEYS, export_table, variant_record

SAMPLES = sorted((settings.REPO_ROOT / "data" / "samples").glob("*.png"))


def write_file(folder, name, size):
    path = folder / name
    path.write_bytes(b"\0" * size)
    return path


def record(model, mode, size, accuracy, latency):
    return {
        "model": model,
        "mode": mode,
        "file": f"models/{model}_{mode}.tflite",
        "bytes": size,
        "test_accuracy": accuracy,
        "latency_ms": latency,
    }


VARIANTS = [
    record("best_cnn", "float32", 400_000, 0.9931, 0.20),
    record("best_cnn", "int8", 100_000, 0.9926, 0.05),
    record("baseline_cnn", "float32", 380_000, 0.9927, 0.15),
    record("baseline_cnn", "dynamic_range", 95_000, 0.9927, 0.04),
]


def test_variant_record_measures_the_file_and_the_accuracy(tmp_path):
    path = write_file(tmp_path, "best_cnn_int8.tflite", 1234)
    labels = np.array([0, 1, 2, 3])
    result = variant_record("best_cnn", "int8", path, labels, [0, 1, 2, 9], 0.123456)
    assert tuple(result) == RECORD_KEYS
    assert result["bytes"] == 1234 and result["test_accuracy"] == 0.75
    assert result["latency_ms"] == 0.1235
    assert result["file"].endswith("best_cnn_int8.tflite")


def test_variant_record_names_the_file_relative_to_the_repository():
    path = settings.REPO_ROOT / "data" / "samples" / "README.md"  # any file in the repository
    result = variant_record("m", "int8", path, [1], [1], 1.0)
    assert result["file"] == "data/samples/README.md"


@pytest.mark.parametrize("predicted", [[0, 1, 2], [[0, 1, 2, 3]], []])
def test_variant_record_needs_one_prediction_per_label(tmp_path, predicted):
    path = write_file(tmp_path, "m.tflite", 10)
    labels = [0, 1, 2, 3] if predicted else []
    with pytest.raises(ValueError, match="one predicted digit per label"):
        variant_record("m", "int8", path, labels, predicted, 1.0)


def test_variant_record_of_a_missing_file_fails(tmp_path):
    with pytest.raises(FileNotFoundError):
        variant_record("m", "int8", tmp_path / "missing.tflite", [1], [1], 1.0)


def test_export_table_has_one_row_per_variant_in_readable_units():
    table = export_table(VARIANTS)
    assert list(table.index) == [
        ("best_cnn", "float32"),
        ("best_cnn", "int8"),
        ("baseline_cnn", "float32"),
        ("baseline_cnn", "dynamic_range"),
    ]
    assert list(table.columns) == ["size (kB)", "test accuracy (%)", "latency (ms/image)"]
    assert table.loc[("best_cnn", "int8"), "size (kB)"] == 100.0
    assert table.loc[("baseline_cnn", "dynamic_range"), "size (kB)"] == 95.0
    assert table.loc[("best_cnn", "int8"), "test accuracy (%)"] == 99.26
    assert table.loc[("best_cnn", "int8"), "latency (ms/image)"] == 0.05
    assert table.loc[("best_cnn", "float32"), "latency (ms/image)"] == 0.2
    only_int8 = export_table(VARIANTS[1:2])  # no float32 export or Keras model needed
    assert list(only_int8.index) == [("best_cnn", "int8")]


def test_export_table_of_no_variants_fails():
    with pytest.raises(ValueError, match="no exported variants"):
        export_table([])
