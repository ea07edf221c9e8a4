"""Publishing a run: the report, the README's results table, the slides and the PDF.

- :mod:`~course_tools.reporting.report`: ``REPORT.md`` from ``metrics.json`` and the figures
- :mod:`~course_tools.reporting.inputs`: what the report reads, with clear errors when missing
- :mod:`~course_tools.reporting.sections`: the report's sections, one function each
- :mod:`~course_tools.reporting.readme_tables`: the README's results table
- :mod:`~course_tools.reporting.html`: a notebook or a Markdown document as one HTML page
  (``page.html``), for the PDF
- :mod:`~course_tools.reporting.slides`: the slide deck (reveal.js, vendored in
  ``slides_assets/``) with speaker notes
- :mod:`~course_tools.reporting.pdf`: the report, and graded notebooks, as PDF through chromium
"""
