"""helpers.deploy.drawn_digits: any picture of a digit -> an MNIST-style 28x28 input."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from helpers.data import load_mnist
from helpers.deploy import drawn_digits
from helpers.deploy.drawn_digits import (
    DigitImageError,
    InvalidImage,
    NoDigitFound,
    distort_like_drawn,
    prepare_digit,
    prepare_steps,
    recentre_batch,
)
from helpers.geometry import box_sizes, centre_of_mass, centres_of_mass, ink_bounding_box


def draw_seven(size=280, box=(40, 40, 200), width=None, mode="L", paper=255, ink=0):
    """A seven drawn with a round brush in ``box`` = (left, top, side) of a square canvas."""
    left, top, side = box
    image = Image.new(mode, (size, size), paper)
    points = [(left, top), (left + 0.6 * side, top), (left + 0.15 * side, top + side)]
    ImageDraw.Draw(image).line(points, fill=ink, width=width or max(1, side // 10), joint="curve")
    return image


def assert_mnist_like(digit):
    """28x28 float32 in [0, 1], centre of mass within half a pixel of (14, 14), 20-px box."""
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0 and digit.max() == pytest.approx(1, abs=0.05)
    row, col = centre_of_mass(digit)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    top, bottom, left, right = ink_bounding_box(digit)
    assert 19 <= max(bottom - top + 1, right - left + 1) <= 20


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_header_only(width, height):
    """A PNG that announces ``width`` x ``height`` 1-bit pixels but holds almost no data."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def mnist_test_digits():
    _, (images, labels) = load_mnist()
    return images[:300], labels[:300]


def test_an_off_centre_stroke_is_fitted_and_centred_like_mnist():
    digit = prepare_digit(draw_seven(box=(150, 20, 90)))
    assert_mnist_like(digit)


def test_steps_are_exposed_in_order_with_their_shapes():
    steps = prepare_steps(draw_seven(box=(150, 20, 90)))
    assert list(steps) == ["raw", "ink", "cropped", "fitted_20x20", "centred_28x28"]
    assert steps["raw"].shape == steps["ink"].shape == (280, 280)
    assert steps["raw"][0, 0] == 1.0 and steps["ink"][0, 0] == 0.0  # paper white, then black
    assert max(steps["cropped"].shape) > 80
    assert max(steps["fitted_20x20"].shape) == 20
    np.testing.assert_array_equal(
        steps["centred_28x28"], prepare_digit(draw_seven(box=(150, 20, 90)))
    )


def test_inverted_colours_give_the_same_digit():
    dark_on_light = draw_seven(box=(60, 90, 120))
    light_on_dark = ImageOps.invert(dark_on_light)
    np.testing.assert_allclose(
        prepare_digit(light_on_dark), prepare_digit(dark_on_light), atol=1e-5
    )


@pytest.mark.parametrize("ink", [(0, 0, 0, 255), (255, 255, 255, 255)], ids=["black", "white"])
def test_strokes_on_a_transparent_canvas(ink):
    transparent = draw_seven(mode="RGBA", paper=(0, 0, 0, 0), ink=ink)
    opaque = draw_seven()
    assert_mnist_like(prepare_digit(transparent))
    np.testing.assert_allclose(prepare_digit(transparent), prepare_digit(opaque), atol=1e-5)


def test_paths_bytes_pil_images_and_arrays_give_the_same_digit(tmp_path):
    image = draw_seven(mode="RGB", paper=(250, 245, 230), ink=(20, 30, 120))
    path = tmp_path / "seven.png"
    image.save(path)
    expected = prepare_digit(image)
    for source in (path, str(path), png_bytes(image), np.asarray(image)):
        np.testing.assert_allclose(prepare_digit(source), expected, atol=1e-5)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "I;16", "I", "F", "CMYK"])
def test_any_pil_mode_is_accepted(mode):
    image = draw_seven()
    if mode == "F":
        image = Image.fromarray(np.asarray(image, np.float32) / 255)
    elif mode in ("I;16", "I"):
        image = Image.fromarray((np.asarray(image, np.uint16) * 257).astype(np.uint16))
        image = image if mode == "I;16" else image.convert("I")
    else:
        image = image.convert(mode)
    assert_mnist_like(prepare_digit(image))


def test_tiny_and_large_canvases():
    assert_mnist_like(prepare_digit(draw_seven(size=12, box=(2, 1, 9), width=1)))
    assert_mnist_like(prepare_digit(draw_seven(size=2000, box=(1200, 300, 600), width=50)))


def test_blank_and_nearly_blank_pictures_raise_no_digit_found():
    white = Image.new("L", (100, 100), 255)
    with pytest.raises(NoDigitFound, match="no digit found: the image is blank or nearly blank"):
        prepare_digit(white)
    with pytest.raises(NoDigitFound):
        prepare_digit(np.zeros((28, 28)))
    one_faint_pixel = np.full((28, 28), 255, np.uint8)
    one_faint_pixel[10, 10] = 235
    with pytest.raises(NoDigitFound):
        prepare_digit(one_faint_pixel)
    one_dark_speck = np.full((200, 200), 255, np.uint8)
    one_dark_speck[50:52, 60:62] = 0
    with pytest.raises(NoDigitFound):
        prepare_digit(one_dark_speck)
    noise_only = np.random.default_rng(0).normal(0.6, 0.03, (300, 300)).clip(0, 1)
    with pytest.raises(NoDigitFound):
        prepare_digit(noise_only)
    fully_transparent = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    with pytest.raises(NoDigitFound):
        prepare_digit(fully_transparent)


