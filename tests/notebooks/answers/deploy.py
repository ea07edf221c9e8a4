"""Answers to the exercises of notebook 08_deploy: other correct ones and typical mistakes."""

from tests.notebooks.answer_trials import Right, Wrong

# The six exports of the committed full run stand in for the cell that makes them again (20-40 s
# of conversions and latency timing); the exercise only reads their sizes and accuracies.
STAND_INS = {
    "rng = np.random.default_rng(settings.SEED)": (
        "import json\n\n"
        'metrics = json.loads((settings.REPO_ROOT / "reports" / "metrics.json").read_text())\n'
        'variants = metrics["export"]["variants"]\n'
    ),
}


def _trade(
    *,
    float32='"float32"',
    int8='"int8"',
    ratio="size[float32] / size[int8]",
    change="100 * (accuracy[int8] - keras_accuracy[model_name])",
):
    """An int8_trade body picking rows by mode, with one part swapped for a variant."""
    return f"""
    size = {{v["mode"]: v["bytes"] for v in variants if v["model"] == model_name}}
    accuracy = {{v["mode"]: v["test_accuracy"] for v in variants if v["model"] == model_name}}
    float32, int8 = {float32}, {int8}
    return {ratio}, {change}
    """


def _centre(*, move="round(14 - {})", dtype="np.float32"):
    """A centre_by_mass body in the reference's spelling; ``move`` turns a centre coordinate
    into a shift."""
    down = move.format("(rows * image).sum() / total")
    right = move.format("(cols * image).sum() / total")
    return f"""
    image = np.asarray(image, dtype={dtype})
    rows, cols = np.indices(image.shape)
    total = image.sum()
    down = {down}
    right = {right}
    centred = np.zeros_like(image)
    height, width = image.shape
    centred[max(down, 0):height + min(down, 0), max(right, 0):width + min(right, 0)] = \\
        image[max(-down, 0):height - max(down, 0), max(-right, 0):width - max(right, 0)]
    return centred
    """


