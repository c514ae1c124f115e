"""Files for the USB stick are written whole or not at all."""

from __future__ import annotations

import pytest

from desktop.errors import UserError
from desktop.storage import disks
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

    monkeypatch.setattr(disks.os, "fsync", full)
    with pytest.raises(UserError) as info:
        write_atomically(target, b"new" * 1000)
    assert info.value.code == "file_write_failed" and "“bien-nhan.json”" in info.value.message
    assert "đã đầy" in info.value.message
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["bien-nhan.json"]


@pytest.mark.parametrize("code, words", [(30, "khóa ghi"), (13, "khóa ghi"), (5, "bị rút ra")])
def test_a_write_protected_or_pulled_stick_is_named_in_vietnamese(tmp_path, code, words):
    message = files.file_error(OSError(code, "x"), tmp_path / "goi.gtr").message
    assert message.startswith("Không ghi được tệp “goi.gtr”: ") and words in message


def test_a_bundle_export_to_a_full_stick_records_nothing(commune, data, outdir, monkeypatch):
    from desktop.storage import sync_repo
    from desktop.sync import export

    def full(fd):
        raise OSError(28, "No space left on device")

    fsync = export.os.fsync
    monkeypatch.setattr(export.os, "fsync", full)
    with pytest.raises(UserError) as info:
        export.export_bundle(commune, outdir, full=True)
    assert info.value.code == "file_write_failed" and "đã đầy" in info.value.message
    assert list(outdir.iterdir()) == [] and sync_repo.list_outbox(commune) == []
    monkeypatch.setattr(export.os, "fsync", fsync)
    assert export.export_bundle(commune, outdir, full=True).sequence == 1  # the same sequence number, once room is made
