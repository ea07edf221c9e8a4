"""Answers to the exercises of notebook 03_cnn: other correct ones and typical mistakes."""

from tests.notebooks.answer_trials import Right, Wrong


def _cnn(
    *,
    conv="",
    pool="",
    dropout="0.5",
    head='activation="softmax"',
    first_conv='activation="relu", ',
    extra="",
):
    """A build_cnn body in the reference's spelling, with one part swapped for a variant."""
    return f"""
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, {first_conv}name="conv1"{conv}),
            layers.MaxPooling2D(2, name="pool1"{pool}),
            layers.Conv2D(64, 3, activation="relu", name="conv2"{conv}),
            layers.MaxPooling2D(2, name="pool2"{pool}),
            layers.Conv2D(64, 3, activation="relu", name="conv3"{conv}),
            layers.Flatten(name="flatten"),
            layers.Dropout({dropout}, name="dropout"),
            layers.Dense(64, activation="relu", name="dense"),
            layers.Dense(10, {head}, name="softmax"),{extra}
        ]
    )
    """


def _compile(
    optimizer="keras.optimizers.Adam(learning_rate)",
    loss='"categorical_crossentropy"',
    metrics='["accuracy"]',
):
    return f"model.compile(optimizer={optimizer}, loss={loss}, metrics={metrics})"


