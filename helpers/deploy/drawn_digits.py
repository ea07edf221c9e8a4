"""Turn any picture of one digit into an MNIST input, the way MNIST itself was made (notebook 08).

The steps, which :func:`prepare_steps` returns one by one for notebook 08:

1. ``raw``: the picture as greyscale in [0, 1], transparency composited onto a background that
   contrasts with the strokes (so black or white strokes on a transparent canvas both work).
2. ``ink``: white ink on black. The background level is the median of the border pixels; the
   ink is whatever pulls the image's mean away from it (darker or lighter). Faint noise, below
   a fraction of the strongest ink or a few times the border's noise, is removed.
3. ``cropped``: the ink's bounding box.
4. ``fitted_20x20``: scaled (anti-aliased, Lanczos) so its longer side is 20 pixels, grey
   levels stretched so the strongest pixel is 1 (as in every MNIST digit).
5. ``centred_28x28``: pasted into a 28x28 black image at the whole-pixel offset that puts its
   centre of mass nearest to (14, 14), the mean centre notebook 01 measured on MNIST. Integer
   offsets avoid a second resampling; ink pushed past the edge is cut off, as in MNIST.

Blank or nearly blank pictures raise :class:`NoDigitFound` rather than produce a guess.
"""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import ndimage

from helpers.data import IMAGE_SHAPE
from helpers.geometry import centre_of_mass, ink_bounding_box

MNIST_SIZE = IMAGE_SHAPE[0]
FIT_SIZE = 20  # MNIST digits were scaled to fit a 20x20 box
TARGET_CENTRE = (14.0, 14.0)  # (row, column): where MNIST puts the centre of mass
MAX_PIXELS = 40_000_000
MIN_CONTRAST = 0.1  # the strongest ink must differ from the background by 10% of full range
NOISE_FRACTION = 0.1  # ink fainter than 10% of the strongest ink is noise
NOISE_SIGMAS = 5.0  # ... and so is ink within 5 standard deviations of the border's noise
MIN_INK_PIXELS = 4
MIN_INK_FRACTION = 0.0005  # a digit covers at least 0.05% of the picture
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601-2 luma, as PIL's "L"


class DigitImageError(ValueError):
    """A picture that cannot be turned into an MNIST input."""


class InvalidImage(DigitImageError):
    """Not a picture this module can read: unknown format, damaged, or too large."""


class NoDigitFound(DigitImageError):
    """The picture is blank or nearly blank: there is no digit to recognise."""

    def __init__(self, message: str = "no digit found: the image is blank or nearly blank"):
        super().__init__(message)


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise InvalidImage(
            f"image too large: {width} x {height} pixels; the limit is {MAX_PIXELS:,} pixels"
        )


