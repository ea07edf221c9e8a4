"""`make lab`, as a student runs it: it serves the notebooks (one is fetched through Jupyter's
contents API), loads none of nbgrader's extensions, server or JupyterLab, and logs no nbgrader
warning; run as root, it starts all the same and says so in one line. The test starts it on a
free port and stops it.

Jupyter's user config folder (JUPYTER_CONFIG_DIR) is a temporary one in which the test only picks
the port and the token and keeps the browser closed; the runtime files go there too.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from helpers.settings import REPO_ROOT

MAKE = shutil.which("make")
TOKEN = "test-lab-token"
START_SECONDS = 120  # a loaded 2-core CI machine


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url):
    """(status, body) of a GET with the token."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def lab(tmp_path):
    """`make lab` running on a free port: (its address, a function that stops it and returns
    everything it printed)."""
    if MAKE is None:
        pytest.fail("make is not installed: the course's commands need it")
    port = _free_port()
    config = tmp_path / "config"
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(json.dumps({
        "ServerApp": {"open_browser": False, "port": port, "port_retries": 0},
        "IdentityProvider": {"token": TOKEN},
    }))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    env.pop("JUPYTER_CONFIG_PATH", None)
    log = tmp_path / "lab.log"
    with log.open("w") as out:
        # -o: the .venv is taken as it is (make test has just set it up)
        process = subprocess.Popen(
            [MAKE, "--no-print-directory", "-o", ".venv/.installed", "lab"],
            cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # make, jupyter and what jupyter started
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return log.read_text()

    try:
        yield f"http://127.0.0.1:{port}", stop
    finally:
        stop()


def test_make_lab_serves_the_notebooks_without_nbgrader(lab):
    url, stop = lab
    deadline = time.monotonic() + START_SECONDS
    status = None
    while time.monotonic() < deadline:
        try:
            status, body = _get(f"{url}/api/contents/01_explore.ipynb")
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(1)
    assert status == 200, f"make lab did not serve the notebook:\n{stop()}"
    notebook = json.loads(body)
    assert notebook["type"] == "notebook" and notebook["content"]["cells"]

    status, page = _get(f"{url}/lab")
    config = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                       page, re.DOTALL)
    assert status == 200 and config
    assert "@jupyter/nbgrader" in json.loads(config.group(1))["disabledExtensions"]
    assert _get(f"{url}/formgrader")[0] == 404

    printed = stop()
    assert "No nbgrader_config.py" not in printed
    assert "nbgrader" not in printed.lower(), printed
    said_root = [line for line in printed.splitlines() if "running as root" in line]
    if os.geteuid() == 0:
        assert len(said_root) == 1 and "--allow-root" in said_root[0]
    else:
        assert said_root == [] and "--allow-root" not in printed
