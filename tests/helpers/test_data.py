"""helpers.data: the committed files load, and every kind of damage gets a clear error."""

import gzip
import hashlib
import shutil

import numpy as np
import pytest

from helpers import data
from helpers.data import DataFileError, load_mnist, read_idx


def idx_bytes(magic: int, array: np.ndarray) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_dataset(folder, *, n_train=6, n_test=4, tamper=None):
    """A tiny MNIST-shaped dataset with its SHA256SUMS; ``tamper(name, raw)`` edits bytes."""
    rng = np.random.default_rng(0)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28)),
        "train_labels": np.arange(n_train) % 10,
        "test_images": rng.integers(0, 256, (n_test, 28, 28)),
        "test_labels": np.arange(n_test) % 10,
    }
    sums = []
    for key, name in data.FILES.items():
        magic = data.IMAGES_MAGIC if key.endswith("images") else data.LABELS_MAGIC
        raw = idx_bytes(magic, arrays[key])
        if tamper:
            raw = tamper(name, raw)
        packed = gzip.compress(raw, mtime=0)
        (folder / name).write_bytes(packed)
        sums.append(f"{hashlib.sha256(packed).hexdigest()}  {name}")
    (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    return arrays


def test_committed_mnist_has_the_published_shapes_and_counts():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert np.bincount(y_train).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert x_train.max() == 255 and x_train.min() == 0


def test_a_valid_small_dataset_round_trips(tmp_path):
    arrays = write_dataset(tmp_path)
    (x_train, y_train), (x_test, y_test) = load_mnist(tmp_path)
    np.testing.assert_array_equal(x_train, arrays["train_images"])
    np.testing.assert_array_equal(y_test, arrays["test_labels"])


def test_missing_file_names_the_file_and_the_restore_command(tmp_path):
    write_dataset(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(
        DataFileError,
        match=r"t10k-labels-idx1-ubyte\.gz: the file is missing.*git checkout -- data/mnist",
    ):
        load_mnist(tmp_path)


def test_missing_checksum_list(tmp_path):
    write_dataset(tmp_path)
    (tmp_path / "SHA256SUMS").unlink()
    with pytest.raises(DataFileError, match="checksum list is missing"):
        load_mnist(tmp_path)


def test_changed_file_fails_its_checksum(tmp_path):
    write_dataset(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-10])  # truncated on disk
    with pytest.raises(
        DataFileError, match=r"train-images-idx3-ubyte\.gz: its SHA-256 does not match"
    ):
        load_mnist(tmp_path)


def test_copy_of_real_files_with_one_corrupted_byte_is_refused(tmp_path):
    for item in data.DATA_DIR.iterdir():
        shutil.copy(item, tmp_path / item.name)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(DataFileError, match="does not match SHA256SUMS"):
        load_mnist(tmp_path)


def test_wrong_magic_number(tmp_path):
    def swap_magic(name, raw):
        return (0x00000801).to_bytes(4, "big") + raw[4:] if name.startswith("train-images") else raw

    write_dataset(tmp_path, tamper=swap_magic)
    with pytest.raises(DataFileError, match="wrong magic number 0x00000801, expected 0x00000803"):
        load_mnist(tmp_path)


def test_truncated_data_inside_a_valid_gzip(tmp_path):
    write_dataset(tmp_path, tamper=lambda name, raw: raw[:-28] if "t10k-images" in name else raw)
    with pytest.raises(DataFileError, match=r"announces shape \(4, 28, 28\).*truncated or padded"):
        load_mnist(tmp_path)


def test_truncated_header(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress((0x00000801).to_bytes(4, "big") + b"\x00\x00"))
    with pytest.raises(DataFileError, match="truncated inside its IDX header"):
        read_idx(path, data.LABELS_MAGIC)


def test_file_that_is_not_gzip(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(b"this is not a gzip file at all")
    with pytest.raises(DataFileError, match="not a readable gzip file"):
        read_idx(path, data.LABELS_MAGIC)


def test_labels_out_of_range_are_refused(tmp_path):
    def bad_label(name, raw):
        return raw[:-1] + b"\x0c" if name.startswith("train-labels") else raw

    write_dataset(tmp_path, tamper=bad_label)
    with pytest.raises(DataFileError, match="labels outside 0..9"):
        load_mnist(tmp_path)


def test_label_and_image_counts_must_agree(tmp_path):
    def drop_label(name, raw):
        if not name.startswith("t10k-labels"):
            return raw
        return raw[:4] + (3).to_bytes(4, "big") + raw[8:-1]

    write_dataset(tmp_path, tamper=drop_label)
    with pytest.raises(DataFileError, match="3 labels for 4 test images"):
        load_mnist(tmp_path)
