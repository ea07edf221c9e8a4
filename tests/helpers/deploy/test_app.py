"""helpers.deploy.app: the drawing page's prediction function, its set-up and its command line.

The page in a real browser: test_app_browser.py; many requests at once: test_app_load.py.
"""

import json
import os
import subprocess
import sys

import gradio as gr
import numpy as np
import pytest
from PIL import Image

from helpers import settings
from helpers.deploy import app as drawing_app
from helpers.deploy import predict
from helpers.deploy.app import NO_DIGIT, build_app, main, parse_args, predict_drawing
from helpers.deploy.classifier import TFLiteClassifier
from helpers.outputs import MissingOutputError
from tests.helpers.deploy.digit_strokes import STROKES, draw_with_pil

SIZE = drawing_app.CANVAS_SIZE
PEN = 2 * drawing_app.BRUSH_RADIUS


def drawing(digit, mode="L"):
    """A digit drawn like on the sketchpad, with its brush: black strokes on white ("L") or on
    a transparent canvas ("RGBA"), as a uint8 array."""
    return draw_with_pil(digit, SIZE, PEN, mode)


def editor_value(composite):
    """The sketchpad's value as Gradio passes it to the prediction function."""
    return {"background": None, "layers": [composite], "composite": composite}


@pytest.fixture(scope="module")
def classifier(baseline_int8_model):
    return TFLiteClassifier(baseline_int8_model)


@pytest.mark.parametrize("digit", sorted(STROKES))
def test_each_drawn_digit_is_read_with_its_probabilities(digit, classifier):
    # the browser test draws the same strokes on the page: all ten must read right here
    message, probabilities = predict_drawing(editor_value(drawing(digit)), classifier)
    assert message.startswith(f"It is a {digit} (") and message.endswith("% sure).")
    assert list(probabilities) == [str(d) for d in range(10)]
    assert all(isinstance(p, float) and 0 <= p <= 1 for p in probabilities.values())
    assert sum(probabilities.values()) == pytest.approx(1, abs=1e-5)
    assert max(probabilities, key=probabilities.get) == str(digit)
    confidence = float(message.split("(")[1].split("%")[0]) / 100
    assert confidence == pytest.approx(probabilities[str(digit)], abs=0.0005)


def test_transparent_canvas_plain_pictures_and_pil_images_give_the_same_answer(classifier):
    expected = predict_drawing(editor_value(drawing(7)), classifier)
    rgba = drawing(7, mode="RGBA")
    assert predict_drawing(editor_value(rgba), classifier) == expected
    assert predict_drawing(drawing(7), classifier) == expected  # a picture, not an editor dict
    assert predict_drawing(Image.fromarray(rgba), classifier) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        {"background": None, "layers": [], "composite": None},
        editor_value(np.full((SIZE, SIZE), 255, np.uint8)),  # a white canvas
        editor_value(np.zeros((SIZE, SIZE, 4), np.uint8)),  # a transparent canvas
    ],
    ids=["none", "no-composite", "white", "transparent"],
)
def test_an_empty_canvas_asks_for_a_digit_instead_of_guessing(value, classifier):
    assert predict_drawing(value, classifier) == (NO_DIGIT, None)
    assert NO_DIGIT.startswith("No digit found")


@pytest.mark.parametrize(
    "composite, reason",
    [
        (np.zeros((SIZE, SIZE, 7), np.uint8), "expected one image shaped"),
        (np.full((SIZE, SIZE), 2.0), "float pixels must lie in [0, 1]"),
        (b"not a picture", "not an image"),
    ],
    ids=["seven-channels", "floats-out-of-range", "bytes"],
)
def test_odd_input_gets_a_clear_message(composite, reason, classifier):
    message, probabilities = predict_drawing(editor_value(composite), classifier)
    assert message.startswith("Cannot read this picture: ") and reason in message
    assert probabilities is None


