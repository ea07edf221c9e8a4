"""Course folders for the tests, started from one empty gradebook.

nbgrader runs the ``alembic`` command each time it creates a gradebook (seconds); the tests
copy an empty one made once instead, which nbgrader then fills as it would its own.
"""

import shutil

import pytest

from course_tools.classroom.course import Course


@pytest.fixture(scope="session")
def blank_gradebook(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("blank-gradebook"))
    with course.open_gradebook():
        pass
    return course.gradebook


@pytest.fixture(scope="session")
def new_course(blank_gradebook):
    """``new_course(path)``: a Course at ``path`` whose gradebook exists, empty."""

    def make(path):
        course = Course(path)
        course.root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(blank_gradebook, course.gradebook)
        return course

    return make
