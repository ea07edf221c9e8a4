"""The machine's processes, as the tests look for what outlived what they stopped."""

import os
import subprocess
import time


def running(marker: str) -> list[int]:
    """The processes of this machine, zombies aside, whose command line holds ``marker``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def start_and_wait(marker: str) -> None:
    """Start ``sleep marker`` and wait (a busy worker's task, in a process pool)."""
    subprocess.Popen(["sleep", marker])
    time.sleep(120)
