"""A web page to draw a digit and see what the exported model reads, built with Gradio.

From the command line::

    python -m helpers.deploy.app [--model PATH] [--port 7860] [--lan]

serves the page on http://127.0.0.1:7860, this computer only; ``--lan`` serves it on every
network interface, so a phone or tablet on the same network can draw too. The model is the
int8 TensorFlow Lite export of notebook 08 (:func:`helpers.deploy.predict.default_model_path`). The
prediction updates after each stroke and on "Predict"; a blank canvas gets "no digit found"
rather than a guess. Clear, like the sketchpad's own bin button, empties the canvas and the
answer in the browser at once, as often as one likes. Gradio's telemetry is switched off and
no share link is made: the page needs no network beyond the computer that serves it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import threading
from pathlib import Path

import gradio as gr
import numpy as np

from helpers.deploy.classifier import TFLiteClassifier
from helpers.deploy.drawn_digits import DigitImageError, NoDigitFound
from helpers.deploy.predict import default_model_path, predict_image
from helpers.outputs import MissingOutputError
from helpers.settings import relative_to_repo

CANVAS_SIZE = 280  # pixels: ten times MNIST's 28, the size of a finger-drawn digit on a phone
BRUSH_RADIUS = 12  # pixels: 24-px strokes, for a digit as thick as MNIST's for its height
DEFAULT_PORT = 7860
NO_DIGIT = "No digit found — draw a digit."
CONCURRENT_PREDICTIONS = 8  # requests Gradio runs at once; the model itself runs one at a time
TITLE = "Draw a digit"
CSS = "#answer p { font-size: var(--text-xxl); font-weight: 600; }"

SELECT_BRUSH_JS = Path(__file__).with_name("select_brush.js")
# The sketchpad's own bin button: Clear presses it, so both ways of clearing are one. Emptying
# the sketchpad from Python (returning None to it) works once only in Gradio 6.31: its editor
# resets when its value changes, and the value stays None while one draws (strokes travel as
# blobs), so the next None is no change. Nothing from Python ever sets the canvas here.
BIN_BUTTON = '#sketchpad button[aria-label="Clear canvas"]'
PRESS_THE_BIN_JS = f"() => document.querySelector({json.dumps(BIN_BUTTON)}).click()"


def _select_brush_js() -> str:
    """The script of select_brush.js without its comment lines."""
    lines = SELECT_BRUSH_JS.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("//"))


def _js_returning(components, values) -> str:
    """A browser function that shows ``values`` in ``components`` at once, as the values the
    components themselves would send from Python (a cleared chart is ``{}``, not ``null``)."""
    pairs = zip(components, values, strict=True)
    shown = [component.postprocess(value) for component, value in pairs]
    return f"() => {json.dumps(shown)}"


# Gradio and gradio_client read this before they send usage statistics or ask gradio.app for
# the latest version: off, in this process and in the processes it starts.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"


class _SharedClassifier:
    """A classifier that several Gradio worker threads can call: a LiteRT interpreter is not
    thread-safe, so each call holds a lock (one prediction takes about a millisecond)."""

    def __init__(self, classifier: TFLiteClassifier):
        self.classifier = classifier
        self._lock = threading.Lock()

    def predict_proba(self, images) -> np.ndarray:
        with self._lock:
            return self.classifier.predict_proba(images)


def _drawing(value):
    """The picture in a sketchpad value: the ``composite`` of an editor dict, or the value
    itself when it is already a picture (array, PIL image, path). ``None`` when empty."""
    if isinstance(value, dict):
        return value.get("composite")
    return value


def predict_drawing(value, classifier) -> tuple[str, dict[str, float] | None]:
    """What the page shows for one drawing: a sentence and the ten probabilities.

    ``value`` is the sketchpad's value (a dict with ``composite``, as Gradio passes it) or a
    picture; ``classifier`` anything with ``predict_proba`` (a :class:`TFLiteClassifier`).
    The probabilities map "0" ... "9" to floats, or are ``None`` when nothing was recognised.
    """
    image = _drawing(value)
    if image is None:
        return NO_DIGIT, None
    try:
        prediction = predict_image(image, classifier)
    except NoDigitFound:
        return NO_DIGIT, None
    except DigitImageError as exc:
        return f"Cannot read this picture: {exc}.", None
    probabilities = {str(digit): p for digit, p in enumerate(prediction.probabilities)}
    return f"It is a {prediction.digit} ({prediction.confidence:.1%} sure).", probabilities


def build_app(model_path=None) -> gr.Blocks:
    """The drawing page for the model at ``model_path`` (default: the profile's
    models/best_cnn_int8.tflite). Raises ``MissingOutputError`` naming the notebook that
    exports it when the file is missing, ``ValueError`` when it is not a model."""
    classifier = _SharedClassifier(TFLiteClassifier(model_path or default_model_path()))

    def predict(value):
        return predict_drawing(value, classifier)

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(
            f"# {TITLE}\nDraw one digit (0 to 9) with the mouse or a finger. The model, "
            f"`{Path(classifier.classifier.path).name}`, reads it after every stroke."
        )
        with gr.Row():
            with gr.Column():
                sketchpad = gr.Sketchpad(
                    label="Your digit",
                    type="numpy",
                    image_mode="L",  # transparent canvas flattened onto white
                    canvas_size=(CANVAS_SIZE, CANVAS_SIZE),
                    fixed_canvas=True,
                    brush=gr.Brush(
                        colors=["#000000"], color_mode="fixed", default_size=BRUSH_RADIUS
                    ),
                    layers=False,
                    transforms=(),
                    buttons=[],
                    format="png",
                    elem_id="sketchpad",
                )
                with gr.Row():
                    clear = gr.Button("Clear", elem_id="clear")
                    predict_button = gr.Button("Predict", variant="primary", elem_id="predict")
            with gr.Column():
                answer = gr.Markdown(NO_DIGIT, elem_id="answer")
                chart = gr.Label(
                    label="Probability of each digit", num_top_classes=10, elem_id="chart"
                )
        outputs = [answer, chart]
        predict_button.click(predict, sketchpad, outputs, api_name="predict")
        sketchpad.change(
            predict,
            sketchpad,
            outputs,
            api_visibility="private",
            trigger_mode="always_last",
            show_progress="hidden",
        )
        # Clearing happens in the browser, at once: no round trip that could wipe a stroke
        # drawn while it travels. The bin's clear event resets the answer the same way.
        clear.click(None, js=PRESS_THE_BIN_JS)
        sketchpad.clear(None, None, outputs, js=_js_returning(outputs, (NO_DIGIT, None)))
        app.load(None, js=_select_brush_js())
    app.queue(default_concurrency_limit=CONCURRENT_PREDICTIONS)
    return app


def serve(app: gr.Blocks, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> str:
    """Start serving ``app`` in the background on ``host``:``port``; its local URL.

    No share link, no server-side rendering (it would need Node.js), no run history (it
    would keep the drawings in the browser and offer to upload them to Hugging Face), and
    files sent through the API limited to 5 MB. ``app.close()`` stops the server.
    """
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        share=False,
        quiet=True,
        ssr_mode=False,
        run_history=False,
        max_file_size="5mb",
        footer_links=["api"],
        css=CSS,
        prevent_thread_lock=True,
    )
    return url


def _lan_address() -> str | None:
    """This computer's address on its local network, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # UDP: picks the outgoing interface only
            return probe.getsockname()[0]
        except OSError:
            return None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line's options; ``host`` is 127.0.0.1, or 0.0.0.0 with ``--lan``."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.deploy.app",
        description="Serve a web page to draw a digit and see what the model reads.",
    )
    parser.add_argument(
        "--model",
        type=Path,
        help="a .tflite classifier (default: the profile's models/best_cnn_int8.tflite)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--lan",
        action="store_true",
        help="serve other devices on the network too (default: this computer only)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port must be between 1 and 65535, got {args.port}")
    args.host = "0.0.0.0" if args.lan else "127.0.0.1"
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the command line: serve the page until Ctrl+C; returns the exit code."""
    args = parse_args(argv)
    try:
        app = build_app(args.model)
    except (MissingOutputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        serve(app, args.host, args.port)
    except OSError as exc:  # most likely, the port is taken
        print(
            f"error: cannot serve on port {args.port} ({str(exc).split('.')[0]}): "
            "choose another port with --port",
            file=sys.stderr,
        )
        return 1
    print(f"Model: {relative_to_repo(args.model or default_model_path())}")
    print(f"Open http://127.0.0.1:{args.port} in a browser; Ctrl+C stops the server.")
    if args.lan:
        address = _lan_address()
        where = f"http://{address}:{args.port}" if address else f"port {args.port} of this computer"
        print(f"From other devices on your network: {where}")
    sys.stdout.flush()
    app.block_thread()  # until Ctrl+C, then closes the server
    return 0


if __name__ == "__main__":
    sys.exit(main())