ANSWERS = {
    "build_cnn": [
        Right(
            "model.add, tuple kernels, keyword arguments",
            """
            model = keras.Sequential(name="my_cnn")
            model.add(keras.Input(shape=(28, 28, 1)))
            model.add(layers.Conv2D(filters=32, kernel_size=(3, 3), activation="relu",
                                    name="conv1"))
            model.add(layers.MaxPool2D(pool_size=(2, 2), name="pool1"))
            model.add(layers.Conv2D(filters=64, kernel_size=(3, 3), activation="relu",
                                    name="conv2"))
            model.add(layers.MaxPool2D(pool_size=(2, 2), name="pool2"))
            model.add(layers.Conv2D(filters=64, kernel_size=(3, 3), activation="relu",
                                    name="conv3"))
            model.add(layers.Flatten(name="flatten"))
            model.add(layers.Dropout(rate=0.5, name="dropout"))
            model.add(layers.Dense(units=64, activation="relu", name="dense"))
            model.add(layers.Dense(units=10, activation="softmax", name="softmax"))
            return model
            """,
        ),
        Right(
            "activation functions instead of names, explicit padding and strides",
            _cnn(
                first_conv="activation=keras.activations.relu, ",
                conv=', padding="valid"',
                pool=", strides=2",
                head="activation=keras.activations.softmax",
            ),
        ),
        Right(
            "layers.Input and a list built first",
            """
            stack = [layers.Input(shape=(28, 28, 1))]
            for name, filters in (("1", 32), ("2", 64), ("3", 64)):
                stack.append(layers.Conv2D(filters, 3, activation="relu", name="conv" + name))
                if name != "3":
                    stack.append(layers.MaxPooling2D(2, name="pool" + name))
            stack += [
                layers.Flatten(name="flatten"),
                layers.Dropout(0.5, name="dropout"),
                layers.Dense(64, activation="relu", name="dense"),
                layers.Dense(10, activation="softmax", name="softmax"),
            ]
            return keras.Sequential(stack)
            """,
        ),
        Wrong(
            "32 filters in every convolution",
            _cnn().replace("Conv2D(64", "Conv2D(32"),
            "should have 93,322 parameters",
        ),
        Wrong(
            "same padding",
            _cnn(conv=', padding="same"'),
            "should have 93,322 parameters",
        ),
        Wrong(
            "no softmax: the last layer is linear",
            _cnn(head='activation="linear"'),
            "the last layer should be a softmax",
        ),
        Wrong(
            "softmax twice: an extra Softmax layer",
            _cnn(extra='\n            layers.Softmax(name="probabilities"),'),
            "the layers should be",
        ),
        Wrong("dropout of 0.25", _cnn(dropout="0.25"), "the dropout rate should be 0.5"),
        Wrong(
            "conv1 without ReLU",
            _cnn(first_conv=""),
            "conv1 should use ReLU",
        ),
        Wrong(
            "average pooling",
            _cnn().replace("layers.MaxPooling2D", "layers.AveragePooling2D"),
            "of the kinds",
        ),
        Wrong(
            "no keras.Input",
            "\n".join(line for line in _cnn().splitlines() if "keras.Input" not in line),
            "start the Sequential with keras.Input",
        ),
        Wrong(
            "compiled already",
            """
            model = keras.Sequential(
                [
                    keras.Input(shape=(28, 28, 1)),
                    layers.Conv2D(32, 3, activation="relu", name="conv1"),
                    layers.MaxPooling2D(2, name="pool1"),
                    layers.Conv2D(64, 3, activation="relu", name="conv2"),
                    layers.MaxPooling2D(2, name="pool2"),
                    layers.Conv2D(64, 3, activation="relu", name="conv3"),
                    layers.Flatten(name="flatten"),
                    layers.Dropout(0.5, name="dropout"),
                    layers.Dense(64, activation="relu", name="dense"),
                    layers.Dense(10, activation="softmax", name="softmax"),
                ]
            )
            model.compile(optimizer="sgd", loss="mse")
            return model
            """,
            "without compiling it",
        ),
        Wrong(
            "forgot to return the model",
            _cnn().replace("return keras.Sequential(", "keras.Sequential("),
            "should return a keras.Sequential model",
        ),
    ],
    "parameter_counts": [
        Right(
            "squares and sums",
            (
                "return kernel_size**2 * channels_in * filters + filters",
                "return inputs * units + units",
            ),
        ),
        Right(
            "weights and biases named",
            (
                """
                weights = kernel_size * kernel_size * channels_in * filters
                biases = filters
                return weights + biases
                """,
                """
                weights, biases = inputs * units, units
                return weights + biases
                """,
            ),
        ),
        Right(
            "np.prod of the kernel's shape",
            (
                "return int(np.prod([kernel_size, kernel_size, channels_in, filters])) + filters",
                "return int(np.prod([inputs, units])) + units",
            ),
        ),
        Right(
            "Keras counts a layer built for the shape",
            (
                """
                layer = layers.Conv2D(filters, kernel_size)
                layer.build((None, None, None, channels_in))
                return layer.count_params()
                """,
                """
                layer = layers.Dense(units)
                layer.build((None, inputs))
                return layer.count_params()
                """,
            ),
        ),
        Wrong(
            "no biases",
            (
                "return kernel_size * kernel_size * channels_in * filters",
                "return inputs * units",
            ),
            "has 320 parameters",
        ),
        Wrong(
            "kernel side not squared",
            (
                "return (kernel_size * channels_in + 1) * filters",
                "return (inputs + 1) * units",
            ),
            "has 320 parameters",
        ),
        Wrong(
            "one bias per input instead of per unit",
            (
                "return (kernel_size * kernel_size * channels_in + 1) * filters",
                "return inputs * units + inputs",
            ),
            "has 650 parameters",
        ),
        Wrong(
            "conv bias per input channel",
            (
                "return (kernel_size * kernel_size + 1) * channels_in * filters",
                "return (inputs + 1) * units",
            ),
            "conv2d_parameters(3, 32, 64) should be 18,496",
        ),
    ],
    "compile_model": [
        Right(
            "loss and metric objects",
            _compile(
                "keras.optimizers.Adam(learning_rate=learning_rate)",
                "keras.losses.CategoricalCrossentropy()",
                "[keras.metrics.CategoricalAccuracy()]",
            ),
        ),
        Right(
            "loss function, 'acc' and a tuple",
            _compile(loss="keras.losses.categorical_crossentropy", metrics='("acc",)'),
        ),
        Right(
            "positional optimizer, metric object named accuracy",
            """
            model.compile(
                keras.optimizers.Adam(learning_rate),
                loss="categorical_crossentropy",
                metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
            )
            """,
        ),
        Wrong(
            "the string 'adam' ignores learning_rate",
            _compile(optimizer='"adam"'),
            "must use its learning_rate argument",
        ),
        Wrong(
            "SGD",
            _compile(optimizer="keras.optimizers.SGD(learning_rate)"),
            "use the Adam optimiser",
        ),
        Wrong(
            "sparse categorical cross-entropy",
            _compile(loss='"sparse_categorical_crossentropy"'),
            "use the categorical cross-entropy loss",
        ),
        Wrong(
            "no metric",
            "model.compile(optimizer=keras.optimizers.Adam(learning_rate), "
            'loss="categorical_crossentropy")',
            "accuracy as the one metric",
        ),
        Wrong(
            "keras.metrics.Accuracy compares values, not classes",
            _compile(metrics="[keras.metrics.Accuracy()]"),
            "2 of these 3 predictions are right",
        ),
        Wrong(
            "a second metric",
            _compile(metrics='["accuracy", "mae"]'),
            "accuracy as the one metric",
        ),
        Wrong(
            "binary cross-entropy",
            _compile(loss="keras.losses.BinaryCrossentropy()"),
            "the loss should be categorical cross-entropy",
        ),
        Wrong(
            "mean squared error",
            _compile(loss='"mse"'),
            "the loss should be categorical cross-entropy",
        ),
    ],
}
