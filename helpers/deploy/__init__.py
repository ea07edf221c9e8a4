"""Notebook 08: the trained model out of the notebook, into a file, a command and a web page.

- :mod:`~helpers.deploy.tflite_export`: a Keras model to TensorFlow Lite (float32, dynamic
  range, int8), and the records that compare the exported files
- :mod:`~helpers.deploy.classifier`: run an exported file with LiteRT (no TensorFlow needed)
- :mod:`~helpers.deploy.drawn_digits`: any picture of a digit to an MNIST input, step by step
- :mod:`~helpers.deploy.predict`: the digit in a picture; ``python -m helpers.deploy.predict``
- :mod:`~helpers.deploy.app`: the drawing page (Gradio); ``python -m helpers.deploy.app``
- :mod:`~helpers.deploy.quiet`: silencing what C++ libraries print on start-up
"""
