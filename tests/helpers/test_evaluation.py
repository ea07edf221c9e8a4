"""Evaluation helpers on small arrays whose expected scores are worked out by hand."""

import re

import keras
import numpy as np
import pytest
from keras import layers

from helpers.evaluation import (
    ConfusedPair,
    accuracy_and_loss,
    calibration_bins,
    ensemble_record,
    misclassified,
    model_record,
    most_confused_pairs,
    per_class_scores,
    row_normalise,
)
from helpers.training import TrainingResult

# 3 classes. True 0 (4 samples): 3 right, 1 taken for 1. True 1 (2): 1 right, 1 taken for 2.
# True 2 (3): 2 right, 1 taken for 1.
Y_TRUE_3 = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2])
Y_PRED_3 = np.array([0, 0, 0, 1, 1, 2, 2, 2, 1])
CM_3 = np.array(
    [
        [3, 1, 0],
        [0, 1, 1],
        [0, 1, 2],
    ]
)

# 10 classes, one sample each except 7 and 9 (two each). Both 7s are taken for 1 (class 7 is
# never predicted), one 9 is taken for 4.
Y_TRUE_10 = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 9])
Y_PRED_10 = np.array([0, 1, 2, 3, 4, 5, 6, 1, 8, 4, 1, 9])


def test_row_normalise_leaves_an_empty_row_at_zero():
    cm = np.array([[2, 2, 0], [0, 0, 0], [1, 0, 3]])
    expected = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 0.0], [0.25, 0.0, 0.75]])
    shares = row_normalise(cm)
    np.testing.assert_allclose(shares, expected)
    assert not np.isnan(shares).any()
    np.testing.assert_array_equal(cm, [[2, 2, 0], [0, 0, 0], [1, 0, 3]])  # input untouched


def test_per_class_scores_three_classes():
    # Columns sum to 3, 3, 3 (predictions); rows to 4, 2, 3 (support).
    scores = per_class_scores(Y_TRUE_3, Y_PRED_3, num_classes=3)
    table = scores.table
    assert list(table.columns) == ["precision", "recall", "f1", "support"]
    assert list(table.index) == [0, 1, 2]
    np.testing.assert_allclose(table["precision"], [3 / 3, 1 / 3, 2 / 3])
    np.testing.assert_allclose(table["recall"], [3 / 4, 1 / 2, 2 / 3])
    # F1 = 2PR / (P + R): 2 * 1 * 0.75 / 1.75 = 6/7, (2/6) / (5/6) = 2/5, 2/3.
    np.testing.assert_allclose(table["f1"], [6 / 7, 2 / 5, 2 / 3])
    np.testing.assert_array_equal(table["support"], [4, 2, 3])
    assert scores.macro == pytest.approx({"precision": 2 / 3, "recall": 23 / 36, "f1": 202 / 315})


def test_per_class_scores_ten_classes_counts_a_never_predicted_class_as_zero():
    table = per_class_scores(Y_TRUE_10, Y_PRED_10).table
    assert len(table) == 10
    # Class 1: right once, predicted 3 times. Class 4: right once, predicted twice.
    # Class 7: never predicted, both samples missed. Class 9: one of its two samples found.
    np.testing.assert_allclose(table["precision"], [1, 1 / 3, 1, 1, 1 / 2, 1, 1, 0, 1, 1])
    np.testing.assert_allclose(table["recall"], [1, 1, 1, 1, 1, 1, 1, 0, 1, 1 / 2])
    np.testing.assert_allclose(table["f1"], [1, 1 / 2, 1, 1, 2 / 3, 1, 1, 0, 1, 2 / 3])
    np.testing.assert_array_equal(table["support"], [1, 1, 1, 1, 1, 1, 1, 2, 1, 2])


def test_per_class_scores_macro_averages_ten_classes():
    macro = per_class_scores(Y_TRUE_10, Y_PRED_10).macro
    assert macro["precision"] == pytest.approx((7 + 1 / 3 + 1 / 2) / 10)
    assert macro["recall"] == pytest.approx(8.5 / 10)
    assert macro["f1"] == pytest.approx((6.5 + 4 / 3) / 10)


def test_per_class_scores_lists_absent_classes_with_zeros():
    table = per_class_scores(Y_TRUE_3, Y_PRED_3, num_classes=4).table
    assert table.loc[3].tolist() == [0, 0, 0, 0]


