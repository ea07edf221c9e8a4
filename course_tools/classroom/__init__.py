"""Handing the course out and grading it, with nbgrader.

- :mod:`~course_tools.classroom.course`: the nbgrader course folder (``grading/``), its settings
  and nbgrader's API on it
- :mod:`~course_tools.classroom.student_edition`: the notebooks without solutions (nbgrader's
  ``generate_assignment``), plus what runs them (``student_README.md`` and
  ``student_Makefile`` are its templates); the build fails if a function it ships answers an
  exercise (:mod:`~course_tools.classroom.answer_key`)
- :mod:`~course_tools.classroom.grading`: ``make grade``: a class graded by nbgrader, students
  isolated, several at a time, shards (:mod:`~course_tools.classroom.submissions`,
  :mod:`~course_tools.classroom.workspace`, :mod:`~course_tools.classroom.merge`)
- :mod:`~course_tools.classroom.tampering`: a test run with tools the student changed scores 0
  (a step of nbgrader's autograde)
- :mod:`~course_tools.classroom.export`: one CSV row per student (an nbgrader export plugin)
- :mod:`~course_tools.classroom.timing`: where grading time goes, per notebook and cell
- :mod:`~course_tools.classroom.synthetic_class`: a class of 34 students graded and checked
"""
