"""Network shares refused for the register; Windows' file errors in Vietnamese; a short retry
while an antivirus or a viewer holds a file."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.storage import disks
from desktop.storage.db import _map_sqlite_error, _retry_disk_io, open_database

ROOT = Path(__file__).resolve().parents[3]

MOUNTS = """\
/dev/sda2 / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw 0 0
//nas/ubnd /mnt/ubnd cifs rw,vers=3.0 0 0
nas:/srv/so /srv/so nfs4 rw 0 0
/dev/sdb1 /srv/so/local ext4 rw 0 0
/dev/sdc1 /media/mai/USB\\040KINGSTON vfat rw 0 0
"""


# -- network locations -------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["\\\\may-chu\\du-lieu\\so.sqlite", "//may-chu/du-lieu/so.sqlite",
                                  "\\\\?\\UNC\\may-chu\\du-lieu\\so.sqlite"])
def test_a_unc_path_is_a_network_location_on_windows(path):
    assert disks.network_location(path, platform="win32") == "thư mục dùng chung trên mạng"
    with pytest.raises(UserError) as info:
        disks.refuse_network_location(path, platform="win32")
    assert info.value.code == "network_location" and "ổ đĩa của chính máy này" in info.value.message


@pytest.mark.parametrize("path", ["C:\\ProgramData\\SoGiaiTrinh\\so.sqlite", "\\\\?\\C:\\so.sqlite", "D:\\so.sqlite"])
def test_a_local_drive_is_not(path):
    # (a mapped drive letter is found by GetDriveTypeW on Windows itself: see the workflow)
    assert disks.network_location(path, platform="win32") is None


@pytest.mark.parametrize("path, kind", [
    ("/mnt/ubnd/so.sqlite", "cifs"), ("/srv/so/xa/so.sqlite", "nfs4"), ("/srv/so/local/so.sqlite", None),
    ("/home/mai/.local/share/SoGiaiTrinh/so.sqlite", None), ("/media/mai/USB KINGSTON/so.sqlite", None),
    ("/mnt/ubndx/so.sqlite", None),
])
def test_nfs_cifs_smb_mounts_are_network_locations_on_linux(path, kind):
    where = disks.network_location(path, platform="linux", mounts=MOUNTS)
    assert (where == f"ổ mạng ({kind})") if kind else where is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/mounts is Linux's")
def test_this_machines_own_mount_table_is_read(tmp_path):
    assert disks.linux_mount_type(tmp_path) != ""      # /proc/mounts names the folder's file system
    assert disks.network_location(tmp_path) is None


@pytest.mark.skipif(sys.platform == "win32", reason="Windows asks GetDriveTypeW, not the mount table")
def test_open_database_refuses_a_register_on_a_share_and_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(disks, "linux_mount_type", lambda path, mounts=None: "cifs")   # as if tmp were a share
    with pytest.raises(UserError) as info:
        open_database(tmp_path / "so.sqlite")
    assert info.value.code == "network_location"
    assert list(tmp_path.iterdir()) == []


# -- SQLite's errors ---------------------------------------------------------------------------
def test_disk_io_error_is_a_vietnamese_message_naming_the_antivirus():
    err = _map_sqlite_error(sqlite3.OperationalError("disk I/O error"))
    assert err.code == "disk_io" and "diệt virus" in err.message and "chưa được ghi" in err.message


def test_disk_io_error_is_retried_then_given_up():
    tries = []

    def held_twice():
        tries.append(1)
        if len(tries) < 3:
            raise sqlite3.OperationalError("disk I/O error")
        return "mở được"

    assert _retry_disk_io(held_twice) == "mở được" and len(tries) == 3
    tries.clear()
    with pytest.raises(sqlite3.OperationalError):
        _retry_disk_io(lambda: tries.append(1) or (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error")))
    assert len(tries) == 3
    with pytest.raises(sqlite3.OperationalError):   # other errors are not retried
        _retry_disk_io(lambda: tries.append(1) or (_ for _ in ()).throw(sqlite3.OperationalError("no such table")))
    assert len(tries) == 4


def test_a_register_whose_files_cannot_be_opened_gets_a_message_not_sqlites_words(tmp_path):
    path = tmp_path / "so.sqlite"
    open_database(path).close()
    (tmp_path / "so.sqlite-wal").mkdir()   # its write-ahead log cannot be opened
    with pytest.raises(UserError) as info:
        open_database(path)
    assert info.value.code in ("database_unreachable", "disk_io")   # Linux says the one, Windows may say the other
    assert "unable" not in info.value.message and "I/O" not in info.value.message


# -- Windows file errors -----------------------------------------------------------------------
@contextmanager
def someone_else():
    """Act as an ordinary account (root writes anywhere): ``nobody`` while root, else as is."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.seteuid(65534)
        try:
            yield 65534
        finally:
            os.seteuid(0)
    else:
        yield None


POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and limits stand in for Windows'")


@pytest.fixture
def open_folder():
    folder = Path(tempfile.mkdtemp(prefix="giaitrinh-disks-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@POSIX_ONLY
def test_a_pdf_open_in_another_program_is_retried_then_named(open_folder):
    target = open_folder / "thong-bao.pdf"
    target.write_bytes(b"old")
    target.chmod(0o444)   # as Windows treats a file Acrobat holds: writing it is refused
    open_folder.chmod(0o555)
    try:
        with someone_else():
            with pytest.raises(UserError) as info:
                disks.write_file(target, b"%PDF-new")
    finally:
        open_folder.chmod(0o777)
    assert info.value.code == "file_in_use"
    assert "“thong-bao.pdf”" in info.value.message and "Acrobat" in info.value.message
    assert target.read_bytes() == b"old" and sorted(p.name for p in open_folder.iterdir()) == ["thong-bao.pdf"]


@POSIX_ONLY
def test_a_file_an_antivirus_holds_for_a_moment_is_written_after_a_short_wait(open_folder):
    target = open_folder / "thong-bao.pdf"
    open_folder.chmod(0o555)   # the folder is held: nothing can be created in it yet
    owner = 65534 if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    if owner is not None:
        os.chown(open_folder, owner, owner)
    with someone_else():
        release = threading.Timer(0.05, lambda: open_folder.chmod(0o777))   # the scan ends
        release.start()
        try:
            assert disks.write_file(target, b"%PDF-new") == target
        finally:
            release.join()
    assert target.read_bytes() == b"%PDF-new"


def test_a_folder_that_is_gone_is_named(tmp_path):
    with pytest.raises(UserError) as info:
        disks.write_file(tmp_path / "usb" / "so-den.pdf", b"x")
    assert info.value.code == "folder_missing" and "không còn" in info.value.message


@pytest.mark.parametrize("winerror", [disks.ERROR_NOT_READY, disks.ERROR_INVALID_DRIVE, disks.ERROR_BAD_NETPATH])
def test_a_drive_letter_that_is_gone_is_named(winerror):
    exc = OSError(errno.ENOENT, "The device is not ready")
    exc.winerror = winerror   # what Windows sets for E:\ after the stick was pulled
    err = disks.file_error(exc, Path("E:\\sao-luu\\so.sqlite"))
    assert err.code == "drive_missing" and "ổ E:" in err.message and "chữ ổ đĩa khác" in err.message


@POSIX_ONLY
def test_a_file_over_fat32s_limit_is_named(tmp_path):
    # The operating system refuses to grow the file (EFBIG), as FAT32 does at 4 GiB: here a
    # process limit on file size stands for the file system's limit, in a separate process.
    script = (
        "import resource, signal, sys\n"
        "from desktop.errors import UserError\n"
        "from desktop.storage.disks import write_file\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "try:\n"
        "    write_file(sys.argv[1], b'x' * 10000)\n"
        "except UserError as exc:\n"
        "    print(exc.code); print(exc.message)\n"
    )
    target = tmp_path / "sao-luu.sqlite"
    out = subprocess.run([sys.executable, "-c", script, str(target)], cwd=ROOT, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8"), timeout=60)
    code, message = out.stdout.splitlines()[:2]
    assert code == "file_too_large" and "4 GB" in message and "FAT32" in message
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert disks.file_error(OSError(errno.EINVAL, "x"), target, size=5 * 1024**3).code == "file_too_large"



@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_private_file_is_owner_only_from_its_first_byte_whatever_the_umask(tmp_path):
    from desktop.storage.disks import write_file

    old = os.umask(0)
    try:
        (tmp_path / "note.json.partial").write_bytes(b"left by a crash")
        (tmp_path / "note.json.partial").chmod(0o644)
        target = write_file(tmp_path / "note.json", b"{}", private=True)
        plain = write_file(tmp_path / "plain.pdf", b"%PDF")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"{}" and target.stat().st_mode & 0o777 == 0o600
    assert plain.stat().st_mode & 0o777 == 0o666   # an exported document keeps the folder's usual mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.json", "plain.pdf"]
