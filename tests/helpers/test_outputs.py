"""helpers.outputs, the metrics file: sections are added, never lost, and the file is always
valid JSON."""

import json

import pytest

from helpers.outputs import (
    PRODUCERS,
    MissingOutputError,
    model_path,
    producer,
    read_metrics,
    read_section,
    record_metrics,
    require,
    tflite_path,
)
from helpers.settings import Profile


def test_sections_accumulate_and_profile_is_recorded(tmp_path):
    profile = Profile("quick", 10, {}, output_root=tmp_path)
    assert read_metrics(profile) == {"profile": "quick"}
    record_metrics(profile, "baseline_cnn", {"test_accuracy": 0.99})
    record_metrics(profile, "export", {"int8": {"bytes": 10}})
    record_metrics(profile, "baseline_cnn", {"test_accuracy": 0.995})
    saved = json.loads(profile.metrics_path.read_text())
    assert saved == {
        "profile": "quick",
        "baseline_cnn": {"test_accuracy": 0.995},
        "export": {"int8": {"bytes": 10}},
    }
    assert not list(profile.reports_dir.glob(".*.tmp"))


def test_corrupt_metrics_file_is_a_clear_error(tmp_path):
    profile = Profile("quick", 10, {}, output_root=tmp_path)
    profile.reports_dir.mkdir(parents=True)
    profile.metrics_path.write_text("{not json")
    with pytest.raises(ValueError, match="metrics.json is not valid JSON"):
        read_metrics(profile)


def test_unserialisable_values_leave_the_old_file_intact(tmp_path):
    profile = Profile("quick", 10, {}, output_root=tmp_path)
    record_metrics(profile, "a", {"x": 1})
    with pytest.raises(TypeError):
        record_metrics(profile, "b", {"x": object()})
    assert json.loads(profile.metrics_path.read_text()) == {"profile": "quick", "a": {"x": 1}}


def test_producer_names_the_notebook_of_each_kind_of_output():
    assert producer("models", "baseline_cnn") == "notebooks/04_train.ipynb"
    assert producer("sections", "baseline_cnn") == "notebooks/05_evaluate.ipynb"
    assert producer("sections", "data") == (
        "notebooks/01_explore.ipynb and notebooks/02_preprocess.ipynb"
    )
    assert producer("sections", "benchmark") == "make bench"
    assert producer("figures", "07_grad_cam.png") == "notebooks/07_visualize.ipynb"
    assert producer("exports", "anything_int8.tflite") == "notebooks/08_deploy.ipynb"
    assert producer("models", "unknown") == "the notebook that makes it"
    with pytest.raises(ValueError, match="unknown kind 'model'"):
        producer("model", "baseline_cnn")


def test_every_section_and_model_has_exactly_one_kind_of_producer():
    sections = [s for makes in PRODUCERS.values() for s in makes.sections]
    models = [m for makes in PRODUCERS.values() for m in makes.models]
    assert len(models) == len(set(models)), "a model is produced by two notebooks"
    assert sections.count("data") == 2 and len(set(sections)) == len(sections) - 1


def test_missing_outputs_name_their_notebook(tmp_path):
    profile = Profile("quick", 10, {}, output_root=tmp_path)
    with pytest.raises(MissingOutputError, match="notebooks/06_improve.ipynb first"):
        read_section(profile, "ensemble")
    record_metrics(profile, "ensemble", {"test_accuracy": 0.997})
    assert read_section(profile, "ensemble") == {"test_accuracy": 0.997}
    with pytest.raises(MissingOutputError, match=r"models/best_cnn.keras not found|best_cnn"):
        require(model_path(profile, "best_cnn"), "models", "best_cnn", profile)
    assert tflite_path(profile, "best_cnn", "int8") == tmp_path / "models" / "best_cnn_int8.tflite"
