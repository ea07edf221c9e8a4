"""helpers.deploy.classifier: the CPU threads LiteRT runs a model on."""

import numpy as np
import pytest

from helpers.deploy import classifier
from helpers.deploy.classifier import TFLiteClassifier, default_threads

RNG = np.random.default_rng(0)
IMAGES = RNG.random((300, 28, 28, 1)).astype(np.float32)


def test_default_threads_follow_tensorflows_limit_when_one_is_set(monkeypatch):
    monkeypatch.setattr(classifier, "usable_cores", lambda: 5)  # helpers.cores, tested there
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "3")
    assert default_threads() == 3
    for unusable in ("", "0", "-2", "two", "\u00b2"):  # "²" is a digit, not a number
        monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", unusable)
        assert default_threads() == 5  # the cores this process may run on
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS")
    assert default_threads() == 5


def test_the_interpreter_gets_the_threads(tiny_int8_model, monkeypatch):
    made = []
    interpreter = classifier._interpreter_class()

    def recording(**kwargs):
        made.append(kwargs["num_threads"])
        return interpreter(**kwargs)

    monkeypatch.setattr(classifier, "_interpreter_class", lambda: recording)
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "2")
    assert TFLiteClassifier(tiny_int8_model).threads == 2
    assert TFLiteClassifier(tiny_int8_model, threads=1).threads == 1
    assert made == [2, 1]


def test_threads_change_the_speed_not_the_answers(tiny_int8_model):
    one = TFLiteClassifier(tiny_int8_model, threads=1).predict_proba(IMAGES)
    two = TFLiteClassifier(tiny_int8_model, threads=2).predict_proba(IMAGES)
    np.testing.assert_array_equal(one, two)


def test_fewer_than_one_thread_is_refused(tiny_int8_model):
    with pytest.raises(ValueError, match="threads must be at least 1, got 0"):
        TFLiteClassifier(tiny_int8_model, threads=0)
