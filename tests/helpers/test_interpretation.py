"""helpers.interpretation on tiny models, one of them wired by hand so the answer is known."""

import numpy as np
import pytest

from course_tools.reference_answers import reference_function
from helpers import interpretation as vis

# isort: off
# after helpers, which quiets TensorFlow's C++ logs before TensorFlow loads
import keras
import tensorflow as tf

# isort: on

layers = keras.layers
# notebook 07's exercise, read from its solution cell: the output of one layer for the images
feature_maps_of = reference_function("07_visualize", "feature_maps_of")

HORIZONTAL, VERTICAL, ONLY_HORIZONTAL = 1, 2, 3  # classes of the hand-wired stroke model
TOP_RIGHT = (slice(0, 14), slice(14, 28))
BOTTOM_LEFT = (slice(14, 28), slice(0, 14))
BOTTOM_RIGHT = (slice(14, 28), slice(14, 28))


@pytest.fixture(scope="module")
def tiny_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(4, 3, activation="relu", name="conv_a")(inputs)
    x = layers.MaxPooling2D(name="pool")(x)
    x = layers.Conv2D(8, 3, activation="relu", name="conv_b")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(0.5, name="dropout")(x)
    outputs = layers.Dense(10, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name="tiny")


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)


def tiny_sequential():
    return keras.Sequential(
        [
            layers.Conv2D(4, 3, activation="relu", name="conv_a"),
            layers.Conv2D(8, 3, activation="relu", name="conv_b"),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )


@pytest.fixture(scope="module")
def stroke_model():
    """Class 1 = "there is a horizontal stroke", class 2 = "there is a vertical stroke",
    class 3 = "horizontal strokes but no vertical ones" (vertical strokes count against it).

    conv "strokes": channel 0 fires only on horizontal 1-pixel strokes, channel 1 only on
    vertical ones; max-pooling and an identity 1x1 conv "pooled" give a 14x14 map that
    Grad-CAM must upsample; global average pooling then feeds the classifier.
    Position plays no part in the score, so only Grad-CAM's class-specific channel weights
    can tell the two strokes apart.
    """
    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(2, 3, padding="same", activation="relu", name="strokes")(inputs)
    x = layers.MaxPooling2D(name="pool")(x)
    x = layers.Conv2D(2, 1, activation="relu", name="pooled")(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(10, activation="softmax", name="classifier")(x)
    model = keras.Model(inputs, outputs, name="strokes_model")

    line = np.array([[-1.0, -1.0, -1.0], [2.0, 2.0, 2.0], [-1.0, -1.0, -1.0]])
    kernel = np.stack([line, line.T], axis=-1)[:, :, np.newaxis, :]  # (3, 3, 1, 2)
    # bias -2: a full stroke gives 6 - 2 > 0; a crossing stroke, or its end, gives <= 0
    model.get_layer("strokes").set_weights([kernel, np.full(2, -2.0)])
    model.get_layer("pooled").set_weights([np.eye(2)[np.newaxis, np.newaxis], np.zeros(2)])
    dense = np.zeros((2, 10))
    dense[0, HORIZONTAL] = dense[1, VERTICAL] = dense[0, ONLY_HORIZONTAL] = 20.0
    dense[1, ONLY_HORIZONTAL] = -20.0
    model.get_layer("classifier").set_weights([dense, np.zeros(10)])
    return model


def stroke_image(horizontal_at=None, vertical_at=None):
    """A black image with an 8-pixel horizontal and/or vertical stroke in the given quadrants."""
    image = np.zeros((28, 28, 1), dtype=np.float32)
    if horizontal_at is not None:
        rows, cols = horizontal_at
        image[rows.start + 6, cols.start + 3 : cols.start + 11] = 1.0
    if vertical_at is not None:
        rows, cols = vertical_at
        image[rows.start + 3 : rows.start + 11, cols.start + 6] = 1.0
    return image


def share_in(heatmap, quadrant):
    return heatmap[quadrant].sum() / heatmap.sum()


def test_conv_layer_names(tiny_model):
    assert vis.conv_layer_names(tiny_model) == ["conv_a", "conv_b"]
    dense_only = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10)])
    assert vis.conv_layer_names(dense_only) == []