ANSWERS = {
    "int8_trade": [
        Right("rows picked by mode", _trade()),
        Right(
            "a loop",
            """
            for variant in variants:
                if variant["model"] == model_name and variant["mode"] == "float32":
                    float32 = variant
                elif variant["model"] == model_name and variant["mode"] == "int8":
                    int8 = variant
            times_smaller = float32["bytes"] / int8["bytes"]
            return times_smaller, (int8["test_accuracy"] - keras_accuracy[model_name]) * 100
            """,
        ),
        Right(
            "pandas",
            """
            import pandas as pd

            rows = pd.DataFrame(variants).set_index(["model", "mode"])
            mine = rows.loc[model_name]
            times_smaller = mine.loc["float32", "bytes"] / mine.loc["int8", "bytes"]
            change = 100 * (mine.loc["int8", "test_accuracy"] - keras_accuracy[model_name])
            return float(times_smaller), float(change)
            """,
        ),
        Right(
            "next() over the list",
            """
            def pick(mode):
                return next(v for v in variants if v["model"] == model_name and v["mode"] == mode)

            float32, int8 = pick("float32"), pick("int8")
            return (float32["bytes"] / int8["bytes"],
                    100 * int8["test_accuracy"] - 100 * keras_accuracy[model_name])
            """,
        ),
        Wrong("int8 over float32", _trade(ratio="size[int8] / size[float32]"), "times smaller"),
        Wrong(
            "a fraction, not percentage points",
            _trade(change="accuracy[int8] - keras_accuracy[model_name]"),
            "-0.135 points",
        ),
        Wrong(
            "Keras minus int8",
            _trade(change="100 * (keras_accuracy[model_name] - accuracy[int8])"),
            "-0.135 points",
        ),
        Wrong(
            "the float32 file's accuracy instead of Keras'",
            _trade(change="100 * (accuracy[int8] - accuracy[float32])"),
            "-0.135 points",
        ),
        Wrong(
            "the dynamic-range file instead of int8",
            _trade(int8='"dynamic_range"'),
            "times smaller",
        ),
        Wrong(
            "rounded",
            _trade(
                ratio="round(size[float32] / size[int8], 2)",
                change="round(100 * (accuracy[int8] - keras_accuracy[model_name]), 2)",
            ),
            "not rounded",
        ),
        Wrong(
            "the first rows, whatever the model",
            """
            size = {v["mode"]: v["bytes"] for v in reversed(variants)}
            accuracy = {v["mode"]: v["test_accuracy"] for v in reversed(variants)}
            change = 100 * (accuracy["int8"] - keras_accuracy[model_name])
            return size["float32"] / size["int8"], change
            """,
            "times smaller",
        ),
        Wrong(
            "a dict instead of the pair",
            """
            size = {v["mode"]: v["bytes"] for v in variants if v["model"] == model_name}
            return {"times_smaller": size["float32"] / size["int8"]}
            """,
            "should return the pair",
        ),
    ],
    "centre_by_mass": [
        Right(
            "scipy's centre of mass and an order-0 shift",
            """
            from scipy import ndimage

            row, col = ndimage.center_of_mass(image)
            shift = (round(14 - row), round(14 - col))
            return ndimage.shift(np.asarray(image, dtype=np.float32), shift, order=0, cval=0.0)
            """,
        ),
        Right(
            "np.roll, then the wrapped rows and columns cleared",
            """
            image = np.asarray(image, dtype=np.float32)
            rows, cols = np.indices(image.shape)
            down = int(np.rint(14 - (rows * image).sum() / image.sum()))
            right = int(np.rint(14 - (cols * image).sum() / image.sum()))
            moved = np.roll(image, (down, right), axis=(0, 1))
            if down > 0:
                moved[:down] = 0
            elif down < 0:
                moved[down:] = 0
            if right > 0:
                moved[:, :right] = 0
            elif right < 0:
                moved[:, right:] = 0
            return moved
            """,
        ),
        Right(
            "pixel by pixel",
            """
            total = float(np.sum(image))
            row = sum(r * value for (r, _), value in np.ndenumerate(image)) / total
            col = sum(c * value for (_, c), value in np.ndenumerate(image)) / total
            down, right = round(14 - row), round(14 - col)
            centred = np.zeros((28, 28), dtype=np.float32)
            for (r, c), value in np.ndenumerate(image):
                if 0 <= r + down < 28 and 0 <= c + right < 28:
                    centred[r + down, c + right] = value
            return centred
            """,
        ),
        Right(
            "a padded canvas, then a 28x28 window",
            """
            image = np.asarray(image, dtype=np.float32)
            rows, cols = np.indices(image.shape)
            down = round(14 - (rows * image).sum() / image.sum())
            right = round(14 - (cols * image).sum() / image.sum())
            padded = np.pad(image, 28)
            return padded[28 - down:56 - down, 28 - right:56 - right].copy()
            """,
        ),
        Wrong(
            "np.roll wraps the ink around",
            """
            rows, cols = np.indices(image.shape)
            down = round(14 - (rows * image).sum() / image.sum())
            right = round(14 - (cols * image).sum() / image.sum())
            return np.roll(np.asarray(image, dtype=np.float32), (down, right), axis=(0, 1))
            """,
            "do not wrap around",
        ),
        Wrong("truncated instead of rounded", _centre(move="int(14 - {})"), "half a pixel"),
        Wrong(
            "a half rounded up, not to even: floor(x + 0.5)",
            _centre(move="int(np.floor(14 - {} + 0.5))"),
            "takes a half to the even number",
        ),
        Wrong(
            "centre at 13.5", _centre(move="round(13.5 - {})"), "should move to row 14, column 14"
        ),
        Wrong("float64 image", _centre(dtype="np.float64"), "float32"),
        Wrong(
            "moved the wrong way",
            _centre(move="round({} - 14)"),
            "should move to row 14, column 14",
        ),
        Wrong(
            "the given image changed in place",
            """
            rows, cols = np.indices(image.shape)
            down = round(14 - (rows * image).sum() / image.sum())
            right = round(14 - (cols * image).sum() / image.sum())
            original = image.copy()
            image[:] = 0
            height, width = image.shape
            image[max(down, 0):height + min(down, 0), max(right, 0):width + min(right, 0)] = \\
                original[max(-down, 0):height - max(down, 0), max(-right, 0):width - max(right, 0)]
            return image
            """,
            "do not change the image you were given",
        ),
        Wrong(
            "a sub-pixel shift",
            """
            from scipy import ndimage

            row, col = ndimage.center_of_mass(image)
            image = np.asarray(image, dtype=np.float64)
            moved = ndimage.shift(image, (14 - row, 14 - col), order=1)
            return moved.astype(np.float32)
            """,
            "moved by whole pixels",
        ),
    ],
}
