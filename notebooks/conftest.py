"""nbval settings for the notebooks: run in the quick profile, never compare stderr.

TensorFlow and Keras write timing-dependent messages to stderr; only outputs of cells marked
``# NBVAL_CHECK_OUTPUT`` (shapes, counts, checksums, statistics) are compared.
"""

import os

os.environ["MNIST_COURSE_PROFILE"] = "quick"


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
