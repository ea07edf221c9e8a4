"""The helpers package itself: importing it switches TensorFlow's oneDNN kernels on."""

import os
import subprocess
import sys

import pytest

from helpers import ONEDNN_ENV_VAR, settings

# Imports helpers, then TensorFlow, and prints the variable and whether TensorFlow uses oneDNN.
PROBE = (
    "import os, helpers\n"
    "from tensorflow.python.util import _pywrap_util_port\n"
    f"print(os.environ[{ONEDNN_ENV_VAR!r}], _pywrap_util_port.IsMklEnabled())\n"
)


def probe(value: str | None) -> str:
    environment = {k: v for k, v in os.environ.items() if k != ONEDNN_ENV_VAR}
    environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if value is not None:
        environment[ONEDNN_ENV_VAR] = value
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=settings.REPO_ROOT,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_importing_helpers_turns_onednn_on_in_tensorflow():
    assert probe(None) == "1 True"


@pytest.mark.parametrize("value, expected", [("0", "0 False"), ("1", "1 True")])
def test_a_value_the_user_set_is_kept(value, expected):
    assert probe(value) == expected
