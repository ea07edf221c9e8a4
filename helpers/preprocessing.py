"""The data as notebooks 03-08 use it: scaled images, one-hot labels, notebook 02's split.

:func:`load_splits` chains the steps so that every later notebook recomputes exactly the
split of notebook 02 (same seed, same images) instead of reading it from disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import label_binarize

from helpers.data import NUM_CLASSES, load_mnist
from helpers.settings import SEED, VALIDATION_SIZE, Profile


def model_inputs(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, 28, 28) as the models take them (notebook 02's ``normalise``)."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels 0..255, got {images.dtype}")
    if images.ndim != 3:
        raise ValueError(f"expected images shaped (N, height, width), got {images.shape}")
    return np.divide(images[..., np.newaxis], 255, dtype=np.float32)


def label_rows(labels: np.ndarray) -> np.ndarray:
    """Integer labels (N,) as the models' targets (notebook 02's ``one_hot``), by scikit-learn."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"expected a 1-D array of labels, got shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(f"labels must lie in 0..{NUM_CLASSES - 1}")
    if labels.size == 0:  # scikit-learn refuses an empty array
        return np.zeros((0, NUM_CLASSES), dtype=np.float32)
    return label_binarize(labels, classes=np.arange(NUM_CLASSES)).astype(np.float32)


def stratified_split(labels: np.ndarray, holdout_size: int, seed: int = SEED):
    """Indices ``(keep, holdout)`` with ``holdout_size`` items and the class proportions kept."""
    indices = np.arange(len(labels))
    keep, holdout = train_test_split(
        indices, test_size=holdout_size, stratify=labels, random_state=seed
    )
    return np.sort(keep), np.sort(holdout)


def subset_indices(labels: np.ndarray, images: int, seed: int = SEED) -> np.ndarray:
    """The sorted indices of a stratified subset of ``images`` of ``labels``; all of them when
    there are no more than that."""
    if images >= len(labels):
        return np.arange(len(labels))
    if images < NUM_CLASSES:
        raise ValueError(f"a stratified subset needs at least {NUM_CLASSES} images, got {images}")
    _, kept = stratified_split(labels, images, seed)
    return kept


def subset(split: Split, images: int, seed: int = SEED) -> Split:
    """A stratified subset of ``images`` digits of ``split``, or ``split`` itself when it holds
    no more than that."""
    if images >= len(split):
        return split
    kept = subset_indices(split.labels, images, seed)
    return Split(split.images[kept], split.labels[kept])


def whole_test_set() -> Split:
    """All 10,000 test digits, scaled, in every profile: for a measurement whose margin needs
    them all (``load_splits`` gives the quick profile a subset)."""
    _, (x_test, y_test) = load_mnist()
    return Split(model_inputs(x_test), y_test)


def fingerprint(*arrays: np.ndarray) -> str:
    """A short SHA-256 of array contents: the same arrays give the same 12 hex digits."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Split:
    """Images scaled to [0, 1] with a channel axis, and their integer labels."""

    images: np.ndarray  # float32 (N, 28, 28, 1)
    labels: np.ndarray  # uint8 (N,)

    @property
    def one_hot(self) -> np.ndarray:
        return label_rows(self.labels)

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class DataSplits:
    """Train / validation / test, as every notebook after 02 uses them."""

    train: Split
    validation: Split
    test: Split


def load_splits(profile: Profile, validation_size: int = VALIDATION_SIZE) -> DataSplits:
    """The split of notebook 02; the quick profile keeps a stratified subset of each part.

    The subsets are the same in every run, so a profile's scores stay comparable.
    """
    (x_train, y_train), (x_test, y_test) = load_mnist()
    train_idx, val_idx = stratified_split(y_train, validation_size)
    if profile.train_limit is not None and profile.train_limit < len(train_idx):
        subset_size = len(train_idx) - profile.train_limit
        kept, _ = stratified_split(y_train[train_idx], subset_size)
        train_idx = train_idx[kept]
    val_idx = val_idx[subset_indices(y_train[val_idx], profile.held_out_count(len(val_idx)))]
    test_idx = subset_indices(y_test, profile.held_out_count(len(y_test)))
    x_test, y_test = x_test[test_idx], y_test[test_idx]
    return DataSplits(
        train=Split(model_inputs(x_train[train_idx]), y_train[train_idx]),
        validation=Split(model_inputs(x_train[val_idx]), y_train[val_idx]),
        test=Split(model_inputs(x_test), y_test),
    )
