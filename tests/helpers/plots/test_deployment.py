"""helpers.plots.deployment: the figures of notebook 08, the PNGs they save and their input
checks."""

import matplotlib
import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.deploy.drawn_digits import prepare_steps
from helpers.plots.deployment import (
    plot_centring_effect,
    plot_export_comparison,
    plot_preparation_steps,
)
from helpers.settings import REPO_ROOT

matplotlib.use("Agg")

SAMPLES = REPO_ROOT / "data" / "samples"
VARIANTS = [
    {"model": m, "mode": mode, "bytes": b, "test_accuracy": a, "latency_ms": t}
    for m, mode, b, a, t in [
        ("best_cnn", "float32", 400_000, 0.9931, 0.20),
        ("best_cnn", "dynamic_range", 104_000, 0.9931, 0.04),
        ("best_cnn", "int8", 105_000, 0.9926, 0.05),
        ("baseline_cnn", "float32", 380_000, 0.9927, 0.15),
    ]
]
KERAS = {"best_cnn": 0.9931, "baseline_cnn": 0.9927}


def test_export_comparison_has_a_bar_per_variant_in_three_panels(tmp_path):
    path = tmp_path / "figures" / "08_export.png"
    figure = plot_export_comparison(VARIANTS, KERAS, save_to=path)
    assert isinstance(figure, Figure) and len(figure.axes) == 3
    sizes, accuracies, latencies = figure.axes
    assert [len(ax.patches) for ax in figure.axes] == [4, 4, 4]
    widths = sorted(bar.get_width() for bar in sizes.patches)
    assert widths == pytest.approx(sorted(v["bytes"] / 1000 for v in VARIANTS))
    assert sorted(bar.get_width() for bar in latencies.patches) == [0.04, 0.05, 0.15, 0.20]
    low, high = accuracies.get_xlim()
    assert 98.5 < low < 99.26 and 99.31 < high <= 100  # zoomed on the differences
    assert len(accuracies.collections) == 2  # one dashed Keras line per model
    top = max(sizes.get_yticklabels(), key=lambda label: label.get_position()[1])
    assert top.get_text() == "best_cnn · float32"  # the first variant on top
    assert matplotlib.image.imread(path).shape[2] in (3, 4)


def test_export_comparison_rejects_missing_inputs():
    with pytest.raises(ValueError, match="no exported variants"):
        plot_export_comparison([], KERAS)
    with pytest.raises(ValueError, match="no Keras accuracy"):
        plot_export_comparison(VARIANTS, {"best_cnn": 0.99})


def test_preparation_steps_show_a_row_per_picture_and_a_column_per_step(tmp_path):
    steps = {
        name: prepare_steps(SAMPLES / f"{name}.png")
        for name in ("seven_black_on_white", "eight_grey_photo")
    }
    path = tmp_path / "08_drawn_digit_steps.png"
    figure = plot_preparation_steps(steps, save_to=path)
    assert len(figure.axes) == 2 * 5
    first_row = figure.axes[:5]
    assert first_row[0].get_title() == "raw picture\n280x280 px"
    assert first_row[-1].get_title() == "centred in 28x28\n28x28 px"
    assert first_row[0].get_ylabel() == "seven_black_on_white"
    assert first_row[-1].images[0].get_array().shape == (28, 28)
    assert len(first_row[-1].lines) == 3  # the cross-hair and the centre of mass
    assert path.is_file()


def test_preparation_steps_need_the_same_steps_for_every_picture():
    image = np.zeros((28, 28))
    with pytest.raises(ValueError, match="no pictures"):
        plot_preparation_steps({})
    with pytest.raises(ValueError, match="has steps"):
        plot_preparation_steps({"a": {"raw": image, "ink": image}, "b": {"raw": image}})


def test_centring_effect_shows_examples_and_one_bar_per_version(tmp_path):
    rng = np.random.default_rng(0)
    rows = {name: rng.random((10, 28, 28, 1)) for name in ("original", "distorted", "centred")}
    accuracies = {"original": 0.99, "distorted": 0.47, "centred": 0.98}
    path = tmp_path / "08_centring.png"
    figure = plot_centring_effect(rows, accuracies, n_examples=6, save_to=path)
    examples, chart = figure.subfigs
    assert len(examples.axes) == 3 * 6 and len(chart.axes) == 1
    bars = chart.axes[0]
    assert [bar.get_height() for bar in bars.patches] == pytest.approx([99, 47, 98])
    labels = [label.get_text() for label in bars.get_xticklabels()]
    assert labels == ["original", "distorted", "centred"]
    assert [ax.get_ylabel() for ax in examples.axes[::6]] == list(rows)
    assert path.is_file()


def test_centring_effect_rejects_mismatched_inputs():
    images = np.zeros((4, 28, 28))
    with pytest.raises(ValueError, match="no image sets"):
        plot_centring_effect({}, {})
    with pytest.raises(ValueError, match="differ"):
        plot_centring_effect({"a": images}, {"b": 0.5})
    with pytest.raises(ValueError, match="at least n_examples=8"):
        plot_centring_effect({"a": images}, {"a": 0.5})
