"""helpers.geometry and helpers.exploration on hand-made images."""

import numpy as np
import pytest

from helpers import exploration, geometry


def test_bounding_box_and_centre_of_mass_of_a_rectangle():
    image = np.zeros((28, 28), np.uint8)
    image[5:9, 10:20] = 255  # rows 5..8, columns 10..19
    assert geometry.ink_bounding_box(image) == (5, 8, 10, 19)
    assert geometry.centre_of_mass(image) == pytest.approx((6.5, 14.5))
    assert geometry.box_sizes(image[None]).tolist() == [[4, 10]]
    np.testing.assert_allclose(geometry.centres_of_mass(image[None]), [[6.5, 14.5]])


def test_weighted_centre_of_mass():
    image = np.zeros((3, 3))
    image[0, 0], image[2, 2] = 1.0, 3.0
    assert geometry.centre_of_mass(image) == pytest.approx((1.5, 1.5))


def test_blank_and_malformed_images():
    blank = np.zeros((28, 28))
    assert geometry.ink_bounding_box(blank) is None
    assert geometry.box_sizes(blank[None]).tolist() == [[0, 0]]
    with pytest.raises(ValueError, match="no ink"):
        geometry.centre_of_mass(blank)
    with pytest.raises(ValueError, match="no ink"):
        geometry.centres_of_mass(blank[None])
    with pytest.raises(ValueError, match="one 2-D image"):
        geometry.ink_bounding_box(np.zeros((1, 28, 28)))
    with pytest.raises(ValueError, match=r"\(N, height, width\)"):
        geometry.centres_of_mass(blank)


def test_samples_per_class():
    many = np.repeat(np.arange(10), 5)
    picked = exploration.samples_per_class(many, 2, np.random.default_rng(0))
    assert many[picked].tolist() == sorted([c for c in range(10)] * 2)


def test_describe_array():
    line = exploration.describe_array("x", np.zeros((4, 2), np.uint8))
    assert "shape=(4, 2)" in line and "dtype=uint8" in line and "range=[0, 0]" in line
