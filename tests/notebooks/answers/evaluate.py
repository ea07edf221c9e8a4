"""Answers to the exercises of notebook 05_evaluate: other correct ones and typical mistakes."""

from tests.notebooks.answer_trials import Right, Wrong

ANSWERS = {
    "confusion_counts": [
        Right(
            "a loop over the pairs",
            """
            cm = np.zeros((num_classes, num_classes), dtype=int)
            for true, guess in zip(y_true, y_pred):
                cm[true, guess] += 1
            return cm
            """,
        ),
        Right(
            "bincount of flat cell indices",
            """
            cells = np.asarray(y_true, dtype=np.int64) * num_classes + np.asarray(y_pred)
            return np.bincount(cells, minlength=num_classes**2).reshape(num_classes, num_classes)
            """,
        ),
        Right(
            "scikit-learn with every label",
            """
            from sklearn.metrics import confusion_matrix

            return confusion_matrix(y_true, y_pred, labels=np.arange(num_classes))
            """,
        ),
        Right(
            "histogram2d, counts made integers",
            """
            limits = [[0, num_classes], [0, num_classes]]
            counts, _, _ = np.histogram2d(y_true, y_pred, bins=num_classes, range=limits)
            return counts.astype(int)
            """,
        ),
        Right(
            "product of one-hot matrices",
            """
            identity = np.eye(num_classes, dtype=np.int64)
            return identity[y_true].T @ identity[y_pred]
            """,
        ),
        Right(
            "a count per cell",
            """
            return np.array([[np.sum((y_true == t) & (y_pred == p)) for p in range(num_classes)]
                             for t in range(num_classes)])
            """,
        ),
        Wrong(
            "rows and columns swapped",
            """
            cm = np.zeros((num_classes, num_classes), dtype=np.int64)
            np.add.at(cm, (y_pred, y_true), 1)
            return cm
            """,
            "rows: true class, columns: prediction",
        ),
        Wrong(
            "fancy-index += counts repeated pairs once",
            """
            cm = np.zeros((num_classes, num_classes), dtype=np.int64)
            cm[y_true, y_pred] += 1
            return cm
            """,
            "rows: true class, columns: prediction",
        ),
        Wrong(
            "classes counted from the data",
            """
            n = int(max(np.max(y_true), np.max(y_pred))) + 1
            cm = np.zeros((n, n), dtype=np.int64)
            np.add.at(cm, (y_true, y_pred), 1)
            return cm
            """,
            "even when some classes are absent",
        ),
        Wrong(
            "float counts from histogram2d",
            """
            limits = [[0, num_classes], [0, num_classes]]
            return np.histogram2d(y_true, y_pred, bins=num_classes, range=limits)[0]
            """,
            "integers expected",
        ),
        Wrong(
            "a uint8 table",
            """
            cm = np.zeros((num_classes, num_classes), dtype=np.uint8)
            np.add.at(cm, (y_true, y_pred), 1)
            return cm
            """,
            "(uint8 counts stop at 255)",
        ),
    ],
    "recall_per_class": [
        Right(
            "a loop, as a list",
            """
            return [cm[c, c] / cm[c].sum() if cm[c].sum() > 0 else 0.0 for c in range(len(cm))]
            """,
        ),
        Right(
            "denominator of at least 1",
            "return np.diag(cm) / np.maximum(cm.sum(axis=1), 1)",
        ),
        Right(
            "silenced division, then nan_to_num",
            """
            with np.errstate(divide="ignore", invalid="ignore"):
                recall = np.diag(cm) / cm.sum(axis=1)
            return np.nan_to_num(recall)
            """,
        ),
        Right(
            "np.where with safe totals",
            """
            totals = cm.sum(axis=1)
            return np.where(totals > 0, np.diag(cm) / np.where(totals > 0, totals, 1), 0.0)
            """,
        ),
        Right(
            "diagonal of the row-normalised matrix",
            """
            rows = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
            return np.diagonal(rows)
            """,
        ),
        Wrong(
            "column totals: that is precision",
            """
            totals = cm.sum(axis=0)
            return np.divide(np.diag(cm), totals, out=np.zeros(len(cm)), where=totals > 0)
            """,
            "should be [0.75, 0.5, 0.0]",
        ),
        Wrong(
            "plain division: nan for a class without samples",
            "return np.diag(cm) / cm.sum(axis=1)",
            "should be [0.75, 0.5, 0.0]",
        ),
        Wrong(
            "division by zero, then nan_to_num",
            "return np.nan_to_num(np.diag(cm) / cm.sum(axis=1))",
            "without dividing by zero",
        ),
        Wrong(
            "totals with keepdims",
            """
            totals = cm.sum(axis=1, keepdims=True)
            return np.diag(cm) / np.maximum(totals, 1)
            """,
            "one recall per class",
        ),
        Wrong(
            "divided by all samples",
            "return np.diag(cm) / max(cm.sum(), 1)",
            "should be [0.75, 0.5, 0.0]",
        ),
        Wrong(
            "integer division",
            "return np.diag(cm) // np.maximum(cm.sum(axis=1), 1)",
            "should be [0.75, 0.5, 0.0]",
        ),
    ],
}
