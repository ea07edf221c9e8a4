"""Load MNIST from the IDX files committed under ``data/mnist/``, with checksum checks
(notebook 01), and the facts every other module takes from here: the image shape and the
number of classes.

Nothing is cached: a bad file raises :class:`DataFileError` and leaves no trace behind.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from helpers.settings import DATA_DIR, relative_to_repo

NUM_CLASSES = 10  # the digits 0-9
IMAGE_SHAPE = (28, 28, 1)  # height, width, channels: what the models take
IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
CHECKSUMS_FILE = "SHA256SUMS"
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
RESTORE_HINT = "Restore the committed data with: git checkout -- data/mnist"


class DataFileError(RuntimeError):
    """A data file is missing, damaged or not what it claims to be."""


def _fail(path: Path, problem: str) -> DataFileError:
    return DataFileError(f"{relative_to_repo(path)}: {problem}. {RESTORE_HINT}")


def read_checksums(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The expected SHA-256 of each file, read from ``SHA256SUMS`` (``sha256sum`` format)."""
    sums_path = Path(data_dir) / CHECKSUMS_FILE
    if not sums_path.is_file():
        raise _fail(sums_path, "the checksum list is missing")
    checksums = {}
    for line in sums_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            checksums[name.lstrip("*")] = digest.lower()
    return checksums


def sha256_of(path: Path) -> str:
    """The SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected_sha256: str) -> None:
    """Raise :class:`DataFileError` unless ``path`` exists and has the expected SHA-256."""
    path = Path(path)
    if not path.is_file():
        raise _fail(path, "the file is missing")
    if sha256_of(path) != expected_sha256:
        raise _fail(path, "its SHA-256 does not match SHA256SUMS (the file is damaged or changed)")


def read_idx(path: Path, expected_magic: int) -> np.ndarray:
    """Parse a gzip-compressed IDX file of unsigned bytes into a uint8 array.

    The header is a big-endian magic number (``0x0803`` images, ``0x0801`` labels) and one
    big-endian uint32 per dimension; the data must fill exactly the announced shape.
    """
    path = Path(path)
    try:
        with gzip.open(path, "rb") as stream:
            raw = stream.read()
    except FileNotFoundError:
        raise _fail(path, "the file is missing") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise _fail(path, f"not a readable gzip file ({exc})") from None
    if len(raw) < 4:
        raise _fail(path, "the file is too short to hold an IDX header")
    magic = int.from_bytes(raw[:4], "big")
    if magic != expected_magic:
        raise _fail(path, f"wrong magic number 0x{magic:08x}, expected 0x{expected_magic:08x}")
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise _fail(path, "the file is truncated inside its IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected_bytes = int(np.prod(shape))
    actual_bytes = len(raw) - header_size
    if actual_bytes != expected_bytes:
        raise _fail(
            path,
            f"the header announces shape {shape} ({expected_bytes:,} bytes) "
            f"but the file holds {actual_bytes:,} bytes of data (truncated or padded)",
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def load_mnist(data_dir: Path = DATA_DIR, *, verify: bool = True):
    """Return ``(x_train, y_train), (x_test, y_test)`` as uint8 arrays.

    Shapes: (60000, 28, 28), (60000,), (10000, 28, 28), (10000,). With ``verify`` (the
    default) every file's SHA-256 is checked against ``SHA256SUMS`` before it is parsed.
    """
    data_dir = Path(data_dir)
    checksums = read_checksums(data_dir) if verify else {}
    arrays = {}
    for key, name in FILES.items():
        path = data_dir / name
        if verify:
            if name not in checksums:
                raise _fail(data_dir / CHECKSUMS_FILE, f"no checksum listed for {name}")
            verify_file(path, checksums[name])
        magic = IMAGES_MAGIC if key.endswith("images") else LABELS_MAGIC
        arrays[key] = read_idx(path, magic)
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if len(images) != len(labels):
            raise _fail(
                data_dir / FILES[f"{split}_labels"],
                f"{len(labels):,} labels for {len(images):,} {split} images",
            )
        if labels.max(initial=0) >= NUM_CLASSES:
            raise _fail(data_dir / FILES[f"{split}_labels"], f"labels outside 0..{NUM_CLASSES - 1}")
    return (arrays["train_images"], arrays["train_labels"]), (
        arrays["test_images"],
        arrays["test_labels"],
    )
