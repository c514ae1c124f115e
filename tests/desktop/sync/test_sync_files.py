"""Files for the USB stick are written whole or not at all."""

from __future__ import annotations

import pytest

from desktop.sync import files
from desktop.sync.files import write_atomically


def test_written_whole_and_nothing_left_beside(tmp_path):
    target = tmp_path / "khoa.json"
    assert write_atomically(target, "{\"đơn vị\": 1}".encode()) == target
    assert target.read_bytes() == "{\"đơn vị\": 1}".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["khoa.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path, monkeypatch):
    target = tmp_path / "bien-nhan.json"
    target.write_bytes(b"old")

    def full(fd):  # the stick is full when the data is flushed to it
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(OSError):
        write_atomically(target, b"new" * 1000)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["bien-nhan.json"]
