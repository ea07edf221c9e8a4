"""The drawing app under load: 100 predictions at once through gradio_client's public API.

Each request is an MNIST test digit drawn as a 280 x 280 PNG, black on white like the
sketchpad's, one the model reads right when called directly: every answer must come back
and be right. The median and 95th-percentile latencies are printed (run with -s) and written
to scratch/test-artefacts/load.txt. Nothing may connect beyond this computer meanwhile.
"""

import ipaddress
import sys
import time
from concurrent.futures import CancelledError, ThreadPoolExecutor

import huggingface_hub.constants
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from helpers import settings
from helpers.data import load_mnist
from helpers.deploy.app import CANVAS_SIZE, CONCURRENT_PREDICTIONS
from helpers.deploy.classifier import TFLiteClassifier
from helpers.deploy.predict import predict_image

REQUESTS = 100
ARTEFACTS = settings.REPO_ROOT / "scratch" / "test-artefacts"
_outside_connections = []  # filled by the audit hook while a test watches the network
_watching = [False]


def _audit(event, args):
    """Record connections and name look-ups that would leave this computer."""
    if not _watching[0] or event not in ("socket.connect", "socket.getaddrinfo"):
        return
    if event == "socket.connect":
        address = args[1]
        if not isinstance(address, tuple):  # a Unix socket
            return
        host = address[0]
    else:
        host = args[0]
    if isinstance(host, bytes):
        host = host.decode()
    if host in (None, "", "localhost"):
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:  # a name other than localhost
        pass
    _outside_connections.append((event, host))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one is idle unless watching


@pytest.fixture(scope="module")
def known_digits(baseline_int8_model, tmp_path_factory):
    """(png path, label) for REQUESTS test digits the model reads right when called directly."""
    classifier = TFLiteClassifier(baseline_int8_model)
    _, (images, labels) = load_mnist()
    folder = tmp_path_factory.mktemp("drawn_test_digits")
    digits = []
    for index, (image, label) in enumerate(zip(images, labels, strict=True)):
        drawn = Image.fromarray(255 - image).resize((CANVAS_SIZE, CANVAS_SIZE), Image.BICUBIC)
        path = folder / f"test_{index:05d}_{label}.png"
        drawn.save(path)
        if predict_image(path, classifier).digit == label:
            digits.append((path, int(label)))
        if len(digits) == REQUESTS:
            return digits
    raise AssertionError("fewer than 100 test digits were read right: is the model trained?")


def test_the_app_answers_100_concurrent_predictions_right(
    app_url, known_digits, capsys, monkeypatch
):
    assert CONCURRENT_PREDICTIONS > 1, "the queue must run predictions in parallel"
    # gradio_client builds its headers with huggingface_hub, which would fetch a list of
    # "agent harnesses" from huggingface.co; offline, it does not
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    _outside_connections.clear()
    _watching[0] = True
    client = Client(
        app_url,
        verbose=False,
        max_workers=REQUESTS,
        analytics_enabled=False,
        httpx_kwargs={"timeout": 60},  # a loaded CI machine can be slow to answer
    )
    retries = []

    def ask(path):
        start = time.perf_counter()
        value = {"background": None, "layers": [], "composite": handle_file(str(path))}
        try:
            answer, chart = client.predict(value, api_name="/predict")
        except CancelledError:
            # gradio_client 2.7.2 shares one event stream among a client's requests; the
            # server closes it whenever none is pending, and a request submitted at that
            # moment is cancelled by the client. Such a request is sent again, once.
            retries.append(path.name)
            answer, chart = client.predict(value, api_name="/predict")
        return answer, chart, time.perf_counter() - start

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
            results = list(pool.map(ask, [path for path, _ in known_digits]))
        wall = time.perf_counter() - started
    finally:
        client.close()
        _watching[0] = False

    assert len(results) == REQUESTS
    for (path, label), (answer, chart, _) in zip(known_digits, results, strict=True):
        assert answer.startswith(f"It is a {label} ("), f"{path.name}: {answer}"
        assert chart["label"] == str(label) and len(chart["confidences"]) == 10
    assert _outside_connections == [], "the app and client must not reach the network"

    seconds = np.array([latency for _, _, latency in results])
    p50, p95 = np.percentile(seconds, [50, 95])
    report = (
        f"{REQUESTS} concurrent predictions through gradio_client in {wall:.1f} s "
        f"({REQUESTS / wall:.1f} per second): latency p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {seconds.max() * 1000:.0f} ms "
        f"(queue concurrency {CONCURRENT_PREDICTIONS}; {len(retries)} sent twice)"
    )
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "load.txt").write_text(report + "\n", encoding="utf-8")
    with capsys.disabled():
        print(f"\n{report}")
    assert len(retries) <= REQUESTS // 10, report
    assert wall < 60, report
