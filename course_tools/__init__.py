"""The course's tooling: what builds, measures, publishes and grades the course.

No notebook imports it and the student edition does not ship it; it imports :mod:`helpers`,
never the other way round.

- :mod:`~course_tools.run_notebooks`: ``make run``, every notebook executed in order, with
  progress, a one-line failure and ``FROM=`` to resume
- :mod:`~course_tools.benchmark`: ``make bench``, the Keras example against the improved CNN
- :mod:`course_tools.reporting`: ``reports/REPORT.md``, the README's results table, slides, PDF
- :mod:`course_tools.site`: ``make site``, the course as a website
- :mod:`course_tools.classroom`: the student edition and grading
"""
