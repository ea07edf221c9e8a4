"""helpers.deploy.predict: a picture -> a digit, in Python and from the command line."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from helpers import settings
from helpers.deploy import predict
from helpers.deploy.classifier import TFLiteClassifier
from helpers.deploy.drawn_digits import NoDigitFound
from helpers.deploy.predict import (
    Prediction,
    expected_digit,
    main,
    predict_image,
    predict_samples,
)
from helpers.outputs import MissingOutputError

SAMPLES = sorted((settings.REPO_ROOT / "data" / "samples").glob("*.png"))


@pytest.fixture(scope="module")
def model_path(tiny_int8_model):
    return tiny_int8_model


@pytest.fixture(scope="module")
def classifier(model_path):
    return TFLiteClassifier(model_path)


@pytest.fixture
def blank_png(tmp_path):
    path = tmp_path / "blank.png"
    Image.new("RGB", (200, 200), "white").save(path)
    return path


def test_there_are_samples_to_predict():
    assert 6 <= len(SAMPLES) <= 10


@pytest.mark.parametrize("sample", SAMPLES, ids=[path.name for path in SAMPLES])
def test_every_sample_gives_a_prediction(sample, classifier):
    prediction = predict_image(sample, classifier)
    assert isinstance(prediction, Prediction)
    assert len(prediction.probabilities) == 10
    assert all(isinstance(p, float) and 0 <= p <= 1 for p in prediction.probabilities)
    assert sum(prediction.probabilities) == pytest.approx(1, abs=1e-5)
    assert prediction.digit == int(np.argmax(prediction.probabilities))
    assert prediction.confidence == max(prediction.probabilities)


def test_a_blank_picture_gives_no_digit(blank_png, classifier):
    with pytest.raises(NoDigitFound):
        predict_image(blank_png, classifier)


def test_without_a_classifier_the_missing_default_model_is_named(tmp_path, monkeypatch):
    empty = settings.Profile("quick", 10, output_root=tmp_path)
    monkeypatch.setattr(predict, "active_profile", lambda: empty)
    assert predict.default_model_path() == tmp_path / "models" / "best_cnn_int8.tflite"
    with pytest.raises(MissingOutputError, match=r"best_cnn_int8\.tflite not found: run "):
        predict_image(SAMPLES[0])
    with pytest.raises(MissingOutputError, match=r"notebooks/08_deploy\.ipynb .*make run"):
        predict_image(SAMPLES[0])


def test_command_line_in_a_subprocess(model_path, blank_png, tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a picture")
    sample = SAMPLES[0]
    command = [sys.executable, "-m", "helpers.deploy.predict", str(sample), str(blank_png)]
    command += [str(text_file), "--model", str(model_path)]
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=settings.REPO_ROOT, env=environment
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stderr
    assert len(lines) == 3
    assert lines[0].startswith(f"{sample}: ") and lines[0].endswith("%)")
    digit, percent = lines[0].removeprefix(f"{sample}: ").rstrip("%)").split(" (")
    assert 0 <= int(digit) <= 9 and 0 < float(percent) <= 100
    assert lines[1] == f"{blank_png}: no digit found"
    assert lines[2].startswith(f"{text_file}: error: not an image")
    assert "Traceback" not in done.stderr


def test_command_line_exit_codes(model_path, tmp_path, capsys):
    assert main([str(path) for path in SAMPLES] + ["--model", str(model_path)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(SAMPLES)

    missing = tmp_path / "missing.png"
    assert main([str(SAMPLES[0]), str(missing), "--model", str(model_path)]) == 1
    assert capsys.readouterr().out.splitlines()[1] == f"{missing}: error: No such file or directory"

    assert main([str(SAMPLES[0]), "--model", str(tmp_path / "none.tflite")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "notebooks/08_deploy.ipynb" in captured.err


def test_samples_folder_documents_its_pictures():
    readme = (SAMPLES[0].parent / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme
    assert all(path.name in readme for path in SAMPLES)
    assert Path(SAMPLES[0].parent / "make_samples.py").is_file()


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
