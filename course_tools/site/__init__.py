"""``make site``: the course as a static website, built by Sphinx with myst-nb and the
sphinx-book-theme (the stack Jupyter Book 1 builds on) from the notebooks as executed.

- :mod:`~course_tools.site.pages`: the source folder Sphinx reads (the notebooks in course
  order, the results table, the report and the benchmark, a home page)
- :mod:`~course_tools.site.build`: Sphinx's settings and the build, from the command line
"""
