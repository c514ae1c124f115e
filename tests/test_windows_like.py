"""The ``--windows-like`` pass of ``.ci/run`` really is Windows-like (skipped in the ordinary pass)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import pytest


@pytest.fixture
def windows_like(request):
    if not (request.config.getoption("--windows-like") or os.environ.get("GIAITRINH_WINDOWS_LIKE") == "1"):
        pytest.skip("only in the --windows-like pass")


def test_spawn_only_and_no_fork(windows_like):
    assert multiprocessing.get_start_method() == "spawn"
    assert not hasattr(os, "fork")
    with pytest.raises(ValueError):
        multiprocessing.get_context("fork")


def test_programs_started_by_the_tests_get_a_windows_code_page(windows_like):
    out = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding, sys.flags.utf8_mode)"],
                         capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["cp1252", "0"]


def test_a_spawned_child_works(windows_like):
    with multiprocessing.get_context().Pool(1) as pool:
        assert pool.apply(os.getpid) != os.getpid()
