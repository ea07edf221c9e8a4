"""Plot helpers: the figures they return, the PNGs they save and their input checks."""

import re

import matplotlib
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers.evaluation import calibration_bins, per_class_scores
from helpers.plots import (
    plot_class_balance,
    plot_confusion_matrix,
    plot_digit_grid,
    plot_learning_curves,
    plot_misclassified,
    plot_per_class_scores,
    plot_reliability_diagram,
)

matplotlib.use("Agg")

RNG = np.random.default_rng(0)
IMAGES = RNG.random((12, 28, 28, 1)).astype(np.float32)
LABELS = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8])
HISTORY = {
    "loss": [0.9, 0.5, 0.3, 0.25, 0.2],
    "val_loss": [0.8, 0.45, 0.35, 0.4, 0.42],
    "accuracy": [0.7, 0.85, 0.9, 0.92, 0.94],
    "val_accuracy": [0.72, 0.86, 0.89, 0.88, 0.88],
}
CM = np.array([[3, 1, 0], [0, 1, 1], [0, 1, 2]])
COUNTS = {"train": np.full(10, 540), "test": np.arange(100, 110)}
Y_TRUE = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 9])
Y_PRED = np.array([0, 1, 2, 3, 4, 5, 6, 1, 8, 4, 1, 9])
# Every prediction made with confidence 1, half of them right: ECE 0.5.
PROBABILITIES = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
Y_CALIBRATION = np.array([0, 1, 1, 1])


def texts_of(ax) -> list[str]:
    return [text.get_text() for text in ax.texts]


def test_digit_grid_lays_out_rows_of_ncols_titled_by_label():
    figure = plot_digit_grid(IMAGES, labels=LABELS, ncols=5, title="Some digits")
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 15  # 3 rows of 5, the last 3 cells blank
    assert [ax.get_title() for ax in figure.axes[:3]] == ["3", "1", "4"]
    assert figure.axes[0].images[0].get_array().shape == (28, 28)
    assert not figure.axes[-1].images
    assert figure.get_suptitle() == "Some digits"


def test_digit_grid_takes_images_without_channel_axis_and_fewer_than_ncols():
    figure = plot_digit_grid(IMAGES[:3, ..., 0], titles=["a", "b", "c"])
    assert len(figure.axes) == 3
    assert [ax.get_title() for ax in figure.axes] == ["a", "b", "c"]


def test_digit_grid_titles_sit_where_matplotlib_would_place_them(tmp_path, monkeypatch):
    titles = ["two\nlines", "one", "", "x"]
    plot_digit_grid(IMAGES[:4], titles=titles, ncols=2, title="T", save_to=tmp_path / "fixed.png")
    set_title = matplotlib.axes.Axes.set_title

    def automatic(ax, label, *args, y=None, **kwargs):  # matplotlib's own placement
        return set_title(ax, label, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, "set_title", automatic)
    plot_digit_grid(IMAGES[:4], titles=titles, ncols=2, title="T", save_to=tmp_path / "auto.png")
    fixed, auto = (matplotlib.image.imread(tmp_path / name) for name in ("fixed.png", "auto.png"))
    np.testing.assert_array_equal(fixed, auto)


def test_figures_are_not_left_open_in_pyplot():
    plt.close("all")
    plot_digit_grid(IMAGES[:2])
    plot_confusion_matrix(CM)
    assert plt.get_fignums() == []


def test_class_balance_draws_one_bar_per_class_and_split():
    figure = plot_class_balance(COUNTS)
    (ax,) = figure.axes
    assert len(ax.patches) == 20
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "train (5,400)",
        "test (1,045)",
    ]
    assert ax.get_ylabel() == "images"
    assert ax.patches[10].get_height() == 100  # first bar of "test"


def test_class_balance_normalised_shows_shares_in_percent():
    (ax,) = plot_class_balance(COUNTS, normalise=True).axes
    heights = [bar.get_height() for bar in ax.patches]
    assert sum(heights[:10]) == pytest.approx(100)
    assert sum(heights[10:]) == pytest.approx(100)
    assert heights[0] == pytest.approx(10)
    assert ax.get_ylabel() == "share of the split (%)"