def test_most_confused_pairs_orders_by_count_then_labels():
    cm = np.array(
        [
            [50, 2, 3],
            [2, 90, 0],
            [3, 1, 70],
        ]
    )
    assert most_confused_pairs(cm, top=3) == [
        ConfusedPair(true=0, predicted=2, count=3),
        ConfusedPair(true=2, predicted=0, count=3),
        ConfusedPair(true=0, predicted=1, count=2),
    ]


def test_most_confused_pairs_skips_the_diagonal_and_empty_cells():
    pairs = most_confused_pairs(CM_3, top=10)
    assert pairs == [(0, 1, 1), (1, 2, 1), (2, 1, 1)]


def test_misclassified_most_confident_first_and_ties_by_index():
    y_true = np.array([0, 1, 2, 0, 1])
    probabilities = np.array(
        [
            [0.2, 0.7, 0.1],  # wrong: 1 at 0.7
            [0.1, 0.8, 0.1],  # right
            [0.9, 0.05, 0.05],  # wrong: 0 at 0.9
            [0.2, 0.1, 0.7],  # wrong: 2 at 0.7, tied with sample 0
            [0.5, 0.4, 0.1],  # wrong: 0 at 0.5
        ]
    )
    mistakes = misclassified(y_true, probabilities)
    assert mistakes.index.name == "sample"
    assert mistakes.index.tolist() == [2, 0, 3, 4]
    assert mistakes["true"].tolist() == [2, 0, 0, 1]
    assert mistakes["predicted"].tolist() == [0, 1, 2, 0]
    np.testing.assert_allclose(mistakes["confidence"], [0.9, 0.7, 0.7, 0.5])


def test_misclassified_is_empty_when_every_prediction_is_right():
    mistakes = misclassified(np.array([0, 1]), np.array([[0.6, 0.4], [0.3, 0.7]]))
    assert mistakes.empty
    assert list(mistakes.columns) == ["true", "predicted", "confidence"]


def _confident(predicted: np.ndarray, confidence: float, num_classes: int = 10) -> np.ndarray:
    """Rows giving ``confidence`` to ``predicted`` and sharing the rest among other classes."""
    rest = (1 - confidence) / (num_classes - 1)
    probabilities = np.full((len(predicted), num_classes), rest)
    probabilities[np.arange(len(predicted)), predicted] = confidence
    return probabilities


def test_calibration_is_perfect_when_90_percent_confident_and_90_percent_right():
    predicted = np.arange(10)
    y_true = predicted.copy()
    y_true[0] = 5  # 9 of 10 right
    bins = calibration_bins(y_true, _confident(predicted, 0.9))
    assert bins.ece == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(bins.edges, np.linspace(0, 1, 11))
    np.testing.assert_array_equal(bins.count, [0, 0, 0, 0, 0, 0, 0, 0, 10, 0])  # (0.8, 0.9]
    assert bins.confidence[8] == pytest.approx(0.9)
    assert bins.accuracy[8] == pytest.approx(0.9)
    assert np.isnan(bins.accuracy[:8]).all() and np.isnan(bins.confidence[9])


def test_calibration_error_is_half_when_always_sure_and_half_right():
    predicted = np.array([0, 1, 2, 3])
    bins = calibration_bins(np.array([0, 1, 0, 0]), _confident(predicted, 1.0))
    assert bins.ece == pytest.approx(0.5)
    assert bins.count[-1] == 4
    assert bins.accuracy[-1] == pytest.approx(0.5)
    assert bins.confidence[-1] == pytest.approx(1.0)


def test_calibration_error_weights_bins_by_count():
    # Bin (0.4, 0.6]: 2 predictions at 0.6, both right (gap 0.4).
    # Bin (0.8, 1.0]: 2 predictions at 1.0, one right (gap 0.5). ECE = 0.5 * 0.4 + 0.5 * 0.5.
    probabilities = np.array([[0.6, 0.4], [0.4, 0.6], [1.0, 0.0], [0.0, 1.0]])
    bins = calibration_bins(np.array([0, 1, 0, 0]), probabilities, n_bins=5)
    np.testing.assert_array_equal(bins.count, [0, 0, 2, 0, 2])
    np.testing.assert_allclose(bins.accuracy[[2, 4]], [1.0, 0.5])
    assert bins.ece == pytest.approx(0.45)