def _open(source) -> Image.Image:
    """A path or encoded bytes -> a PIL image, its header read but its pixels not decoded."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        with warnings.catch_warnings():  # _pil_pixels's size check gives the clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(stream)
    except UnidentifiedImageError:
        raise InvalidImage("not an image (unknown or unsupported file format)") from None
    except Image.DecompressionBombError as exc:
        raise InvalidImage(f"image too large ({exc}); the limit is {MAX_PIXELS:,} pixels") from None


def _pil_pixels(image: Image.Image) -> np.ndarray:
    """The pixels of a PIL image, size checked before decoding: (H, W) grey, (H, W, 3) RGB or
    (H, W, 4) RGBA."""
    _check_size(*image.size)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage(f"damaged image: {exc}") from None
    image = ImageOps.exif_transpose(image)  # photos: apply the camera's rotation
    if image.mode.startswith("I") or image.mode == "F":  # 16- and 32-bit greyscale
        return np.asarray(image)
    if image.has_transparency_data:
        return np.asarray(image.convert("RGBA"))
    if image.mode in ("1", "L"):
        return np.asarray(image)
    return np.asarray(image.convert("RGB"))


def _as_pixels(image) -> np.ndarray:
    """Any accepted input -> an array shaped (H, W) or (H, W, 2 | 3 | 4 channels)."""
    if isinstance(image, str | os.PathLike | bytes | bytearray):
        image = _open(image)
    if isinstance(image, Image.Image):
        return _pil_pixels(image)
    pixels = np.asarray(image)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    if not (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] in (2, 3, 4))):
        raise InvalidImage(
            f"expected one image shaped (H, W) or (H, W, 1 to 4 channels), got {pixels.shape}"
        )
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise InvalidImage(f"the image has no pixels (shape {pixels.shape})")
    _check_size(pixels.shape[1], pixels.shape[0])
    return pixels


def _unit_range(pixels: np.ndarray) -> np.ndarray:
    """Pixel values -> float32 in [0, 1]: bool as 0/1, integers by their full scale (255 or
    65535), floats as given (they must already lie in [0, 1])."""
    if pixels.dtype == bool:
        return pixels.astype(np.float32)
    if np.issubdtype(pixels.dtype, np.integer):
        eight_bit = pixels.dtype.itemsize == 1 or pixels.max() <= 255
        scaled = pixels.astype(np.float32) / (255 if eight_bit else 65535)
        return np.clip(scaled, 0, 1, out=scaled)
    if np.issubdtype(pixels.dtype, np.floating):
        low, high = float(pixels.min()), float(pixels.max())
        if not (0 <= low and high <= 1):
            raise InvalidImage(f"float pixels must lie in [0, 1], got [{low:g}, {high:g}]")
        return pixels.astype(np.float32)
    raise InvalidImage(f"unsupported pixel type {pixels.dtype}")


def _flatten_alpha(grey: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite onto white if the opaque strokes are dark, onto black if they are light."""
    opacity = alpha.sum()
    strokes_are_dark = opacity > 0 and (grey * alpha).sum() / opacity < 0.5
    background = 1.0 if strokes_are_dark else 0.0
    return grey * alpha + background * (1 - alpha)


def to_greyscale(image) -> np.ndarray:
    """A path, encoded bytes, PIL image or array -> (H, W) float32 greyscale in [0, 1].

    Arrays may be (H, W), (H, W, 1), (H, W, 2) grey + alpha, (H, W, 3) RGB or (H, W, 4) RGBA;
    integer pixels are scaled by their full range, float pixels must already lie in [0, 1].
    """
    pixels = _as_pixels(image)
    if pixels.ndim == 2:
        return _unit_range(pixels)
    has_alpha = pixels.shape[2] in (2, 4)
    colours = _unit_range(pixels[..., :-1] if has_alpha else pixels)
    grey = colours[..., 0] if colours.shape[2] == 1 else colours @ LUMA_WEIGHTS
    if has_alpha:
        grey = _flatten_alpha(grey, _unit_range(pixels[..., -1]))
    return grey.astype(np.float32)


def _border(image: np.ndarray) -> np.ndarray:
    """The pixels along the four edges of a 2-D image."""
    return np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])


def extract_ink(grey: np.ndarray) -> np.ndarray:
    """Greyscale (H, W) -> white ink on black in [0, 1], noise removed; NoDigitFound if blank.

    The background is the median of the border pixels; the ink lies on the side of it where
    the image's mean lies (dark ink pulls the mean down). Ink fainter than ``NOISE_FRACTION``
    of the strongest ink, or than ``NOISE_SIGMAS`` robust standard deviations of the border,
    becomes 0, and what remains is stretched so that the strongest ink is 1.
    """
    border = _border(grey)
    background = float(np.median(border))
    dark_ink = grey.mean() < background
    ink = np.clip(background - grey if dark_ink else grey - background, 0, None)
    contrast = float(ink.max())
    border_sigma = 1.4826 * float(np.median(np.abs(border - background)))
    noise_level = max(NOISE_FRACTION * contrast, NOISE_SIGMAS * border_sigma)
    if contrast < MIN_CONTRAST or contrast <= noise_level:
        raise NoDigitFound()
    ink = np.clip((ink - noise_level) / (contrast - noise_level), 0, 1)
    if np.count_nonzero(ink) < max(MIN_INK_PIXELS, MIN_INK_FRACTION * ink.size):
        raise NoDigitFound()
    return ink.astype(np.float32)


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    """The smallest rectangle of ``ink`` that holds every non-zero pixel."""
    box = ink_bounding_box(ink)
    if box is None:
        raise NoDigitFound()
    top, bottom, left, right = box
    return ink[top : bottom + 1, left : right + 1]