def test_a_noisy_grey_photo_keeps_only_the_digit():
    clean = draw_seven(size=240, box=(30, 40, 150))
    pencil = 1 - np.asarray(clean, np.float64) / 255
    noise = np.random.default_rng(1).normal(0, 0.02, pencil.shape)
    photo = (0.65 - 0.4 * pencil + noise).clip(0, 1)  # grey paper, grey pencil, sensor noise
    steps = prepare_steps(photo)
    assert_mnist_like(steps["centred_28x28"])
    clean_box = prepare_steps(clean)["cropped"].shape
    assert np.allclose(steps["cropped"].shape, clean_box, atol=2)  # no speck widened the box


def test_files_that_are_not_images_raise_invalid_image(tmp_path):
    with pytest.raises(InvalidImage, match="not an image"):
        prepare_digit(b"hello, I am a text file")
    text_file = tmp_path / "notes.png"
    text_file.write_text("not a picture")
    with pytest.raises(InvalidImage, match="not an image"):
        prepare_digit(text_file)
    truncated = png_bytes(draw_seven())[:200]
    with pytest.raises(InvalidImage, match="damaged image"):
        prepare_digit(truncated)
    with pytest.raises(InvalidImage, match="float pixels must lie in"):
        prepare_digit(np.full((28, 28), 3.0))
    with pytest.raises(InvalidImage, match="shaped"):
        prepare_digit(np.zeros((2, 28, 28, 3)))
    assert issubclass(InvalidImage, DigitImageError) and issubclass(NoDigitFound, ValueError)


def test_too_large_images_are_refused_from_their_header():
    with pytest.raises(InvalidImage, match=r"image too large: 8000 x 6000 pixels; the limit is"):
        prepare_digit(png_header_only(8000, 6000))  # 48 megapixels, never decoded
    with pytest.raises(InvalidImage, match="image too large"):
        prepare_digit(png_header_only(30_000, 30_000))  # PIL's decompression-bomb limit
    lazily_opened = Image.open(io.BytesIO(png_header_only(8000, 6000)))
    with pytest.raises(InvalidImage, match="image too large: 8000 x 6000"):
        prepare_digit(lazily_opened)


def test_a_photo_is_turned_upright_from_its_exif_orientation():
    image = draw_seven(mode="RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned, show the picture rotated 90° clockwise
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif)
    upright = image.transpose(Image.Transpose.ROTATE_270)
    np.testing.assert_array_equal(prepare_digit(buffer.getvalue()), prepare_digit(upright))


def test_mnist_digits_come_back_nearly_unchanged(mnist_test_digits):
    images, _ = mnist_test_digits
    recentred = recentre_batch(images)
    assert recentred.shape == images.shape and recentred.dtype == np.float32
    mean_change = np.abs(recentred - images / 255).mean(axis=(1, 2))
    assert np.median(mean_change) < 0.01 and mean_change.max() < 0.15


def test_distortion_moves_and_rescales_and_recentring_undoes_the_move(mnist_test_digits):
    images, _ = mnist_test_digits
    distorted = distort_like_drawn(images[..., None], np.random.default_rng(0))
    assert distorted.shape == (300, 28, 28, 1) and distorted.dtype == np.float32
    assert 0 <= distorted.min() and distorted.max() <= 1
    moved = centres_of_mass(distorted[..., 0])
    assert moved.std(axis=0).min() > 2  # digits land all over the canvas
    box_sides = box_sizes(distorted[..., 0]).max(axis=1)
    assert box_sides.min() <= 12 and box_sides.max() >= 24  # smaller and larger than MNIST's 20

    recentred = recentre_batch(distorted)
    assert recentred.shape == distorted.shape
    np.testing.assert_allclose(centres_of_mass(recentred[..., 0]), 14, atol=0.5)

    again = distort_like_drawn(images[..., None], np.random.default_rng(0))
    np.testing.assert_array_equal(again, distorted)  # same seed, same distortion


def test_a_lopsided_digit_is_placed_by_its_centre_of_mass_and_cut_at_the_edge():
    top_heavy = np.zeros((20, 20), np.float32)
    top_heavy[:3] = 1  # a heavy bar on top of a faint stem: centre of mass in row 2
    top_heavy[3:, 9:11] = 0.1
    canvas = drawn_digits.centre_in_canvas(top_heavy)
    assert ink_bounding_box(canvas)[:2] == (12, 27)  # the bar's centre lands on row 14
    np.testing.assert_array_equal(canvas[12:28, 4:24], top_heavy[:16])  # the stem's tip is cut
