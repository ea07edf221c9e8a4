"""The machine's processes, as the tests look for what outlived what they stopped."""

import os


def running(marker: str) -> list[int]:
    """The processes of this machine, zombies aside, whose command line holds ``marker``."""
    found = []
    for entry in os.scandir("/proc"):
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found