def test_learning_curves_plot_loss_and_accuracy_from_epoch_1_and_mark_the_best():
    figure = plot_learning_curves(HISTORY, title="CNN")
    loss_ax, accuracy_ax = figure.axes
    assert (loss_ax.get_title(), accuracy_ax.get_title()) == ("Loss", "Accuracy")
    assert figure.get_suptitle() == "CNN"
    assert loss_ax.get_xlabel() == "epoch"
    train, validation, best = loss_ax.get_lines()
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(validation.get_ydata(), HISTORY["val_loss"])
    np.testing.assert_array_equal(best.get_xdata(), [3, 3])  # lowest val_loss at epoch 3
    assert best.get_label() == "lowest validation loss (epoch 3)"
    assert len(accuracy_ax.get_lines()) == 3


def test_learning_curves_without_validation_draw_train_only():
    history = {"loss": HISTORY["loss"], "accuracy": HISTORY["accuracy"]}
    for ax in plot_learning_curves(history).axes:
        assert [line.get_label() for line in ax.get_lines()] == ["train"]


def test_confusion_matrix_annotates_counts_with_true_on_y():
    figure = plot_confusion_matrix(CM)
    heatmap_ax, colorbar_ax = figure.axes
    assert heatmap_ax.get_title() == "Confusion matrix"
    assert heatmap_ax.get_xlabel() == "predicted label"
    assert heatmap_ax.get_ylabel() == "true label"
    # Cells row by row; empty cells stay blank.
    assert texts_of(heatmap_ax) == ["3", "1", "", "", "1", "1", "", "1", "2"]


def test_confusion_matrix_normalised_annotates_row_shares():
    (heatmap_ax, _) = plot_confusion_matrix(CM, normalise=True).axes
    assert heatmap_ax.get_title() == "Confusion matrix (share of each true class)"
    assert texts_of(heatmap_ax) == ["0.75", "0.25", "", "", "0.50", "0.50", "", "0.33", "0.67"]


def test_misclassified_titles_give_true_predicted_and_confidence():
    figure = plot_misclassified(IMAGES[:3], [7, 4, 9], [1, 9, 4], [0.93, 0.5, 0.071], ncols=2)
    assert len(figure.axes) == 4
    assert [ax.get_title() for ax in figure.axes[:3]] == [
        "true 7 / pred 1\n(93%)",
        "true 4 / pred 9\n(50%)",
        "true 9 / pred 4\n(7%)",
    ]
    assert figure.get_suptitle() == "Misclassified digits"


def test_reliability_diagram_shows_accuracy_per_bin_and_ece():
    bins = calibration_bins(Y_CALIBRATION, PROBABILITIES)
    accuracy_ax, count_ax = plot_reliability_diagram(bins).axes
    assert accuracy_ax.get_title() == "Reliability diagram (ECE = 0.500)"
    accuracy_bars = accuracy_ax.patches
    assert len(accuracy_bars) == 10
    assert accuracy_bars[-1].get_height() == pytest.approx(0.5)
    assert [bar.get_height() for bar in count_ax.patches][-1] == 4
    assert count_ax.get_yscale() == "log"


def test_per_class_scores_draws_three_bars_per_class_with_macro_f1_in_title():
    scores = per_class_scores(Y_TRUE, Y_PRED)
    (ax,) = plot_per_class_scores(scores).axes
    assert len(ax.patches) == 30
    assert ax.get_title() == "Scores per class (macro F1 = 0.783)"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "Precision",
        "Recall",
        "F1",
    ]
    assert ax.patches[1].get_height() == pytest.approx(1 / 3)  # precision of class 1


FIGURE_MAKERS = {
    "digit_grid": lambda save_to: plot_digit_grid(IMAGES, labels=LABELS, save_to=save_to),
    "class_balance": lambda save_to: plot_class_balance(COUNTS, save_to=save_to),
    "learning_curves": lambda save_to: plot_learning_curves(HISTORY, save_to=save_to),
    "confusion_matrix": lambda save_to: plot_confusion_matrix(CM, save_to=save_to),
    "misclassified": lambda save_to: plot_misclassified(
        IMAGES[:2], [7, 4], [1, 9], [0.93, 0.5], save_to=save_to
    ),
    "reliability_diagram": lambda save_to: plot_reliability_diagram(
        calibration_bins(Y_CALIBRATION, PROBABILITIES), save_to=save_to
    ),
    "per_class_scores": lambda save_to: plot_per_class_scores(
        per_class_scores(Y_TRUE, Y_PRED), save_to=save_to
    ),
}