def test_the_page_has_a_predict_endpoint_and_no_telemetry(baseline_int8_model):
    app = build_app(baseline_int8_model)
    assert isinstance(app, gr.Blocks)
    assert app.analytics_enabled is False
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    public = [fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"]
    assert public == ["predict"]
    sketchpads = [block for block in app.blocks.values() if isinstance(block, gr.ImageEditor)]
    assert [pad.canvas_size for pad in sketchpads] == [(SIZE, SIZE)]


def test_clearing_happens_in_the_browser_and_nothing_from_python_sets_the_canvas(
    baseline_int8_model,
):
    app = build_app(baseline_int8_model)
    by_id = {block._id: block for block in app.blocks.values()}
    events = {
        (getattr(by_id.get(target), "elem_id", None), name): fn  # the page itself: None
        for fn in app.fns.values()
        for target, name in fn.targets
    }
    clear = events["clear", "click"]  # the Clear button presses the sketchpad's own bin
    assert clear.fn is None and "Clear canvas" in clear.js and ".click()" in clear.js
    binned = events["sketchpad", "clear"]  # the bin (pressed either way) resets the answer
    assert binned.fn is None
    assert [getattr(block, "elem_id", None) for block in binned.outputs] == ["answer", "chart"]
    assert binned.js == f"() => {json.dumps([NO_DIGIT, {}])}"  # {}: an empty gr.Label
    assert not [fn for fn in app.fns.values() if any(o.elem_id == "sketchpad" for o in fn.outputs)]
    assert "MutationObserver" in events[None, "load"].js  # picks the brush whenever none is


def test_a_missing_model_is_named_with_the_notebook_that_exports_it(tmp_path, monkeypatch):
    with pytest.raises(MissingOutputError, match=r"missing\.tflite not found: run notebooks/08"):
        build_app(tmp_path / "missing.tflite")
    empty = settings.Profile("quick", 10, output_root=tmp_path)
    monkeypatch.setattr(predict, "active_profile", lambda: empty)
    with pytest.raises(MissingOutputError, match=r"best_cnn_int8\.tflite not found: run notebooks"):
        build_app()
    not_a_model = tmp_path / "notes.tflite"
    not_a_model.write_text("not a model")
    with pytest.raises(ValueError, match="not a TensorFlow Lite model"):
        build_app(not_a_model)


def test_arguments_default_to_this_computer_only():
    args = parse_args([])
    assert (args.host, args.port, args.model) == ("127.0.0.1", 7860, None)
    args = parse_args(["--lan", "--port", "8000", "--model", "m.tflite"])
    assert (args.host, args.port, str(args.model)) == ("0.0.0.0", 8000, "m.tflite")


@pytest.mark.parametrize("argv", [["--port", "0"], ["--port", "seven"], ["--share"]])
def test_bad_arguments_stop_with_a_usage_message(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        parse_args(argv)
    assert stopped.value.code == 2
    assert "usage: python -m helpers.deploy.app" in capsys.readouterr().err


@pytest.fixture
def fake_launch(monkeypatch):
    """Record what main passes to Gradio instead of serving until Ctrl+C."""
    calls = []
    monkeypatch.setattr(
        gr.Blocks, "launch", lambda self, **kwargs: calls.append(kwargs) or (None, "url", None)
    )
    monkeypatch.setattr(gr.Blocks, "block_thread", lambda self: calls.append("blocked"))
    return calls


@pytest.mark.parametrize("lan", [False, True])
def test_main_serves_locally_unless_lan_and_never_shares(lan, baseline_int8_model, fake_launch):
    argv = ["--model", str(baseline_int8_model), "--port", "7999"] + (["--lan"] if lan else [])
    assert main(argv) == 0
    launch, blocked = fake_launch
    assert launch["server_name"] == ("0.0.0.0" if lan else "127.0.0.1")
    assert launch["server_port"] == 7999 and launch["share"] is False
    assert launch["run_history"] is False and launch["prevent_thread_lock"] is True
    assert blocked == "blocked"


def test_main_prints_where_to_open_the_page(baseline_int8_model, fake_launch, capsys):
    main(["--model", str(baseline_int8_model), "--lan"])
    out = capsys.readouterr().out
    assert "Open http://127.0.0.1:7860 in a browser" in out
    assert "From other devices on your network: " in out


def test_main_explains_a_busy_port(baseline_int8_model, monkeypatch, capsys):
    def busy(self, **kwargs):
        raise OSError("Cannot find empty port in range: 7860-7860. You can specify ...")

    monkeypatch.setattr(gr.Blocks, "launch", busy)
    assert main(["--model", str(baseline_int8_model)]) == 1
    err = capsys.readouterr().err
    assert "cannot serve on port 7860" in err and "choose another port with --port" in err


def test_main_names_the_missing_model_and_fails(tmp_path, fake_launch, capsys):
    assert main(["--model", str(tmp_path / "none.tflite")]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and fake_launch == []
    assert captured.err.startswith("error: ") and "notebooks/08_deploy.ipynb" in captured.err


def test_command_line_without_a_model_exits_with_a_message_not_a_traceback(tmp_path):
    command = [sys.executable, "-m", "helpers.deploy.app", "--model", str(tmp_path / "none.tflite")]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=settings.REPO_ROOT, timeout=120
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "none.tflite not found: run notebooks/08_deploy.ipynb first" in done.stderr
