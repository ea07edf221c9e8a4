"""Answers to the exercises of notebook 02_preprocess: other correct ones and typical mistakes."""

from tests.notebooks.answer_trials import Right, Wrong

ANSWERS = {
    "normalise": [
        Right("reshape with -1", "return images.reshape(-1, 28, 28, 1).astype(np.float32) / 255"),
        Right(
            "channel axis first, then scale",
            'return np.expand_dims(images, -1).astype("float32") / 255.0',
        ),
        Right(
            "divide in float64, then float32",
            "return (images / 255.0).astype(np.float32)[..., None]",
        ),
        Right(
            "multiply by 1/255",
            "return images[..., np.newaxis].astype(np.float32) * (1 / 255)",
        ),
        Right(
            "np.divide with a dtype",
            "return np.divide(images, 255, dtype=np.float32)[:, :, :, None]",
        ),
        Right(
            "reshape with len",
            "return images.astype(np.float32).reshape(len(images), 28, 28, 1) / np.float32(255)",
        ),
        Wrong(
            "no division by 255",
            "return images.astype(np.float32)[..., np.newaxis]",
            "should become 0.0, 0.2, 1.0, 0.4",
        ),
        Wrong(
            "float64",
            "return (images / 255)[..., np.newaxis]",
            "should return float32",
        ),
        Wrong(
            "channel axis first",
            "return (images.astype(np.float32) / 255)[:, np.newaxis]",
            "add a channel axis last",
        ),
        Wrong(
            "no channel axis",
            "return images.astype(np.float32) / 255",
            "add a channel axis last",
        ),
        Wrong(
            "divided by the largest pixel",
            """
            images = images.astype(np.float32)
            return (images / images.max())[..., np.newaxis]
            """,
            "not by the largest pixel",
        ),
        Wrong(
            "integer division",
            "return (images // 255).astype(np.float32)[..., np.newaxis]",
            "should become 0.0, 0.2, 1.0, 0.4",
        ),
    ],
    "one_hot": [
        Right(
            "zeros and fancy indexing",
            """
            rows = np.zeros((len(labels), num_classes), dtype=np.float32)
            rows[np.arange(len(labels)), labels] = 1
            return rows
            """,
        ),
        Right(
            "comparison with arange",
            "return (np.asarray(labels)[:, None] == np.arange(num_classes)).astype(np.float32)",
        ),
        Right(
            "a loop over the rows",
            """
            rows = np.zeros((len(labels), num_classes), dtype=np.float32)
            for row, label in zip(rows, labels):
                row[label] = 1.0
            return rows
            """,
        ),
        Right("np.identity", "return np.identity(num_classes, dtype=np.float32)[labels]"),
        Right("eye, then float32", "return np.eye(num_classes)[labels].astype(np.float32)"),
        Right(
            "keras' to_categorical, in float32",
            """
            import keras

            return keras.utils.to_categorical(labels, num_classes).astype("float32")
            """,
        ),
        Wrong("float64 rows", "return np.eye(num_classes)[labels]", "should be float32"),
        Wrong(
            "keras' to_categorical as it comes (float64)",
            """
            import keras

            return keras.utils.to_categorical(labels, num_classes)
            """,
            "should be float32",
        ),
        Wrong(
            "num_classes ignored",
            "return np.eye(10, dtype=np.float32)[labels]",
            "must honour num_classes",
        ),
        Wrong(
            "columns instead of rows",
            "return np.eye(num_classes, dtype=np.float32)[:, labels]",
            "should be shaped (2, 10)",
        ),
        Wrong(
            "integer rows",
            "return (labels[:, None] == np.arange(num_classes)).astype(int)",
            "should be float32",
        ),
        Wrong(
            "every label set in every row",
            """
            rows = np.zeros((len(labels), num_classes), dtype=np.float32)
            rows[:, labels] = 1
            return rows
            """,
            "should have a single 1, at index 3 then at index 0",
        ),
    ],
    "shared_images": [
        Right(
            "bytes() of each image",
            """
            seen = set(map(bytes, images_a))
            return sum(bytes(image) in seen for image in images_b)
            """,
        ),
        Right(
            "rows viewed as single values, np.isin",
            """
            a = np.ascontiguousarray(images_a).reshape(len(images_a), -1)
            b = np.ascontiguousarray(images_b).reshape(len(images_b), -1)
            row = np.dtype((np.void, a.shape[1] * a.itemsize))
            return int(np.isin(b.view(row).ravel(), a.view(row).ravel()).sum())
            """,
        ),
        Right(
            "Counter of images_b",
            """
            from collections import Counter

            counts = Counter(image.tobytes() for image in images_b)
            seen = {image.tobytes() for image in images_a}
            return sum(n for key, n in counts.items() if key in seen)
            """,
        ),
        Right(
            "a dict as the set, and a loop",
            """
            seen = dict.fromkeys(image.tobytes() for image in images_a)
            shared = 0
            for image in images_b:
                if image.tobytes() in seen:
                    shared += 1
            return shared
            """,
        ),
        Wrong(
            "set intersection",
            """
            return len({image.tobytes() for image in images_a}
                       & {image.tobytes() for image in images_b})
            """,
            "counts twice",
        ),
        Wrong(
            "every pair of equal images counted",
            """
            from collections import Counter

            seen = Counter(image.tobytes() for image in images_a)
            return sum(seen[image.tobytes()] for image in images_b)
            """,
            "even when images_a holds it twice",
        ),
        Wrong(
            "images compared by their sums",
            """
            sums = {int(image.sum()) for image in images_a}
            return sum(int(image.sum()) in sums for image in images_b)
            """,
            "where there are none",
        ),
        Wrong(
            "images of images_a looked up in images_b",
            """
            seen = {image.tobytes() for image in images_b}
            return sum(image.tobytes() in seen for image in images_a)
            """,
            "three images of check_b are copies",
        ),
    ],
}
