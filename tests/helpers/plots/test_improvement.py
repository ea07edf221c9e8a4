"""helpers.plots.improvement: the figures of notebook 06."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from helpers.model_comparison import comparison_table
from helpers.plots import plot_ablation, plot_augmented, plot_comparison
from tests.helpers.test_model_comparison import METRICS


def test_augmented_row_shows_original_first(tmp_path):
    original = np.zeros((1, 28, 28, 1))
    augmented = np.ones((5, 28, 28))
    figure = plot_augmented(original, augmented, save_to=tmp_path / "aug.png")
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["original", "#1", "#2", "#3", "#4", "#5"]
    assert figure.axes[0].images[0].get_array().max() == 0
    assert (tmp_path / "aug.png").stat().st_size > 1000
    with pytest.raises(ValueError, match="images must be shaped"):
        plot_augmented(np.zeros((28, 28)), augmented)


def test_ablation_shows_each_variants_mean_spread_and_runs_best_on_top(tmp_path):
    scores = {
        "all": [0.995, 0.994, 0.996],
        "no_augmentation": [0.990, 0.992, 0.991],
        "no_batch_norm": [0.993, 0.9935, 0.9925],
    }
    figure = plot_ablation(scores, save_to=tmp_path / "ablation.png")
    ax = figure.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["no_augmentation", "no_batch_norm", "all"]  # lowest mean at the bottom
    means = ax.lines[0].get_xdata()  # the diamonds of the error bars
    assert np.allclose(means, [99.1, 99.3, 99.5])
    run_dots = [line for line in ax.lines[1:] if line.get_marker() == "o"]
    assert sorted(len(line.get_xdata()) for line in run_dots) == [3, 3, 3]
    reference = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert np.allclose(reference[0].get_xdata(), 99.5)
    assert (tmp_path / "ablation.png").is_file()
    with pytest.raises(ValueError, match="including 'all'"):
        plot_ablation({"no_dropout": [0.99, 0.98]})
    with pytest.raises(ValueError, match="at least 2 runs"):
        plot_ablation({"all": [0.99]})


def test_ablation_labels_cover_no_run_and_stay_inside_the_axes():
    # an earlier full run's scores: a label once sat on a run of no_dropout and constant_lr
    scores = {
        "all": [0.971833, 0.970167, 0.9735],
        "no_augmentation": [0.966167, 0.965333, 0.964833],
        "no_batch_norm": [0.969833, 0.9675, 0.965],
        "no_dropout": [0.9675, 0.974333, 0.969333],
        "constant_learning_rate": [0.964667, 0.971167, 0.964333],
    }
    figure = plot_ablation(scores)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    ax = figure.axes[0]
    axes_box = ax.get_window_extent(renderer)
    dots = np.vstack(
        [ax.transData.transform(line.get_xydata()) for line in ax.lines if line.get_marker() == "o"]
    )
    radius = 1.5 * figure.dpi / 72  # a dot's radius in pixels (markersize 3 points)
    labels = [text for text in ax.texts if text.get_text().endswith("%")]
    assert len(labels) == len(scores)
    for label in labels:
        box = label.get_window_extent(renderer)
        assert axes_box.x0 <= box.x0 and box.x1 <= axes_box.x1, label.get_text()
        covered = [
            (x, y)
            for x, y in dots
            if box.x0 - radius < x < box.x1 + radius and box.y0 - radius < y < box.y1 + radius
        ]
        assert not covered, label.get_text()
    low, high = ax.get_xlim()
    bars = [
        (100 * np.mean(v) - 100 * np.std(v, ddof=1), 100 * np.mean(v) + 100 * np.std(v, ddof=1))
        for v in scores.values()
    ]
    assert low < min(b[0] for b in bars) and max(b[1] for b in bars) < high


def test_comparison_plots_error_rate_against_cost(tmp_path):
    table = comparison_table(METRICS)
    figure = plot_comparison(table, save_to=tmp_path / "comparison.png")
    left, right = figure.axes
    errors = left.collections[0].get_offsets()[:, 1]
    np.testing.assert_allclose(errors, 100 * (1 - table["test accuracy"].to_numpy()))
    np.testing.assert_allclose(right.collections[0].get_offsets()[:, 0], table["s per epoch"])
    assert left.get_xscale() == "log"
    assert {t.get_text() for t in left.texts} == set(table.index)
    with pytest.raises(ValueError, match="comparison table with columns"):
        plot_comparison(table.drop(columns="parameters"))
