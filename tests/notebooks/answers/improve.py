"""Answers to the exercises of notebook 06_improve: other correct ones and typical mistakes."""

from tests.notebooks.answer_trials import Right, Wrong


def _pipeline(
    rotation="10 / 360", translation="0.1, 0.1", zoom="0.1", fill=', fill_mode="constant"', extra=""
):
    """A build_augmentation body in the reference's spelling, with one part swapped."""
    return f"""
    return keras.Sequential(
        [
            layers.RandomRotation({rotation}{fill}),
            layers.RandomTranslation({translation}{fill}),
            layers.RandomZoom({zoom}{fill}),{extra}
        ]
    )
    """


def _backward(
    *,
    probabilities='np.exp(cache["log_probs"])',
    per_sample="/ n",
    relu="* (hidden > 0)",
    decay_b1="",
    w2="hidden.T @ d_logits",
):
    """A backward body in the reference's spelling, with one step swapped for a variant."""
    return f"""
    x, hidden = cache["x"], cache["hidden"]
    n = len(labels)
    d_logits = {probabilities}
    d_logits[np.arange(n), labels] -= 1
    d_logits = d_logits {per_sample}
    d_z1 = (d_logits @ params["W2"].T) {relu}
    return {{
        "W1": x.T @ d_z1 + weight_decay * params["W1"],
        "b1": d_z1.sum(axis=0){decay_b1},
        "W2": {w2} + weight_decay * params["W2"],
        "b2": d_logits.sum(axis=0),
    }}
    """


