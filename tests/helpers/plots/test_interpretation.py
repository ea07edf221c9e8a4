"""Tests of helpers.plots.interpretation: panel counts, what is drawn, PNG output, clear errors."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from helpers.interpretation import TransformSweep  # noqa: E402
from helpers.plots import interpretation as pv  # noqa: E402

RNG = np.random.default_rng(0)
DIGITS = RNG.random((3, 28, 28, 1)).astype(np.float32)


def image_axes(figure):
    return [ax for ax in figure.axes if ax.images]


def is_png(path):
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_filters_one_panel_per_filter_and_a_png(tmp_path):
    filters = {"best": RNG.normal(size=(32, 3, 3)), "baseline": RNG.normal(size=(20, 3, 3))}
    path = tmp_path / "sub" / "filters.png"
    figure = pv.plot_filters(filters, ncols=16, save_to=path)
    assert len(figure.axes) == 2 * 16 + 2 * 16  # 2 rows per model, spare cells hidden
    assert len(image_axes(figure)) == 32 + 20
    shown = image_axes(figure)[1].images[0]
    np.testing.assert_array_equal(shown.get_array(), filters["best"][1])
    limit = np.abs(filters["best"][1]).max()
    assert shown.get_clim() == pytest.approx((-limit, limit))  # white means a zero weight
    assert is_png(path)


def test_plot_filters_bad_input():
    with pytest.raises(ValueError, match="filters_by_model is empty"):
        pv.plot_filters({})
    with pytest.raises(ValueError, match="shaped"):
        pv.plot_filters({"m": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="ncols"):
        pv.plot_filters({"m": np.zeros((4, 3, 3))}, ncols=0)


def feature_maps_of(n_digits):
    first = RNG.random((n_digits, 26, 26, 32))
    first[..., 5] *= 10  # the channel that varies most comes first
    first[..., 6] += 20  # a large but uniform offset does not count
    return {"conv1": first, "conv2": RNG.random((n_digits, 11, 11, 64))}


def test_plot_feature_maps_rows_per_digit_and_layer(tmp_path):
    maps = feature_maps_of(3)
    figure = pv.plot_feature_maps(DIGITS, maps, channels=4, save_to=tmp_path / "maps.png")
    assert len(figure.axes) == 3 * 2 * 5  # (digits x layers) rows, digit + 4 channels
    assert len(image_axes(figure)) == 3 + 3 * 2 * 4  # each digit once, then its maps
    first_map = figure.axes[1].images[0].get_array()
    np.testing.assert_array_equal(first_map, maps["conv1"][0, :, :, 5])
    assert figure.axes[1].images[0].get_clim() == (
        maps["conv1"][..., 5].min(),
        maps["conv1"][..., 5].max(),
    )
    assert figure.axes[5 + 1].images[0].get_array().shape == (11, 11)  # conv2, unsmoothed
    assert "11x11x64" in figure.axes[5 + 1].get_ylabel()
    assert is_png(tmp_path / "maps.png")


def test_plot_feature_maps_bad_input():
    with pytest.raises(ValueError, match=r"maps\['conv1'\] must be shaped \(3, height"):
        pv.plot_feature_maps(DIGITS, feature_maps_of(2))
    with pytest.raises(ValueError, match="maps is empty"):
        pv.plot_feature_maps(DIGITS, {})
    with pytest.raises(ValueError, match="channels"):
        pv.plot_feature_maps(DIGITS, feature_maps_of(3), channels=0)


@pytest.mark.parametrize("plot", [pv.plot_saliency_maps, pv.plot_grad_cam])
def test_heatmap_figures(tmp_path, plot):
    heatmaps = RNG.random((3, 28, 28))
    path = tmp_path / "heat.png"
    figure = plot(DIGITS, heatmaps, [1, 2, 3], [1, 2, 5], [0.99, 0.9, 0.6], save_to=path)
    assert len(figure.axes) == 6 and len(image_axes(figure)) == 6
    overlays = [len(ax.images) for ax in figure.axes]
    assert sum(overlays) == (9 if plot is pv.plot_grad_cam else 6)  # digit under the heatmap
    titles = [ax.title for ax in figure.axes if ax.get_title()]
    assert [t.get_text() for t in titles][2] == "true 3\npred 5 (60%)"
    assert titles[2].get_color() == pv.WRONG and titles[0].get_color() == "black"
    assert is_png(path)


@pytest.mark.parametrize("plot", [pv.plot_saliency_maps, pv.plot_grad_cam])
def test_heatmap_figures_bad_input(plot):
    with pytest.raises(ValueError, match="one heatmap per image"):
        plot(DIGITS, RNG.random((2, 28, 28)), [1, 2, 3], [1, 2, 3], [1, 1, 1])
    with pytest.raises(ValueError, match="confidence has 2 entries but there are 3 images"):
        plot(DIGITS, RNG.random((3, 28, 28)), [1, 2, 3], [1, 2, 3], [1, 1])


def test_plot_embedding_colours_classes_and_marks_mistakes(tmp_path):
    points = RNG.normal(size=(50, 2))
    labels = np.arange(50) % 10
    wrong = np.zeros(50, dtype=bool)
    wrong[[3, 7]] = True
    figure = pv.plot_embedding(points, labels, wrong, save_to=tmp_path / "tsne.png")
    ax = figure.axes[0]
    assert len(ax.collections) == 11  # one scatter per class, one for the mistakes
    np.testing.assert_allclose(ax.collections[-1].get_offsets(), points[[3, 7]])
    assert "misclassified (2)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert is_png(tmp_path / "tsne.png")
    assert len(pv.plot_embedding(points, labels).axes[0].collections) == 10


def test_plot_embedding_bad_input():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        pv.plot_embedding(np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="one label per point"):
        pv.plot_embedding(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="one boolean per point"):
        pv.plot_embedding(np.zeros((5, 2)), np.zeros(5), np.zeros(3))


def test_plot_robustness(tmp_path):
    degrees, pixels = [-30, 0, 30], [0, 2, 4, 6]
    rotation = {"best": [0.9, 0.99, 0.9], "baseline": [0.7, 0.99, 0.7]}
    shift = {"best": [0.99, 0.98, 0.9, 0.6], "baseline": [0.99, 0.9, 0.5, 0.2]}
    figure = pv.plot_robustness(degrees, rotation, pixels, shift, save_to=tmp_path / "r.png")
    left, right = figure.axes
    assert len(left.lines) == 2 and len(right.lines) == 2
    np.testing.assert_allclose(right.lines[1].get_ydata(), [99, 90, 50, 20])
    assert is_png(tmp_path / "r.png")
    with pytest.raises(ValueError, match="'best' has 2 accuracies for 3"):
        pv.plot_robustness(degrees, {"best": [1, 1]}, pixels, shift)
    with pytest.raises(ValueError, match="at least one model"):
        pv.plot_robustness(degrees, {}, pixels, shift)


def test_plot_prediction_sweep(tmp_path):
    probabilities = np.full((3, 10), 0.01)
    probabilities[[0, 1, 2], [7, 7, 1]] = 0.91
    sweeps = {"best": TransformSweep(np.array([-45, 0, 45]), probabilities)}
    figure = pv.plot_prediction_sweep(DIGITS, sweeps, 7, save_to=tmp_path / "s.png")
    assert len(image_axes(figure)) == 3 and len(figure.axes) == 4
    assert figure.axes[2].get_title() == "45°\n1"
    assert figure.axes[2].title.get_color() == pv.WRONG
    np.testing.assert_allclose(figure.axes[3].lines[0].get_ydata(), [0.91, 0.91, 0.01])
    assert is_png(tmp_path / "s.png")
    with pytest.raises(ValueError, match="3 values for 2 images"):
        pv.plot_prediction_sweep(DIGITS[:2], sweeps, 7)
    with pytest.raises(ValueError, match="sweeps is empty"):
        pv.plot_prediction_sweep(DIGITS, {}, 7)