def test_first_layer_filters_are_the_kernels(tiny_model):
    filters = vis.first_layer_filters(tiny_model)
    kernel = tiny_model.get_layer("conv_a").kernel.numpy()
    assert filters.shape == (4, 3, 3)
    np.testing.assert_array_equal(filters[2], kernel[:, :, 0, 2])


def test_bad_input_raises_clear_errors(tiny_model, images):
    with pytest.raises(ValueError, match="its Conv2D layers are: conv_a, conv_b"):
        vis.feature_map_layer(tiny_model, "conv_c")
    with pytest.raises(ValueError, match="its Conv2D layers are: conv_a, conv_b"):
        vis.grad_cam(tiny_model, images, layer_name="pool")
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\).*got \(28, 28, 1\)"):
        vis.grad_cam(tiny_model, images[0])
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\).*got \(28, 28, 1\)"):
        vis.penultimate_features(tiny_model, images[0])
    with pytest.raises(ValueError, match="class_index"):
        vis.grad_cam(tiny_model, images, class_index=10)
    with pytest.raises(ValueError, match="one image"):
        vis.prediction_under_transform(tiny_model, images)


def test_sequential_models_saved_and_loaded_or_never_built(tmp_path, images):
    built_by_a_call = tiny_sequential()
    built_by_a_call(images[:1])  # fixes the batch size of its inputs to 1
    path = tmp_path / "sequential.keras"
    built_by_a_call.save(path)
    loaded = keras.models.load_model(path)
    expected = images
    for layer in built_by_a_call.layers[:-1]:  # conv_a, conv_b, flatten
        expected = layer(expected)
    for model in (built_by_a_call, loaded):
        np.testing.assert_allclose(vis.penultimate_features(model, images), expected, atol=1e-6)
    heatmaps = vis.grad_cam(built_by_a_call, images)
    assert heatmaps.shape == (5, 28, 28)
    np.testing.assert_allclose(vis.grad_cam(loaded, images), heatmaps, atol=1e-6)
    never_built = tiny_sequential()  # no defined inputs at all
    assert vis.penultimate_features(never_built, images).shape == (5, 24 * 24 * 8)
    assert vis.grad_cam(never_built, images).shape == (5, 28, 28)


def test_penultimate_features_feed_the_classifier(tiny_model, images):
    features = vis.penultimate_features(tiny_model, images, batch_size=2)
    assert features.shape == (5, 8)
    dense = tiny_model.get_layer("classifier")
    probabilities = tf.nn.softmax(features @ dense.kernel.numpy() + dense.bias.numpy())
    np.testing.assert_allclose(probabilities, tiny_model.predict(images, verbose=0), atol=1e-5)


def test_grad_cam_has_image_shape_and_unit_range(tiny_model, images):
    heatmaps = vis.grad_cam(tiny_model, images)
    assert heatmaps.shape == (5, 28, 28)
    assert heatmaps.min() >= 0
    non_zero = heatmaps.max(axis=(1, 2)) > 0
    assert non_zero.any()
    np.testing.assert_allclose(heatmaps.max(axis=(1, 2))[non_zero], 1.0, rtol=1e-6)
    np.testing.assert_array_equal(vis.grad_cam(tiny_model, images), heatmaps)  # no dropout noise


def test_grad_cam_points_at_the_stroke_of_the_requested_class(stroke_model):
    both = stroke_image(horizontal_at=TOP_RIGHT, vertical_at=BOTTOM_LEFT)
    for_horizontal, for_vertical = vis.grad_cam(
        stroke_model, np.stack([both, both]), class_index=[HORIZONTAL, VERTICAL]
    )
    assert share_in(for_horizontal, TOP_RIGHT) > 0.9
    assert share_in(for_vertical, BOTTOM_LEFT) > 0.9


def test_grad_cam_follows_the_stroke_when_it_moves(stroke_model):
    moved = np.stack(
        [stroke_image(horizontal_at=TOP_RIGHT), stroke_image(horizontal_at=BOTTOM_RIGHT)]
    )
    np.testing.assert_array_equal(stroke_model.predict(moved, verbose=0).argmax(1), HORIZONTAL)
    heatmaps = vis.grad_cam(stroke_model, moved)  # class_index None: the predicted class
    assert share_in(heatmaps[0], TOP_RIGHT) > 0.9
    assert share_in(heatmaps[1], BOTTOM_RIGHT) > 0.9


