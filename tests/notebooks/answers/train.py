"""Answers to the exercises of notebook 04_train: other correct ones and typical mistakes."""

from tests.notebooks.answer_trials import Right, Wrong


def _fit(**changes):
    """A train body: the reference's fit call with some arguments changed (None drops one)."""
    arguments = {
        "validation_data": "(data.validation.images, data.validation.one_hot)",
        "epochs": "epochs",
        "batch_size": "128",
        "callbacks": "callbacks",
        "verbose": "0",
    }
    arguments.update(changes)
    listed = ", ".join(f"{key}={value}" for key, value in arguments.items() if value is not None)
    return f"return model.fit(data.train.images, data.train.one_hot, {listed})"


ANSWERS = {
    "make_callbacks": [
        Right(
            "checkpoint first, keyword filepath, mode='min'",
            """
            save = keras.callbacks.ModelCheckpoint(
                filepath=checkpoint_path, monitor="val_loss", mode="min", save_best_only=True
            )
            stop = keras.callbacks.EarlyStopping(monitor="val_loss", mode="min", patience=4)
            return [save, stop]
            """,
        ),
        Right(
            "a tuple, the path as a string",
            """
            return (
                keras.callbacks.EarlyStopping(patience=4, monitor="val_loss"),
                keras.callbacks.ModelCheckpoint(str(checkpoint_path), save_best_only=True,
                                                monitor="val_loss"),
            )
            """,
        ),
        Right(
            "restoring the best weights too",
            """
            return [
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=4,
                                              restore_best_weights=True),
                keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss",
                                                save_best_only=True, verbose=0),
            ]
            """,
        ),
        Wrong(
            "patience 3",
            """
            return [
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=3),
                keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss",
                                                save_best_only=True),
            ]
            """,
            "should wait 4 epochs",
        ),
        Wrong(
            "watching the validation accuracy",
            """
            return [
                keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=4),
                keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_accuracy",
                                                save_best_only=True),
            ]
            """,
            "should watch 'val_loss'",
        ),
        Wrong(
            "checkpoint of every epoch",
            """
            return [
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=4),
                keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss"),
            ]
            """,
            "save_best_only=True",
        ),
        Wrong(
            "stopping when the loss goes up: mode='max'",
            """
            return [
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=4, mode="max"),
                keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss",
                                                save_best_only=True),
            ]
            """,
            "a lower validation loss is better",
        ),
        Wrong(
            "early stopping only",
            'return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=4)]',
            "expected one EarlyStopping and one ModelCheckpoint",
        ),
        Wrong(
            "forgot to return the list",
            """
            [
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=4),
                keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss",
                                                save_best_only=True),
            ]
            """,
            "should return a list",
        ),
        Wrong(
            "a third callback",
            """
            return [
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=4),
                keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss",
                                                save_best_only=True),
                keras.callbacks.TerminateOnNaN(),
            ]
            """,
            "return exactly the two callbacks",
        ),
    ],
    "train": [
        Right(
            "keyword x and y, another order",
            """
            history = model.fit(
                x=data.train.images,
                y=data.train.one_hot,
                batch_size=128,
                epochs=epochs,
                verbose=0,
                callbacks=callbacks,
                validation_data=(data.validation.images, data.validation.one_hot),
                shuffle=True,
            )
            return history
            """,
        ),
        Right(
            "batch size and epochs by position",
            """
            validation = (data.validation.images, data.validation.one_hot)
            return model.fit(data.train.images, data.train.one_hot, 128, epochs, 0,
                             callbacks=callbacks, validation_data=validation)
            """,
        ),
        Right(
            "callbacks passed as a list copy",
            _fit(callbacks="list(callbacks)"),
        ),
        Wrong(
            "Keras' default batch size of 32",
            _fit(batch_size=None),
            "mini-batches of 128 make 3 steps per epoch",
        ),
        Wrong(
            "callbacks not passed to fit",
            _fit(callbacks=None),
            "mini-batches of 128 make 3 steps per epoch",
        ),
        Wrong(
            "validation_split instead of the validation set",
            _fit(validation_data=None, validation_split="0.1"),
            "validate on data.validation.images and data.validation.one_hot",
        ),
        Wrong(
            "validated on the training images",
            _fit(validation_data="(data.train.images, data.train.one_hot)"),
            "validate on data.validation.images and data.validation.one_hot",
        ),
        Wrong(
            "progress printed by fit",
            _fit(verbose="2"),
            "fit should print nothing itself",
        ),
        Wrong(
            "no validation at all",
            _fit(validation_data=None),
            "validate on data.validation after every epoch",
        ),
        Wrong(
            "forgot to return the history",
            _fit().replace("return model.fit", "model.fit"),
            "train should return what model.fit returns",
        ),
    ],
    "best_epoch": [
        Right("list.index of the minimum", "return val_losses.index(min(val_losses)) + 1"),
        Right(
            "a loop keeping the first lowest",
            """
            best, lowest = 1, val_losses[0]
            for epoch, loss in enumerate(val_losses, start=1):
                if loss < lowest:
                    best, lowest = epoch, loss
            return best
            """,
        ),
        Right(
            "min over the epoch numbers",
            "return min(range(1, len(val_losses) + 1), key=lambda epoch: val_losses[epoch - 1])",
        ),
        Wrong("counted from 0", "return int(np.argmin(val_losses))", "epochs count from 1"),
        Wrong(
            "the last epoch on a tie",
            """
            best, lowest = 1, val_losses[0]
            for epoch, loss in enumerate(val_losses, start=1):
                if loss <= lowest:
                    best, lowest = epoch, loss
            return best
            """,
            "on a tie, the first epoch wins",
        ),
        Wrong(
            "the highest loss",
            "return int(np.argmax(val_losses)) + 1",
            "epochs count from 1",
        ),
        Wrong(
            "the lowest loss instead of its epoch",
            "return min(val_losses)",
            "epochs count from 1",
        ),
    ],
}
