"""Handing the course out and grading it.

- :mod:`~course_tools.classroom.student_edition`: the notebooks without solutions, plus what
  runs them (``student_README.md`` and ``student_Makefile`` are its templates)
- :mod:`~course_tools.classroom.grading`: grading returned notebooks
"""
