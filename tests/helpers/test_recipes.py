"""helpers.recipes and course_tools.benchmark on a few hundred images and one epoch."""

import dataclasses
import json
import time

import numpy as np
import pytest

from course_tools import benchmark
from course_tools.reference_answers import reference_function
from helpers import recipes, settings
from helpers.models import build_keras_reference

# notebook 06's exercise, read from its solution cell
build_augmentation = reference_function("06_improve", "build_augmentation")


def test_keras_reference_is_the_published_convnet():
    model = build_keras_reference()
    assert model.count_params() == 34_826
    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense",
    ]  # fmt: skip


def test_improved_recipe_trains_the_whole_budget_and_keeps_the_best_epoch(small_data, tmp_path):
    settings.set_seeds()
    model, result = recipes.train_improved_cnn(
        small_data,
        epochs=2,
        checkpoint_path=tmp_path / "improved.keras",
        augmentation=build_augmentation,
        augment=False,
    )
    assert result.epochs == 2
    assert result.best_epoch in (1, 2)
    assert (tmp_path / "improved.keras").is_file()
    assert recipes.steps_per_epoch(small_data) == 8  # 1,000 images in batches of 128
    assert "augmentation" not in {layer.name for layer in model.layers}
    # the optimiser follows the warm-up + cosine schedule up to the recipe's peak
    schedule = model.optimizer.get_config()["learning_rate"]
    assert schedule["class_name"] == "CosineDecay"
    assert schedule["config"]["warmup_target"] == recipes.PEAK_LEARNING_RATE
    assert schedule["config"]["warmup_steps"] == 8 and schedule["config"]["decay_steps"] == 8


def test_benchmark_writes_the_table_the_ratio_and_the_metrics(small_data, tmp_path, monkeypatch):
    profile = dataclasses.replace(settings.PROFILES["quick"], output_root=tmp_path)
    monkeypatch.setitem(settings.PROFILES, "quick", profile)
    monkeypatch.setattr(benchmark, "load_splits", lambda _profile: small_data)
    assert benchmark.main(["--profile", "quick", "--epochs", "1"]) == 0
    text = (tmp_path / "reports" / "benchmark.md").read_text()
    saved = json.loads((tmp_path / "reports" / "metrics.json").read_text())["benchmark"]
    assert saved["seeds"] == list(profile.seed_list) == [42, 43]  # the profile's seeds
    assert f"**{saved['time_ratio']:.2f}x**" in text
    assert "| Keras example convnet | 34,826 | 1 |" in text
    assert saved["time_ratio"] == pytest.approx(
        saved["improved"]["train_seconds"] / saved["reference"]["train_seconds"], abs=0.01
    )
    assert all(saved[key]["cpu_seconds"] > 0 for key in ("reference", "improved"))
    assert saved["cpu_time_ratio"] == pytest.approx(
        saved["improved"]["cpu_seconds"] / saved["reference"]["cpu_seconds"], abs=0.01
    )
    assert f"(CPU time: {saved['cpu_time_ratio']:.2f}x)" in text
    errors = [round((1 - saved[key]["test_accuracy"]) * len(small_data.test))
              for key in ("reference", "improved")]
    assert f"test errors about {errors[0]} -> {errors[1]} of {len(small_data.test):,})" in text
    gain = 100 * (saved["improved"]["test_accuracy"] - saved["reference"]["test_accuracy"])
    assert saved["accuracy_gain_points"] == pytest.approx(gain, abs=0.01)
    for key in ("reference", "improved"):  # mean and spread of the two seeds' accuracies
        row = saved[key]
        assert len(row["test_accuracies"]) == 2
        assert row["test_accuracy"] == pytest.approx(np.mean(row["test_accuracies"]), abs=1e-6)
        assert row["test_accuracy_std"] == pytest.approx(
            np.std(row["test_accuracies"], ddof=1), abs=1e-6
        )
    per_seed_rows = [line for line in text.splitlines() if line.startswith(("| 42 |", "| 43 |"))]
    assert len(per_seed_rows) == 2
    assert f"{saved['improved']['test_accuracies'][1]:.2%}" in per_seed_rows[1]


