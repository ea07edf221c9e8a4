"""helpers.preprocessing: scaling, one-hot and the stratified split."""

import numpy as np
import pytest

from helpers import preprocessing as pp
from helpers.settings import PROFILES


def test_model_inputs_maps_0_255_to_0_1_with_a_channel_axis():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    scaled = pp.model_inputs(images)
    assert scaled.shape == (1, 2, 2, 1) and scaled.dtype == np.float32
    np.testing.assert_allclose(scaled[0, :, :, 0], [[0.0, 1.0], [0.2, 0.4]], rtol=1e-6)


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.zeros((2, 28, 28), dtype=np.float32), TypeError, "expected uint8"),
        (np.zeros((28, 28), dtype=np.uint8), ValueError, r"shaped \(N, height, width\)"),
    ],
)
def test_model_inputs_refuses_bad_input(bad, error, message):
    with pytest.raises(error, match=message):
        pp.model_inputs(bad)


def test_label_rows_are_one_hot_rows():
    encoded = pp.label_rows(np.array([3, 0, 9]))
    assert encoded.shape == (3, 10) and encoded.dtype == np.float32
    assert encoded.sum(axis=1).tolist() == [1, 1, 1]
    assert encoded.argmax(axis=1).tolist() == [3, 0, 9]


def test_label_rows_of_no_labels_is_an_empty_table():
    assert pp.label_rows(np.array([], dtype=int)).shape == (0, 10)


def test_model_inputs_equal_the_pixels_divided_by_255():
    every_value = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    np.testing.assert_array_equal(pp.model_inputs(every_value)[..., 0],
                                  every_value.astype(np.float32) / 255.0)


@pytest.mark.parametrize("labels", [np.array([0, 10]), np.array([-1]), np.zeros((2, 2), int)])
def test_label_rows_refuses_bad_labels(labels):
    with pytest.raises(ValueError):
        pp.label_rows(labels)


def test_stratified_split_keeps_proportions_and_is_disjoint_and_deterministic():
    labels = np.repeat(np.arange(10), [100, 200, 100, 100, 100, 100, 100, 100, 100, 100])
    keep, holdout = pp.stratified_split(labels, holdout_size=110)
    assert len(keep) == 990 and len(holdout) == 110
    assert not set(keep) & set(holdout)
    assert np.bincount(labels[holdout]).tolist() == [10, 20, 10, 10, 10, 10, 10, 10, 10, 10]
    again, _ = pp.stratified_split(labels, holdout_size=110)
    np.testing.assert_array_equal(keep, again)
    other, _ = pp.stratified_split(labels, holdout_size=110, seed=7)
    assert not np.array_equal(keep, other)


def test_fingerprint_changes_with_content():
    a = np.arange(10, dtype=np.uint8)
    assert pp.fingerprint(a) == pp.fingerprint(a.copy())
    assert pp.fingerprint(a) != pp.fingerprint(a[::-1])
    assert len(pp.fingerprint(a)) == 12


def test_load_splits_quick_profile():
    splits = pp.load_splits(PROFILES["quick"])
    assert len(splits.train) == PROFILES["quick"].train_limit
    limit = PROFILES["quick"].held_out_limit
    assert len(splits.validation) == limit and len(splits.test) == limit < 6000
    assert splits.train.images.shape[1:] == (28, 28, 1)
    assert 0.0 <= splits.train.images.min() and splits.train.images.max() <= 1.0
    counts = np.bincount(splits.train.labels, minlength=10) / len(splits.train)
    val_counts = np.bincount(splits.validation.labels, minlength=10) / len(splits.validation)
    np.testing.assert_allclose(counts, val_counts, atol=0.005)
    assert splits.train.one_hot.shape == (len(splits.train), 10)


def test_the_quick_profile_keeps_a_stratified_part_of_the_full_profiles_held_out_sets():
    quick, full = pp.load_splits(PROFILES["quick"]), pp.load_splits(PROFILES["full"])
    assert len(full.train) == 54000 and len(full.validation) == 6000 and len(full.test) == 10000
    for part in ("validation", "test"):
        small, whole = getattr(quick, part), getattr(full, part)
        position = {row.tobytes(): i for i, row in enumerate(whole.images.reshape(len(whole), -1))}
        # every quick digit is a digit of the full set, with its label, in the same order
        found = [position[row.tobytes()] for row in small.images.reshape(len(small), -1)]
        assert found == sorted(found) and len(set(found)) == len(found)
        np.testing.assert_array_equal(whole.labels[found], small.labels)
        # and the classes keep their shares
        np.testing.assert_allclose(np.bincount(small.labels, minlength=10) / len(small),
                                   np.bincount(whole.labels, minlength=10) / len(whole), atol=0.002)
    # the same digits on every run and machine (a changed split changes these)
    assert [pp.fingerprint(part.labels, part.images) for part in (quick.validation, quick.test)] \
        == ["3fa1004c56eb", "a27c7621353e"]
    assert [pp.fingerprint(part.labels, part.images) for part in (full.validation, full.test)] \
        == ["c3b29e932408", "b455c8554823"]
    train_rows = {row.tobytes() for row in full.train.images[:, :, :, 0].reshape(54000, -1)}
    assert all(
        row.tobytes() not in train_rows for row in quick.validation.images[:200].reshape(200, -1)
    )


def test_whole_test_set_is_the_full_profiles_test_set_in_every_profile():
    whole = pp.whole_test_set()
    full = pp.load_splits(PROFILES["full"]).test
    assert len(whole) == 10_000 > len(pp.load_splits(PROFILES["quick"]).test)
    np.testing.assert_array_equal(whole.labels, full.labels)
    np.testing.assert_array_equal(whole.images, full.images)


def test_subset_is_stratified_or_the_split_itself():
    counts = [100, 200, 100, 100, 100, 100, 100, 100, 100, 100]
    labels = np.repeat(np.arange(10), counts).astype(np.uint8)
    index = np.arange(len(labels), dtype=np.float32).reshape(-1, 1, 1, 1)
    images = index * np.ones((1, 28, 28, 1), np.float32)
    split = pp.Split(images, labels)
    part = pp.subset(split, 110)
    assert len(part) == 110
    assert np.bincount(part.labels).tolist() == [10, 20, 10, 10, 10, 10, 10, 10, 10, 10]
    kept = part.images[:, 0, 0, 0].astype(int)  # each image remembers its index
    np.testing.assert_array_equal(part.labels, labels[kept])
    assert pp.subset(split, len(split)) is split and pp.subset(split, 5_000) is split
    with pytest.raises(ValueError, match="at least 10 images, got 9"):
        pp.subset(split, 9)


def test_subset_indices_are_the_subsets_digits_or_all_of_them():
    labels = np.repeat(np.arange(10), 30).astype(np.uint8)
    kept = pp.subset_indices(labels, 50)
    assert len(kept) == 50 and np.all(np.diff(kept) > 0)
    assert np.bincount(labels[kept]).tolist() == [5] * 10
    np.testing.assert_array_equal(pp.subset_indices(labels, 300), np.arange(300))
    np.testing.assert_array_equal(pp.subset_indices(labels, 1_000), np.arange(300))
    with pytest.raises(ValueError, match="at least 10 images, got 3"):
        pp.subset_indices(labels, 3)