def test_calibration_bins_include_their_upper_edge():
    bins = calibration_bins(np.array([0]), np.array([[0.5, 0.5]]), n_bins=2)
    np.testing.assert_array_equal(bins.count, [1, 0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: per_class_scores([0, 1], [0]), "y_true and y_pred have different lengths: 2 vs 1"),
        (lambda: per_class_scores([0, 10], [0, 1]), "y_true has labels outside 0..9: [10]"),
        (lambda: per_class_scores([0, 1], [0, -1]), "y_pred has labels outside 0..9: [-1]"),
        (lambda: per_class_scores([[0, 1]], [0]), "y_true must be a 1-D array of class labels"),
        (lambda: per_class_scores([0.0, 1.0], [0, 1]), "y_true must hold integer class labels"),
        (lambda: per_class_scores([0, 1], [0, 1, 1]), "different lengths: 2 vs 3"),
        (lambda: per_class_scores([0, 3], [0, 1], num_classes=3), "outside 0..2: [3]"),
        (lambda: row_normalise(np.ones((2, 3))), "cm must be a square 2-D array"),
        (lambda: row_normalise([[1, -1], [0, 1]]), "cm must hold non-negative counts"),
        (lambda: most_confused_pairs(np.eye(3), top=0), "top must be at least 1, got 0"),
        (lambda: misclassified([0, 1], [0.5, 0.5]), "probabilities must be shaped (N, classes)"),
        (lambda: misclassified([0], [[2.0, -1.0]]), "pass softmax outputs, not logits"),
        (
            lambda: misclassified([0, 1, 2], np.full((2, 3), 1 / 3)),
            "y_true and probabilities have different lengths: 3 vs 2",
        ),
        (lambda: misclassified([3], [[0.5, 0.5, 0.0]]), "y_true has labels outside 0..2: [3]"),
        (
            lambda: calibration_bins(np.array([], dtype=int), np.empty((0, 10))),
            "calibration needs at least one prediction",
        ),
        (lambda: calibration_bins([0], [[1.0, 0.0]], n_bins=0), "n_bins must be at least 1"),
    ],
)
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def small_model():
    """A model whose parameters and MACs are known by hand: 287 parameters."""
    return keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            layers.Conv2D(4, 3),
            layers.BatchNormalization(),
            layers.Flatten(),
            layers.Dense(3),
        ]
    )


def test_accuracy_and_loss_by_hand():
    probabilities = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8], [1.0, 0.0]])
    labels = np.array([0, 0, 0, 1])
    accuracy, loss = accuracy_and_loss(labels, probabilities)
    assert accuracy == pytest.approx(0.5)  # argmax: 0, 0, 1, 0
    expected = -(np.log(0.5) + np.log(0.9) + np.log(0.2) + np.log(1e-7)) / 4
    assert loss == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"expected probabilities shaped \(3, classes\)"):
        accuracy_and_loss(labels[:3], probabilities)


def test_model_record_fields(tmp_path):
    model = small_model()
    path = tmp_path / "m.keras"
    model.save(path)
    training = TrainingResult({"val_loss": [0.5, 0.4, 0.45]}, [2.0, 1.0, 1.5], best_epoch=2)
    probabilities = np.tile([0.7, 0.2, 0.1], (4, 1))
    record = model_record(model, training, np.array([0, 0, 0, 2]), probabilities, path)
    assert record["test_accuracy"] == 0.75 and record["test_errors"] == 1
    assert record["params"] == 287 and record["epochs"] == 3 and record["best_epoch"] == 2
    assert record["train_seconds"] == 4.5 and record["seconds_per_epoch"] == 1.5
    assert record["model_file_bytes"] == path.stat().st_size > 0


def test_ensemble_record_adds_up_its_members_training(tmp_path):
    members = [small_model(), small_model()]
    for number, member in enumerate(members):
        member.name = f"member_{number}"
    inputs = keras.Input((6, 6, 2))
    ensemble = keras.Model(inputs, layers.Average()([m(inputs) for m in members]))
    path = tmp_path / "ensemble.keras"
    ensemble.save(path)
    trainings = [TrainingResult({}, [2.0, 3.0], 2), TrainingResult({}, [1.0, 1.0], 1)]
    probabilities = np.tile([0.2, 0.7, 0.1], (5, 1))
    record = ensemble_record(ensemble, trainings, np.array([1, 1, 1, 1, 0]), probabilities, path)
    assert record["test_accuracy"] == 0.8 and record["train_seconds"] == 7.0
    assert record["params"] == 2 * 287 and record["epochs"] == 2
    assert record["macs_per_image"] == 2 * (4 * 4 * 4 * 18 + 64 * 3)
    with pytest.raises(ValueError, match="training results of its members"):
        ensemble_record(ensemble, trainings[:1], np.array([0]), probabilities[:1])
