"""helpers.deploy_results: the export records, their table, and the sample pictures' table."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from helpers import settings
from helpers.deploy_results import (
    RECORD_KEYS,
    expected_digit,
    export_table,
    predict_samples,
    variant_record,
)
from helpers.export import TFLiteClassifier

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
KERAS = {"best_cnn": 0.9931, "baseline_cnn": 0.9927}


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


def test_export_table_compares_each_variant_with_its_float32_and_keras_model():
    table = export_table(VARIANTS, KERAS)
    assert list(table.index) == [
        ("best_cnn", "float32"),
        ("best_cnn", "int8"),
        ("baseline_cnn", "float32"),
        ("baseline_cnn", "dynamic_range"),
    ]
    assert table.loc[("best_cnn", "int8"), "x smaller"] == 4.0
    assert table.loc[("baseline_cnn", "dynamic_range"), "x smaller"] == 4.0
    assert table.loc[("best_cnn", "float32"), "x smaller"] == 1.0
    assert table.loc[("best_cnn", "int8"), "size (KB)"] == round(100_000 / 1024, 1)
    assert table.loc[("best_cnn", "int8"), "vs Keras (points)"] == -0.05
    assert table.loc[("baseline_cnn", "dynamic_range"), "vs Keras (points)"] == 0
    assert table.loc[("best_cnn", "int8"), "test accuracy (%)"] == 99.26
    assert table.loc[("best_cnn", "int8"), "latency (ms/image)"] == 0.05


def test_export_table_rejects_incomplete_inputs():
    with pytest.raises(ValueError, match="no exported variants"):
        export_table([], KERAS)
    with pytest.raises(ValueError, match="no Keras accuracy for \\['baseline_cnn'\\]"):
        export_table(VARIANTS, {"best_cnn": 0.99})
    with pytest.raises(ValueError, match="no float32 export of \\['best_cnn'\\]"):
        export_table(VARIANTS[1:], KERAS)


@pytest.mark.parametrize(
    "name, digit",
    [
        ("seven_black_on_white.png", 7),
        ("data/samples/zero_blue_ink_large_canvas.png", 0),
        ("Nine.PNG", 9),
        ("blank.png", None),
        ("drawing_7.png", None),
    ],
)
def test_expected_digit_reads_the_first_word_of_the_file_name(name, digit):
    assert expected_digit(name) == digit


@pytest.fixture(scope="module")
def classifier(tiny_int8_model):
    """A tiny untrained CNN as int8: arbitrary digits, real plumbing."""
    return TFLiteClassifier(tiny_int8_model)


def test_predict_samples_gives_a_row_per_picture(classifier):
    table = predict_samples(SAMPLES, classifier)
    assert isinstance(table, pd.DataFrame) and len(table) == len(SAMPLES) == 9
    assert list(table.columns) == ["file", "expected", "digit", "confidence", "note", "correct"]
    assert table["file"].tolist() == [path.name for path in SAMPLES]
    assert table["expected"].notna().all() and table["digit"].between(0, 9).all()
    assert table["confidence"].between(0, 1).all() and (table["note"] == "").all()
    assert table["correct"].tolist() == (table["digit"] == table["expected"]).tolist()


def test_predict_samples_notes_blank_and_unreadable_pictures(classifier, tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    table = predict_samples([blank, not_an_image, SAMPLES[0]], classifier)
    assert table["digit"].isna().tolist() == [True, True, False]
    assert table.loc[0, "note"].startswith("no digit found")
    assert table.loc[1, "note"].startswith("not an image")
    assert table["confidence"].isna().tolist() == [True, True, False]
    assert not table.loc[0, "correct"] and not table.loc[1, "correct"]


def test_predict_samples_needs_pictures(classifier):
    with pytest.raises(ValueError, match="no pictures"):
        predict_samples([], classifier)
