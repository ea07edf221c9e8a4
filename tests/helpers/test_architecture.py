"""helpers.architecture on a model whose numbers are known by hand."""

import keras
from keras import layers

from helpers.architecture import layer_table, multiply_accumulates, total_multiply_accumulates


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