def test_benchmark_with_one_seed_and_its_errors(small_data, tmp_path, monkeypatch, capsys):
    profile = dataclasses.replace(settings.PROFILES["quick"], output_root=tmp_path)
    monkeypatch.setitem(settings.PROFILES, "quick", profile)
    monkeypatch.setattr(benchmark, "load_splits", lambda _profile: small_data)
    with pytest.raises(SystemExit):
        benchmark.main(["--profile", "quick", "--seeds", "0"])
    assert "--seeds must be at least 1, got 0" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()  # nothing trained, nothing written

    def no_answer(notebook, name):
        raise LookupError(f"{notebook}.ipynb has no solution cell that defines {name}()")

    with monkeypatch.context() as patched:  # the answer is read before anything trains
        patched.setattr(benchmark, "reference_function", no_answer)
        patched.setattr(benchmark, "run_reference", lambda *a: pytest.fail("trained"))
        with pytest.raises(LookupError, match="06_improve.ipynb has no solution cell"):
            benchmark.main(["--profile", "quick", "--epochs", "1", "--seeds", "1"])
    assert not (tmp_path / "reports").exists()

    given = []
    train_improved_cnn = recipes.train_improved_cnn
    monkeypatch.setattr(
        recipes,
        "train_improved_cnn",
        lambda *args, **kwargs: given.append(kwargs) or train_improved_cnn(*args, **kwargs),
    )
    assert benchmark.main(["--profile", "quick", "--epochs", "1", "--seeds", "1"]) == 0
    assert [kwargs["augmentation"] for kwargs in given] == [build_augmentation]
    assert "augment" not in given[0]  # the improved recipe trains with augmentation
    saved = json.loads((tmp_path / "reports" / "metrics.json").read_text())["benchmark"]
    assert saved["seeds"] == [42] and saved["improved"]["test_accuracy_std"] == 0.0
    text = (tmp_path / "reports" / "benchmark.md").read_text()
    assert " ± " not in text and "one training of each recipe" in text  # no spread to show
    improved_row = next(line for line in text.splitlines() if line.startswith("| Improved CNN"))
    assert improved_row.endswith(f"| {saved['improved']['test_accuracy']:.2%} |")

    run = saved["reference"]
    one = benchmark.BenchResult("x", 1, 1, 1.0, 1.0, run["test_accuracy"])
    with pytest.raises(ValueError, match="one run of each recipe per seed"):
        benchmark.summary([one], [one, one], (42, 43))


def test_seeds_change_the_run_and_the_same_seed_repeats_it(small_data, tmp_path):
    runs = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        model, _ = recipes.train_improved_cnn(
            small_data,
            epochs=1,
            checkpoint_path=tmp_path / f"{name}.keras",
            augmentation=build_augmentation,
            seed=seed,
        )
        assert model.layers[1].name == "augmentation"  # augment=True is the default
        runs[name] = model.get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(runs["a"], runs["b"], strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(runs["a"], runs["c"], strict=True))


def test_ablation_subset_is_stratified_and_checked(small_data):
    subset = recipes.ablation_subset(small_data.train, 200)
    assert len(subset) == 200 and subset.images.shape == (200, 28, 28, 1)
    full_shares = np.bincount(small_data.train.labels, minlength=10) / len(small_data.train)
    assert np.allclose(np.bincount(subset.labels, minlength=10) / 200, full_shares, atol=0.01)
    with pytest.raises(ValueError, match="10 to 1,000 images"):
        recipes.ablation_subset(small_data.train, 5_000)


def test_ablation_trains_each_variant_once_per_seed_on_the_same_budget(small_data, capsys):
    train = recipes.ablation_subset(small_data.train, 300)
    variants = {"all": {}, "no_dropout": {"augment": False, "dropout": 0.0}}  # all: augmented
    scores = recipes.run_ablation(
        train,
        small_data.validation,
        variants,
        epochs=1,
        seeds=(1, 2),
        augmentation=build_augmentation,
    )
    assert list(scores) == ["all", "no_dropout"]
    assert all(len(values) == 2 and all(0 <= v <= 1 for v in values) for values in scores.values())
    assert scores["all"] != scores["no_dropout"]
    again = recipes.train_ablation_variant(
        train,
        small_data.validation,
        epochs=1,
        seed=1,
        augmentation=build_augmentation,
    )
    assert again == pytest.approx(scores["all"][0], abs=1e-6)  # a run is repeatable
    out = capsys.readouterr().out
    assert out.count("all ") == 2 and "no_dropout               seed 2: validation accuracy" in out


def test_an_ablation_run_of_a_few_steps_goes_eagerly_and_a_longer_one_as_a_graph(
    small_data, monkeypatch
):
    built = []

    def build(*args, **kwargs):
        built.append(build_improved_cnn(*args, **kwargs))
        return built[-1]

    build_improved_cnn = recipes.models.build_improved_cnn
    monkeypatch.setattr(recipes.models, "build_improved_cnn", build)
    train = recipes.ablation_subset(small_data.train, 300)  # 3 steps an epoch
    accuracy = {}
    for run, epochs in enumerate((1, 4, 4)):  # 3 steps, then 12 twice
        accuracy[run] = recipes.train_ablation_variant(
            train, small_data.validation, epochs=epochs, seed=1, augmentation=build_augmentation
        )
    assert 3 <= recipes.EAGER_MAX_STEPS < 12
    assert [model.run_eagerly for model in built] == [True, False, False]
    assert [int(model.optimizer.iterations.numpy()) for model in built] == [3, 12, 12]
    assert 0 <= accuracy[0] <= 1
    assert accuracy[1] == pytest.approx(accuracy[2], abs=1e-6)  # a graph run is repeatable too


def test_stopwatch_measures_wall_and_cpu_time_of_its_block():
    with benchmark._Stopwatch() as busy:
        total = sum(i * i for i in range(2_000_000))
    with benchmark._Stopwatch() as idle:
        time.sleep(0.2)
    assert total > 0 and busy.cpu > 0.01 and busy.wall > 0
    assert idle.wall >= 0.2 and idle.cpu < 0.1  # sleeping costs wall time, not CPU time
