"""helpers.settings: profiles come from the environment, quick never writes over full."""

import json

import pytest

from helpers import settings


def test_default_profile_is_full(monkeypatch):
    monkeypatch.delenv(settings.PROFILE_ENV_VAR, raising=False)
    assert settings.active_profile().name == "full"


def test_quick_profile_from_environment(monkeypatch):
    monkeypatch.setenv(settings.PROFILE_ENV_VAR, " Quick ")
    profile = settings.active_profile()
    assert profile.name == "quick" and profile.train_limit is not None


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(settings.PROFILE_ENV_VAR, "fast")
    with pytest.raises(ValueError, match="'fast' is not a profile; choose one of: full, quick"):
        settings.active_profile()


def test_quick_writes_under_scratch_and_never_over_committed_outputs():
    quick, full = settings.PROFILES["quick"], settings.PROFILES["full"]
    assert full.reports_dir == settings.REPO_ROOT / "reports"
    assert full.models_dir == settings.REPO_ROOT / "models"
    for folder in (quick.reports_dir, quick.figures_dir, quick.models_dir, quick.metrics_path):
        assert folder.is_relative_to(settings.REPO_ROOT / "scratch")


def test_same_models_have_budgets_in_both_profiles():
    quick, full = settings.PROFILES["quick"], settings.PROFILES["full"]
    assert quick.epochs.keys() == full.epochs.keys()
    assert all(quick.epochs[name] <= full.epochs[name] for name in full.epochs)
    assert quick.accuracy_floor.keys() == full.accuracy_floor.keys()
    with pytest.raises(KeyError, match="no epoch budget for model 'nope'"):
        full.max_epochs("nope")
    with pytest.raises(KeyError, match="no accuracy floor for model 'nope'; known: baseline_cnn"):
        quick.min_accuracy("nope")
    assert full.min_accuracy("baseline_cnn") > quick.min_accuracy("baseline_cnn")


def test_describe_names_the_profile_without_machine_paths():
    text = settings.PROFILES["quick"].describe()
    assert text.startswith("Profile: quick") and "scratch/quick/" in text
    assert str(settings.REPO_ROOT) not in text


def test_relative_to_repo():
    assert settings.relative_to_repo(settings.DATA_DIR / "x.gz") == "data/mnist/x.gz"
    assert settings.relative_to_repo("/elsewhere/file") == "/elsewhere/file"


def test_output_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.PROFILE_ENV_VAR, "quick")
    monkeypatch.setenv(settings.OUTPUT_ENV_VAR, str(tmp_path / "student"))
    profile = settings.active_profile()
    assert profile.name == "quick" and profile.models_dir == tmp_path / "student" / "models"
    assert profile.metrics_path == tmp_path / "student" / "reports" / "metrics.json"
    monkeypatch.setenv(settings.OUTPUT_ENV_VAR, "")
    assert settings.active_profile().output_root == settings.REPO_ROOT / "scratch" / "quick"


def test_seed_lists():
    assert settings.PROFILES["full"].seed_list == (42, 43, 44, 45, 46)
    assert settings.PROFILES["full"].ablation_seed_list == (42, 43, 44)
    assert settings.PROFILES["quick"].ablation_seed_list == (42, 43)
    assert len(settings.PROFILES["quick"].seed_list) >= 2  # a spread needs two runs
    assert settings.seed_range(3) == (settings.SEED, settings.SEED + 1, settings.SEED + 2)
    assert settings.seed_range(0) == ()


# The lowest test accuracy measured for each model in a full-profile run, besides the committed
# reports/metrics.json: runs of this course on other machines (issue 13's fresh-clone run).
OTHER_RUNS = {"baseline_cnn": [0.9926], "improved_cnn": [0.9959]}
FLOOR_MARGIN = 0.01  # a floor sits at least 1 percentage point below every honest run


def measured_accuracies(name: str) -> list[float]:
    metrics = json.loads((settings.REPO_ROOT / "reports" / "metrics.json").read_text())
    measured = [metrics[name]["test_accuracy"]]
    if name == "improved_cnn" and "improved_cnn_seeds" in metrics:
        measured += metrics["improved_cnn_seeds"]["test_accuracy"]
    return measured + OTHER_RUNS.get(name, [])


@pytest.mark.parametrize("name", sorted(settings.PROFILES["full"].accuracy_floor))
def test_full_profile_floors_sit_far_below_every_measured_run(name):
    floor = settings.PROFILES["full"].min_accuracy(name)
    lowest = min(measured_accuracies(name))
    assert floor <= lowest - FLOOR_MARGIN, (
        f"the {name} floor {floor} is within {FLOOR_MARGIN:.0%} of a measured run ({lowest}): "
        "a floor must stop broken models only"
    )
    assert floor >= 0.9, f"the {name} floor {floor} would let a badly broken model through"


def test_probe_count_caps_only_the_profiles_that_set_a_limit():
    full, quick = settings.PROFILES["full"], settings.PROFILES["quick"]
    assert full.probe_images is None
    assert full.probe_count(3_000) == 3_000 and full.probe_count(10_000) == 10_000
    assert quick.probe_count(10_000) == quick.probe_images < 10_000
    assert quick.probe_count(quick.probe_images - 1) == quick.probe_images - 1  # never more


def test_held_out_count_caps_only_the_profiles_that_set_a_limit():
    full, quick = settings.PROFILES["full"], settings.PROFILES["quick"]
    assert full.held_out_limit is None
    assert full.held_out_count(6_000) == 6_000 and full.held_out_count(10_000) == 10_000
    assert quick.held_out_count(10_000) == quick.held_out_limit < 6_000
    assert quick.held_out_count(quick.held_out_limit - 1) == quick.held_out_limit - 1
    assert "at most 2,000 validation and test images" in quick.describe()
    assert "validation" not in full.describe()


def test_only_the_full_profile_measures_costs():
    assert settings.PROFILES["full"].measure_costs
    assert not settings.PROFILES["quick"].measure_costs


def test_set_seeds_seeds_python_and_numpy_without_loading_tensorflow():
    """In a fresh interpreter, as notebooks 01 and 02 call it: TensorFlow stays unloaded."""
    import subprocess
    import sys

    script = (
        "import random, sys, numpy as np\n"
        "from helpers import settings\n"
        "settings.set_seeds(7); a = (random.random(), np.random.rand())\n"
        "settings.set_seeds(7); b = (random.random(), np.random.rand())\n"
        "print(a == b, 'tensorflow' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=settings.REPO_ROOT, check=True)
    assert run.stdout.split() == ["True", "False"]


def test_set_seeds_seeds_tensorflow_once_it_is_loaded():
    import tensorflow as tf

    settings.set_seeds(3)
    first = tf.random.uniform((3,)).numpy()
    settings.set_seeds(3)
    assert (tf.random.uniform((3,)).numpy() == first).all()
