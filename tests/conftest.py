"""Shared test set-up: every test runs in the quick profile."""

import os

os.environ["MNIST_COURSE_PROFILE"] = "quick"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
