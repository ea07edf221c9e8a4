"""Answers to the exercises of notebook 07_visualize: other correct ones and typical mistakes."""

from tests.notebooks.answer_trials import Right, Wrong


def _saliency(*, images="pixels", training="False", logits=None, score=None, maps=None):
    """A saliency_of body in the reference's spelling, with one step swapped for a variant."""
    logits = logits or f"features({images}, training={training}) @ dense.kernel + dense.bias"
    score = score or "tf.reduce_sum(tf.reduce_max(logits, axis=1))"
    maps = maps or "gradients / gradients.max(axis=(1, 2), keepdims=True)"
    return f"""
    dense = model.layers[-1]
    features = keras.Model(model.inputs[0], dense.input)
    pixels = tf.convert_to_tensor(images)
    with tf.GradientTape() as tape:
        tape.watch(pixels)
        logits = {logits}
        score = {score}
    gradients = np.abs(tape.gradient(score, pixels).numpy()[..., 0])
    return {maps}
    """


ANSWERS = {
    "feature_maps_of": [
        Right(
            "inputs as a list, keyword arguments, .numpy()",
            """
            tap = keras.Model(inputs=model.inputs, outputs=model.get_layer(layer_name).output)
            return tap(images, training=False).numpy()
            """,
        ),
        Right(
            "predict",
            """
            tap = keras.Model(model.inputs[0], model.get_layer(layer_name).output)
            return tap.predict(images, verbose=0)
            """,
        ),
        Right(
            "keras.ops.convert_to_numpy",
            """
            layer = model.get_layer(name=layer_name)
            tap = keras.Model(inputs=model.inputs[0], outputs=layer.output)
            return keras.ops.convert_to_numpy(tap(images, training=False))
            """,
        ),
        Wrong(
            "training=True",
            """
            tap = keras.Model(model.inputs[0], model.get_layer(layer_name).output)
            return np.asarray(tap(images, training=True))
            """,
            "training=False",
        ),
        Wrong(
            "no training argument: the augmentation layers stay on",
            """
            tap = keras.Model(model.inputs[0], model.get_layer(layer_name).output)
            return np.asarray(tap(images))
            """,
            "training=False",
        ),
        Wrong(
            "a tensor instead of a NumPy array",
            """
            tap = keras.Model(model.inputs[0], model.get_layer(layer_name).output)
            return tap(images, training=False)
            """,
            "return a NumPy array",
        ),
        Wrong(
            "the layer's input instead of its output",
            """
            tap = keras.Model(model.inputs[0], model.get_layer(layer_name).input)
            return np.asarray(tap(images, training=False))
            """,
            "should be shaped",
        ),
        Wrong(
            "the model's own output",
            "return np.asarray(model(images, training=False))",
            "should be shaped",
        ),
        Wrong(
            "the first image only",
            """
            tap = keras.Model(model.inputs[0], model.get_layer(layer_name).output)
            return np.asarray(tap(images[:1], training=False))
            """,
            "for 2 images should be shaped",
        ),
    ],
    "saliency_of": [
        Right(
            "each image's own class gathered, mean instead of sum",
            _saliency(
                score="tf.reduce_mean(tf.gather(logits, tf.argmax(logits, axis=1), "
                "axis=1, batch_dims=1))",
            ),
        ),
        Right(
            "classes chosen before the tape, one-hot mask, tf.Variable",
            """
            dense = model.layers[-1]
            features = keras.Model(model.inputs[0], dense.input)
            predicted = np.argmax(model.predict(images, verbose=0), axis=1)
            pixels = tf.Variable(images)
            with tf.GradientTape() as tape:
                logits = tf.matmul(features(pixels, training=False), dense.kernel) + dense.bias
                score = tf.reduce_sum(logits * tf.one_hot(predicted, logits.shape[1]))
            gradients = np.abs(tape.gradient(score, pixels).numpy())[:, :, :, 0]
            return gradients / np.max(gradients, axis=(1, 2))[:, None, None]
            """,
        ),
        Right(
            "one tape per image",
            """
            dense = model.layers[-1]
            features = keras.Model(model.inputs[0], dense.input)
            maps = []
            for image in images:
                pixels = tf.convert_to_tensor(image[None])
                with tf.GradientTape() as tape:
                    tape.watch(pixels)
                    logits = features(pixels, training=False) @ dense.kernel + dense.bias
                    score = tf.reduce_max(logits)
                gradient = np.abs(tape.gradient(score, pixels).numpy()[0, :, :, 0])
                maps.append(gradient / gradient.max())
            return np.stack(maps)
            """,
        ),
        Wrong(
            "the probability after the softmax",
            _saliency(logits="model(pixels, training=False)"),
            "before the softmax",
        ),
        Wrong("no absolute value", _saliency().replace("np.abs(", "("), "never negative"),
        Wrong(
            "one maximum for the whole batch",
            _saliency(maps="gradients / gradients.max()"),
            "each map by its own maximum",
        ),
        Wrong(
            "the channel axis kept",
            _saliency()
            .replace(".numpy()[..., 0])", ".numpy())")
            .replace("max(axis=(1, 2), keepdims=True)", "max(axis=(1, 2, 3), keepdims=True)"),
            "one 28x28 map per image",
        ),
        Wrong(
            "the largest logit of the whole batch",
            _saliency(score="tf.reduce_max(logits)"),
            "never negative",
        ),
        Wrong(
            "always the logit of digit 0",
            _saliency(score="tf.reduce_sum(logits[:, 0])"),
            "predicted class's logit",
        ),
        Wrong(
            "training=True",
            _saliency(training="True"),
            "training=False",
        ),
    ],
}