def test_grad_cam_keeps_only_positive_evidence(stroke_model):
    both = stroke_image(horizontal_at=TOP_RIGHT, vertical_at=BOTTOM_LEFT)[np.newaxis]
    heatmap = vis.grad_cam(stroke_model, both, class_index=ONLY_HORIZONTAL)[0]
    assert share_in(heatmap, TOP_RIGHT) > 0.9  # the vertical stroke's negative weight: ReLU'd


def test_grad_cam_of_an_inner_layer_and_of_a_blank_image(stroke_model):
    image = stroke_image(horizontal_at=TOP_RIGHT, vertical_at=BOTTOM_LEFT)
    blank = np.zeros_like(image)
    heatmaps = vis.grad_cam(stroke_model, np.stack([image, blank]), "strokes", VERTICAL)
    assert share_in(heatmaps[0], BOTTOM_LEFT) > 0.9
    np.testing.assert_array_equal(heatmaps[1], 0.0)  # nothing fires: zero, not NaN


def test_rotate_and_shift_images():
    image = stroke_image(horizontal_at=TOP_RIGHT)[np.newaxis]
    quarter_turn = vis.rotate_images(image, 90)  # counter-clockwise: top right -> top left
    assert quarter_turn.shape == (1, 28, 28, 1)
    assert quarter_turn[0, :14, :14].sum() > 0.95 * image.sum()
    shifted = vis.shift_images(image, -14)  # top right -> top left, same orientation
    np.testing.assert_allclose(shifted[0, :, :14], image[0, :, 14:])


def test_prediction_under_transform(stroke_model):
    image = stroke_image(horizontal_at=TOP_RIGHT)
    rotation, shift = vis.prediction_under_transform(stroke_model, image[..., 0], [0, 90], [-3])
    np.testing.assert_array_equal(rotation.predicted_class, [HORIZONTAL, VERTICAL])
    np.testing.assert_array_equal(shift.values, [-3])
    np.testing.assert_allclose(
        rotation.probabilities[0], stroke_model.predict(image[np.newaxis], verbose=0)[0], atol=1e-6
    )
    np.testing.assert_allclose(rotation.confidence, rotation.probabilities.max(axis=1))
    rotation, shift = vis.prediction_under_transform(stroke_model, image)
    assert rotation.probabilities.shape == (13, 10) and shift.probabilities.shape == (13, 10)
    assert shift.confidence.min() >= 0 and shift.confidence.max() <= 1


def test_accuracy_under_rotation(stroke_model):
    images = np.stack([stroke_image(horizontal_at=q) for q in (TOP_RIGHT, BOTTOM_LEFT)])
    accuracy = vis.accuracy_under_rotation(stroke_model, images, [HORIZONTAL] * 2, [0, 90, 180])
    np.testing.assert_array_equal(accuracy, [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="2 integer labels"):
        vis.accuracy_under_rotation(stroke_model, images, [HORIZONTAL], [0])


def test_accuracy_under_shift(stroke_model):
    images = np.stack([stroke_image(horizontal_at=TOP_RIGHT)])
    # the score ignores position, until the stroke leaves the image (all logits 0: class 0)
    accuracy = vis.accuracy_under_shift(stroke_model, images, [HORIZONTAL], [0, -14, 14])
    np.testing.assert_array_equal(accuracy, [1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="1 integer labels"):
        vis.accuracy_under_shift(stroke_model, images, [HORIZONTAL, VERTICAL], [0])


def conv_bn_relu_model():
    """conv -> BN -> ReLU stacks behind an augmentation sub-model, like the improved CNN."""
    inputs = keras.Input(shape=(28, 28, 1))
    x = keras.Sequential([layers.RandomRotation(0.1), layers.RandomZoom(0.1)], name="aug")(inputs)
    x = layers.Conv2D(4, 3, padding="same", use_bias=False, name="c1")(x)
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.Activation("relu", name="relu1")(x)
    x = layers.MaxPooling2D(name="pool1")(x)
    x = layers.Conv2D(6, 3, padding="same", name="c2")(x)  # no batch norm, ReLU layer
    x = layers.ReLU(name="relu2")(x)
    x = layers.Conv2D(8, 3, padding="same", name="c3")(x)  # nothing follows but pooling
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(10, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name="conv_bn_relu")


def test_feature_map_layer_reads_after_batch_norm_and_activation(tiny_model):
    model = conv_bn_relu_model()
    names = vis.conv_layer_names(model)
    assert names == ["c1", "c2", "c3"]
    assert [vis.feature_map_layer(model, name) for name in names] == ["relu1", "relu2", "c3"]
    assert vis.feature_map_layer(tiny_model, "conv_a") == "conv_a"  # ReLU built in, pool next
    with pytest.raises(ValueError, match="its Conv2D layers are: c1, c2, c3"):
        vis.feature_map_layer(model, "bn1")
    sequential = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(2, 3, name="c"),
            layers.BatchNormalization(),
            layers.ReLU(name="r"),
            layers.Flatten(),
            layers.Dense(10),
        ]
    )
    assert vis.feature_map_layer(sequential, "c") == "r"


