"""helpers.cores: the cores a process may run on."""

import os

from helpers.cores import usable_cores


def test_usable_cores_are_the_affinity_where_there_is_one(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert usable_cores() == 2  # a process pinned to 2 of 8 cores


def test_usable_cores_are_the_machines_without_an_affinity_call(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert usable_cores() == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: one
    assert usable_cores() == 1