@pytest.mark.parametrize("name", FIGURE_MAKERS)
def test_save_to_writes_a_png_and_creates_folders(name, tmp_path):
    path = tmp_path / "figures" / "nested" / f"{name}.png"
    figure = FIGURE_MAKERS[name](path)
    assert isinstance(figure, Figure)
    assert path.stat().st_size > 0
    pixels = matplotlib.image.imread(path)
    assert pixels.shape[0] > 0 and pixels.shape[1] > 0


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plot_digit_grid(np.zeros((2, 28))), "images must be shaped (N, height, width)"),
        (lambda: plot_digit_grid(np.zeros((0, 28, 28))), "no images to plot"),
        (lambda: plot_digit_grid(IMAGES, labels=LABELS[:3]), "labels has 3 entries but"),
        (lambda: plot_digit_grid(IMAGES[:1], [1], ["1"]), "give labels or titles, not both"),
        (lambda: plot_digit_grid(IMAGES, ncols=0), "ncols must be at least 1, got 0"),
        (lambda: plot_class_balance({}), "counts_by_split is empty"),
        (
            lambda: plot_class_balance({"train": np.ones(10), "test": np.ones(9)}),
            "every split needs one count per class, got lengths {'train': 10, 'test': 9}",
        ),
        (lambda: plot_learning_curves([0.5, 0.4]), "history must be a dict"),
        (lambda: plot_learning_curves({"loss": [0.5]}), "history lacks ['accuracy']"),
        (
            lambda: plot_learning_curves({**HISTORY, "val_loss": [0.8]}),
            "history['val_loss'] has 1 epochs but history['loss'] has 5",
        ),
        (lambda: plot_confusion_matrix(CM / 2), "cm must hold integer counts"),
        (lambda: plot_confusion_matrix(np.ones((2, 3), dtype=int)), "cm must be a square"),
        (
            lambda: plot_misclassified(IMAGES[:2], [7], [1, 9], [0.9, 0.8]),
            "y_true has 1 entries but there are 2 images",
        ),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


# The figures of notebooks 01 and 03.


def test_plot_pixel_histogram_counts_every_value(tmp_path):
    from helpers.plots import plot_pixel_histogram

    pixels = np.array([0, 0, 0, 255, 128], dtype=np.uint8)
    figure = plot_pixel_histogram(pixels, save_to=tmp_path / "h" / "hist.png")
    heights = [patch.get_height() for patch in figure.axes[0].patches]
    assert len(heights) == 256 and heights[0] == 3 and heights[128] == 1 and heights[255] == 1
    assert figure.axes[0].get_yscale() == "log"
    assert matplotlib.image.imread(tmp_path / "h" / "hist.png").size > 0
    with pytest.raises(ValueError, match="no pixels"):
        plot_pixel_histogram(np.array([], dtype=np.uint8))


def test_plot_ink_geometry_panels_and_errors():
    from helpers.plots import plot_ink_geometry

    sizes = np.array([[20, 12], [20, 20], [18, 20]])
    centres = np.array([[14.0, 14.0], [13.8, 14.2], [14.1, 13.9]])
    figure = plot_ink_geometry(sizes, centres)
    left = figure.axes[0]
    heights = [p.get_height() for p in left.patches]
    assert len(heights) == 2 * 28  # heights and widths for sides 1..28
    assert heights[19] == 2 and heights[28 + 19] == 2 and heights[28 + 11] == 1
    with pytest.raises(ValueError, match="same N"):
        plot_ink_geometry(sizes, centres[:2])


def test_plot_activations_draws_three_functions_and_slopes():
    from helpers.plots import plot_activations

    figure = plot_activations()
    values_ax, slopes_ax = figure.axes[:2]
    assert [line.get_label() for line in values_ax.lines if line.get_label() != "_child"][:3] == [
        "ReLU",
        "sigmoid",
        "tanh",
    ]
    relu_slope = slopes_ax.lines[0].get_ydata()
    assert set(np.unique(relu_slope)) == {0.0, 1.0}
    assert max(slopes_ax.lines[1].get_ydata()) == pytest.approx(0.25, abs=1e-3)  # sigmoid'


def test_plot_layer_stack_one_bar_per_layer():
    import keras

    from helpers.plots import plot_layer_stack

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, name="c"),
            keras.layers.Flatten(name="f"),
            keras.layers.Dense(10, name="d"),
        ],
        name="tiny",
    )
    figure = plot_layer_stack(model)
    ax = figure.axes[0]
    assert len(ax.patches) == 3
    texts = " ".join(text.get_text() for text in ax.texts)
    assert (
        "c (Conv2D)" in texts and "26x26x4   40 params" in texts and "10   27,050 params" in texts
    )
    assert "tiny" in ax.get_title()