def fit_box(cropped: np.ndarray, size: int = FIT_SIZE) -> np.ndarray:
    """Scale so that the longer side is ``size`` pixels, keeping the aspect ratio (Lanczos),
    and stretch the grey levels so that the strongest pixel is 1."""
    height, width = cropped.shape
    scale = size / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(cropped.astype(np.float32)).resize(new_size, Image.Resampling.LANCZOS)
    fitted = np.clip(np.asarray(resized), 0, 1)  # Lanczos rings slightly outside [0, 1]
    return fitted / fitted.max()  # thin strokes come out faint; MNIST's peaks are all 254-255


def centre_in_canvas(digit: np.ndarray, size: int = MNIST_SIZE) -> np.ndarray:
    """``digit`` in a black ``size`` x ``size`` image, moved by whole pixels (scipy's
    ``ndimage.shift``) so that its centre of mass lands within half a pixel of TARGET_CENTRE.

    Ink pushed past the edge is cut off, as in MNIST (813 of its 60,000 training digits touch
    it).
    """
    height, width = digit.shape
    if height > size or width > size:
        raise ValueError(f"a {height}x{width} digit does not fit a {size}x{size} image")
    row, col = centre_of_mass(digit)
    canvas = np.zeros((size, size), dtype=np.float32)
    canvas[:height, :width] = digit
    offset = (round(TARGET_CENTRE[0] - row), round(TARGET_CENTRE[1] - col))
    return ndimage.shift(canvas, offset, order=0, mode="constant", cval=0.0)


def prepare_steps(image) -> dict[str, np.ndarray]:
    """Every step from a picture to an MNIST input, in order (see the module docstring)."""
    steps = {"raw": to_greyscale(image)}
    steps["ink"] = extract_ink(steps["raw"])
    steps["cropped"] = crop_to_ink(steps["ink"])
    steps["fitted_20x20"] = fit_box(steps["cropped"])
    steps["centred_28x28"] = centre_in_canvas(steps["fitted_20x20"])
    return steps


def prepare_digit(image) -> np.ndarray:
    """A picture of one digit -> the model's input: (28, 28) float32 in [0, 1], white on black."""
    return prepare_steps(image)["centred_28x28"]


def _as_batch(images) -> tuple[np.ndarray, bool]:
    """(N, 28, 28) or (N, 28, 28, 1) images -> float32 (N, 28, 28) in [0, 1], had a channel."""
    images = np.asarray(images)
    has_channel = images.ndim == 4 and images.shape[3] == 1
    if has_channel:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"expected images shaped (N, H, W) or (N, H, W, 1), got {images.shape}")
    if images.dtype == np.uint8:
        images = images / 255.0
    return images.astype(np.float32), has_channel


def _restore_channel(images: np.ndarray, has_channel: bool) -> np.ndarray:
    return images[..., np.newaxis] if has_channel else images


def distort_like_drawn(
    images, rng: np.random.Generator, scale_range: tuple[float, float] = (0.5, 1.3)
) -> np.ndarray:
    """Rescale each digit at random and move it to a random place, as people draw in a box.

    Each digit's ink box is scaled by a factor drawn uniformly from ``scale_range`` (capped so
    that it fits the image) and pasted at a random position where it stays whole. Takes uint8
    or [0, 1] images, (N, H, W) or (N, H, W, 1); returns float32 in [0, 1], same shape.
    """
    batch, has_channel = _as_batch(images)
    height, width = batch.shape[1:]
    distorted = np.zeros_like(batch)
    for image, out in zip(batch, distorted, strict=True):
        cropped = crop_to_ink(image)
        largest_scale = min(height, width) / max(cropped.shape)
        scale = min(rng.uniform(*scale_range), largest_scale)
        digit = fit_box(cropped, max(1, round(max(cropped.shape) * scale)))
        top = rng.integers(0, height - digit.shape[0] + 1)
        left = rng.integers(0, width - digit.shape[1] + 1)
        out[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return _restore_channel(distorted, has_channel)


def recentre_batch(images) -> np.ndarray:
    """:func:`prepare_digit` applied to every image of a batch: the same shape, float32."""
    batch, has_channel = _as_batch(images)
    return _restore_channel(np.stack([prepare_digit(image) for image in batch]), has_channel)