def test_maps_read_at_feature_map_layer_are_batch_normalised_and_rectified(images):
    model = conv_bn_relu_model()
    gamma, beta = np.array([2.0, 0.5, 1.0, 3.0]), np.array([-0.1, 0.2, 0.0, 0.3])
    mean, variance = np.array([0.05, -0.2, 0.1, 0.0]), np.array([4.0, 0.25, 1.0, 2.0])
    batch_norm = model.get_layer("bn1")
    batch_norm.set_weights([gamma, beta, mean, variance])  # far from the identity
    maps = {
        name: feature_maps_of(model, vis.feature_map_layer(model, name), images)
        for name in vis.conv_layer_names(model)
    }
    assert {name: m.shape for name, m in maps.items()} == {
        "c1": (5, 28, 28, 4),
        "c2": (5, 14, 14, 6),
        "c3": (5, 14, 14, 8),
    }
    conv = feature_maps_of(model, "c1", images)
    normalised = gamma * (conv - mean) / np.sqrt(variance + batch_norm.epsilon) + beta
    np.testing.assert_allclose(maps["c1"], np.maximum(normalised, 0), atol=1e-5)
    assert maps["c2"].min() >= 0 and maps["c3"].min() < 0  # c3 is read as it is


@pytest.fixture(scope="module")
def improved_cnn():
    """The course's improved CNN (untrained): augmentation first, then conv -> BN -> ReLU."""
    from helpers.models import build_improved_cnn

    keras.utils.set_random_seed(0)
    return build_improved_cnn(augmentation=reference_function("06_improve", "build_augmentation"))


def test_the_improved_cnn_is_explained_without_augmentation(improved_cnn, images):
    assert improved_cnn.layers[1].name == "augmentation"
    for name in vis.conv_layer_names(improved_cnn):
        follower = improved_cnn.get_layer(vis.feature_map_layer(improved_cnn, name))
        assert isinstance(follower, layers.Activation), f"{name} should be read after its ReLU"
        assert feature_maps_of(improved_cnn, follower.name, images).min() >= 0
    features = vis.penultimate_features(improved_cnn, images)
    dense = improved_cnn.layers[-1]
    probabilities = tf.nn.softmax(features @ dense.kernel.numpy() + dense.bias.numpy())
    np.testing.assert_allclose(probabilities, improved_cnn.predict(images, verbose=0), atol=1e-5)
    heatmaps = vis.grad_cam(improved_cnn, images)
    assert heatmaps.shape == (5, 28, 28) and heatmaps.max() == 1.0
    np.testing.assert_array_equal(vis.grad_cam(improved_cnn, images), heatmaps)  # no random aug


def test_accuracy_under_a_transform_reads_every_copy_in_one_pass(stroke_model, monkeypatch):
    images = np.stack([stroke_image(horizontal_at=q) for q in (TOP_RIGHT, BOTTOM_LEFT)])
    calls = []
    predict = vis._predict
    monkeypatch.setattr(vis, "_predict", lambda *args: calls.append(len(args[1])) or predict(*args))
    angles = [0, 90, 180, 270]
    accuracy = vis.accuracy_under_rotation(stroke_model, images, [HORIZONTAL] * 2, angles)
    np.testing.assert_array_equal(accuracy, [1.0, 0.0, 1.0, 0.0])
    assert calls == [8]  # 4 angles x 2 images, one call


def test_accuracy_under_no_transform_is_empty(stroke_model):
    images = np.stack([stroke_image(horizontal_at=TOP_RIGHT)])
    assert vis.accuracy_under_shift(stroke_model, images, [HORIZONTAL], []).shape == (0,)
