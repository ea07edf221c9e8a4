"""helpers.outputs, the metrics file: sections are added, never lost, and the file is always
valid JSON."""

import json

import pytest

from helpers.outputs import read_metrics, record_metrics
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
