"""helpers.architecture and helpers.evaluation's model record on models whose numbers are known
by hand."""

import keras
import numpy as np
import pytest
from keras import layers

from helpers.architecture import layer_table, multiply_accumulates, total_multiply_accumulates
from helpers.evaluation import accuracy_and_loss, model_record
from helpers.training import TrainingResult


def small_model():
    return keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            layers.Conv2D(4, 3, name="conv"),  # 4x4x4 out: (3*3*2+1)*4 = 76 params
            layers.BatchNormalization(name="bn"),  # 4*4 = 16 params
            layers.Flatten(name="flat"),  # 64
            layers.Dense(3, name="out"),  # (64+1)*3 = 195 params
        ]
    )


def test_layer_table_parameters_formulas_and_macs():
    model = small_model()
    table = layer_table(model)
    assert table["parameters"].to_dict() == {"conv": 76, "bn": 16, "flat": 0, "out": 195}
    assert table.loc["conv", "arithmetic"] == "(3*3*2 + 1) * 4"
    assert table.loc["out", "arithmetic"] == "(64 + 1) * 3"
    assert table.loc["conv", "output shape"] == "4x4x4"
    assert multiply_accumulates(model.get_layer("conv")) == 4 * 4 * 4 * 3 * 3 * 2
    assert total_multiply_accumulates(model) == 4 * 4 * 4 * 18 + 64 * 3
    assert table["parameters"].sum() == model.count_params()


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