ANSWERS = {
    "build_augmentation": [
        Right(
            "ranges as (low, high) pairs",
            _pipeline(
                rotation="(-10 / 360, 10 / 360)",
                translation="(-0.1, 0.1), (-0.1, 0.1)",
                zoom="(-0.1, 0.1)",
            ),
        ),
        Right(
            "zoom first, keyword arguments, Sequential.add",
            """
            pipeline = keras.Sequential(name="augment")
            pipeline.add(layers.RandomZoom(height_factor=0.1, fill_mode="constant"))
            pipeline.add(layers.RandomRotation(factor=10 / 360, fill_mode="constant",
                                               fill_value=0.0))
            pipeline.add(layers.RandomTranslation(height_factor=0.1, width_factor=0.1,
                                                  fill_mode="constant"))
            return pipeline
            """,
        ),
        Right(
            "the zoom's width factor given too",
            _pipeline(zoom="0.1, 0.1"),
        ),
        Wrong(
            "rotation one way only: 0 to +10 degrees",
            _pipeline(rotation="(0, 10 / 360)"),
            "changes images one way only",
        ),
        Wrong(
            "zoom one way only: in, never out",
            _pipeline(zoom="(-0.1, 0.0)"),
            "changes images one way only",
        ),
        Wrong(
            "rotation factor 0.1 like the others: 36 degrees",
            _pipeline(rotation="0.1"),
            "RandomRotation's factor is a fraction of a full turn",
        ),
        Wrong(
            "uncovered pixels reflected (the default fill)",
            _pipeline(fill=""),
            "fill_mode='constant'",
        ),
        Wrong(
            "a horizontal flip added",
            _pipeline(extra='\n            layers.RandomFlip("horizontal"),'),
            "no flips",
        ),
        Wrong(
            "no zoom",
            _pipeline().replace('layers.RandomZoom(0.1, fill_mode="constant"),', ""),
            "should contain a RandomZoom layer",
        ),
        Wrong(
            "translation of 30%",
            _pipeline(translation="0.3, 0.3"),
            "translate by up to 10%",
        ),
        Wrong(
            "translation in height only",
            _pipeline(translation="0.1, 0.0"),
            "translate by up to 10%",
        ),
        Wrong(
            "zoom of 20%",
            _pipeline(zoom="0.2"),
            "zoom by up to ±10%",
        ),
        Wrong(
            "a list of layers instead of a Sequential",
            """
            return [
                layers.RandomRotation(10 / 360, fill_mode="constant"),
                layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
                layers.RandomZoom(0.1, fill_mode="constant"),
            ]
            """,
            "should return a keras.Sequential",
        ),
    ],
    "mlp_backward": [
        Right(
            "one-hot matrix and np.where",
            """
            x, hidden = cache["x"], cache["hidden"]
            probabilities = np.exp(cache["log_probs"])
            one_hot = np.eye(probabilities.shape[1])[labels]
            d_z2 = (probabilities - one_hot) / len(labels)
            d_z1 = np.where(hidden > 0, d_z2 @ params["W2"].T, 0.0)
            return {
                "W1": x.T @ d_z1 + weight_decay * params["W1"],
                "b1": np.sum(d_z1, axis=0),
                "W2": hidden.T @ d_z2 + weight_decay * params["W2"],
                "b2": np.sum(d_z2, axis=0),
            }
            """,
        ),
        Right(
            "softmax recomputed from the hidden layer, einsum",
            """
            x, hidden = cache["x"], cache["hidden"]
            scores = hidden @ params["W2"] + params["b2"]
            scores = scores - scores.max(axis=1, keepdims=True)
            probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
            probabilities[np.arange(len(labels)), labels] -= 1.0
            d_z2 = probabilities / len(labels)
            d_h = np.einsum("nk,hk->nh", d_z2, params["W2"])
            d_z1 = d_h * (hidden > 0)
            grads = {"W1": np.einsum("ni,nh->ih", x, d_z1), "b1": d_z1.sum(0),
                     "W2": np.einsum("nh,nk->hk", hidden, d_z2), "b2": d_z2.sum(0)}
            for name in ("W1", "W2"):
                grads[name] = grads[name] + weight_decay * params[name]
            return grads
            """,
        ),
        Right(
            "a loop over the samples",
            """
            x, hidden = cache["x"], cache["hidden"]
            grads = {name: np.zeros_like(value) for name, value in params.items()}
            n = len(labels)
            for i in range(n):
                d_z2 = np.exp(cache["log_probs"][i])
                d_z2[labels[i]] -= 1
                d_z2 /= n
                d_z1 = (params["W2"] @ d_z2) * (hidden[i] > 0)
                grads["W2"] += np.outer(hidden[i], d_z2)
                grads["b2"] += d_z2
                grads["W1"] += np.outer(x[i], d_z1)
                grads["b1"] += d_z1
            grads["W1"] += weight_decay * params["W1"]
            grads["W2"] += weight_decay * params["W2"]
            return grads
            """,
        ),
        Wrong("summed, not averaged over the batch", _backward(per_sample=""), "disagrees"),
        Wrong(  # the gradient check's biases are not zero, so the visible test sees it
            "biases decayed too",
            _backward(decay_b1=' + weight_decay * params["b1"]'),
            "the gradient of b1 disagrees with finite differences",
        ),
        Wrong("ReLU's gate forgotten", _backward(relu=""), "disagrees"),
        Wrong(
            "log probabilities taken for probabilities",
            _backward(probabilities='cache["log_probs"].copy()'),
            "disagrees",
        ),
        Wrong(
            "Y not subtracted: P instead of P - Y",
            _backward().replace("    d_logits[np.arange(n), labels] -= 1\n", ""),
            "disagrees",
        ),
        Wrong(
            "bias gradients averaged a second time",
            _backward().replace('"b2": d_logits.sum(axis=0)', '"b2": d_logits.mean(axis=0)'),
            "the gradient of b2 disagrees",
        ),
        Wrong(
            "a tuple instead of a dict",
            _backward().replace("return {", "grads = {")
            + "\n"
            + '    return grads["W1"], grads["b1"], grads["W2"], grads["b2"]\n',
            "return a dict of gradients",
        ),
    ],
    "choose_best": [
        Right("max with a key", "return max(validation_accuracy, key=validation_accuracy.get)"),
        Right(
            "a stable sort, best first",
            "return sorted(validation_accuracy.items(), key=lambda item: -item[1])[0][0]",
        ),
        Right(
            "pandas' idxmax",
            """
            import pandas as pd

            return pd.Series(validation_accuracy).idxmax()
            """,
        ),
        Right(
            "the first name that reaches the maximum",
            """
            top = max(validation_accuracy.values())
            return next(name for name, score in validation_accuracy.items() if score == top)
            """,
        ),
        Wrong(
            ">= keeps the last of a tie",
            """
            best_name, best_accuracy = None, -1.0
            for name, accuracy in validation_accuracy.items():
                if accuracy >= best_accuracy:
                    best_name, best_accuracy = name, accuracy
            return best_name
            """,
            "on a tie, keep the first one listed",
        ),
        Wrong(
            "the lowest accuracy",
            "return min(validation_accuracy, key=validation_accuracy.get)",
            "pick the highest validation accuracy",
        ),
        Wrong(
            "max of the names",
            "return max(validation_accuracy)",
            "pick the highest validation accuracy",
        ),
        Wrong(
            "the accuracy instead of the name",
            "return max(validation_accuracy.values())",
            "pick the highest validation accuracy",
        ),
        Wrong(
            "the last of a sorted list",
            "return sorted(validation_accuracy, key=validation_accuracy.get)[-1]",
            "on a tie, keep the first one listed",
        ),
        Wrong(
            "a start at 0 misses a model of accuracy 0",
            """
            best_name, best_accuracy = None, 0.0
            for name, accuracy in validation_accuracy.items():
                if accuracy > best_accuracy:
                    best_name, best_accuracy = name, accuracy
            return best_name
            """,
            "accuracy 0",
        ),
    ],
}
