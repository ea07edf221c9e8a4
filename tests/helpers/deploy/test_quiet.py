import os
import subprocess
import sys

from helpers.deploy.quiet import native_stderr_muted, native_stderr_to

NOISE = [sys.executable, "-c", "import sys; sys.stderr.write('kernel noise')"]


def test_stderr_of_child_processes_goes_to_the_file_and_is_restored(tmp_path, capfd):
    log = tmp_path / "log.txt"
    log.write_text("before: ")
    with native_stderr_to(log):
        subprocess.run(NOISE, check=True)
    assert log.read_text() == "before: kernel noise"  # appended, nothing lost
    os.write(2, b"after")
    assert capfd.readouterr().err == "after"


def test_muted_stderr_writes_nowhere_and_is_restored(capfd):
    with native_stderr_muted():
        subprocess.run(NOISE, check=True)
    os.write(2, b"after")
    assert capfd.readouterr().err == "after"
