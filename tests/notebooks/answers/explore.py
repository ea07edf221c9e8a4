"""Answers to the exercises of notebook 01_explore: other correct ones and typical mistakes."""

from tests.notebooks.answer_trials import Right, Wrong

ANSWERS = {
    "count_per_class": [
        Right("list from a loop", "return [int(np.sum(labels == digit)) for digit in range(10)]"),
        Right(
            "counting label by label",
            """
            counts = np.zeros(10, dtype=int)
            for label in labels:
                counts[label] += 1
            return counts
            """,
        ),
        Right(
            "collections.Counter",
            """
            from collections import Counter

            seen = Counter(labels.tolist())
            return [seen[digit] for digit in range(10)]
            """,
        ),
        Right(
            "np.unique filled into ten",
            """
            digits, counts = np.unique(labels, return_counts=True)
            result = np.zeros(10, dtype=np.int64)
            result[digits] = counts
            return result
            """,
        ),
        Right(
            "tuple of count_nonzero",
            "return tuple(np.count_nonzero(labels == d) for d in range(10))",
        ),
        Right(
            "histogram with one bin per digit", "return np.histogram(labels, bins=np.arange(11))[0]"
        ),
        Wrong(
            "bincount without minlength",
            "return np.bincount(labels)",
            "a digit that never occurs must count 0",
        ),
        Wrong(
            "np.unique counts only the digits present",
            "return np.unique(labels, return_counts=True)[1]",
            "should return 10 counts",
        ),
        Wrong(
            "digits counted from 1 to 10",
            "return [int(np.sum(labels == digit)) for digit in range(1, 11)]",
            "should be [1, 0, 0, 2, 0, 0, 0, 0, 0, 1]",
        ),
        Wrong(
            "float counts from np.zeros(10)",
            """
            counts = np.zeros(10)
            for label in labels:
                counts[label] += 1
            return counts
            """,
            "return integers",
        ),
        Wrong(
            "shares instead of counts",
            "return np.bincount(labels, minlength=10) / len(labels)",
            "return integers",
        ),
        Wrong(
            "np.histogram's ten bins span min to max",
            "return np.histogram(labels, bins=10)[0]",
            "a digit that never occurs must count 0",
        ),
    ],
    "mean_image_per_class": [
        Right(
            "loop summing in float64",
            """
            sums = np.zeros((10, *images.shape[1:]))
            counts = np.zeros(10)
            for image, label in zip(images, labels):
                sums[label] += image
                counts[label] += 1
            return sums / counts[:, None, None]
            """,
        ),
        Right(
            "float32 sum divided by the count",
            """
            return np.array([
                images[labels == d].astype(np.float32).sum(axis=0) / np.sum(labels == d)
                for d in range(10)
            ])
            """,
        ),
        Right(
            "mean computed in float32",
            "return np.stack([np.mean(images[labels == d], axis=0, dtype=np.float32) "
            "for d in range(10)])",
        ),
        Right(
            "one-hot matrix product",
            """
            one_hot = (labels[:, None] == np.arange(10)).astype(np.float64)
            sums = one_hot.T @ images.reshape(len(images), -1)
            means = sums / one_hot.sum(axis=0)[:, None]
            return means.reshape(10, *images.shape[1:])
            """,
        ),
        Wrong(
            "sum in a uint8 image",
            """
            means = []
            for digit in range(10):
                chosen = images[labels == digit]
                total = np.zeros_like(images[0])
                for image in chosen:
                    total += image
                means.append(total / len(chosen))
            return np.stack(means)
            """,
            "added up in uint8 wraps around to 44",
        ),
        Wrong(
            "integer division",
            """
            return np.stack([
                images[labels == d].astype(np.int64).sum(axis=0) // np.sum(labels == d)
                for d in range(10)
            ])
            """,
            "mean images hold floats",
        ),
        Wrong(
            "digits 1 to 10",
            "return np.stack([images[labels == d].mean(axis=0) for d in range(1, 11)])",
            "the mean of the two 3s",
        ),
        Wrong(
            "mean without axis=0: one number per digit",
            "return np.array([images[labels == d].mean() for d in range(10)])",
            "shape (10, 2, 2)",
        ),
        Wrong(
            "a list of ten images",
            "return [images[labels == d].mean(axis=0) for d in range(10)]",
            "return one NumPy array",
        ),
        Wrong(
            "divided by the number of all images",
            "return np.stack([images[labels == d].sum(axis=0) / len(images) for d in range(10)])",
            "the mean of the two 3s",
        ),
    ],
}
