"""Helpers shared by the notebooks of the MNIST course.

Importing the package quiets TensorFlow's C++ logs (level 3: only fatal messages) before
TensorFlow is loaded; Python errors and warnings still show.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
