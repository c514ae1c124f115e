"""Backups (issue #17, item 8): written whole and checked, rotated, sealed in one call, restored
from the CLI; a full disk leaves nothing that could pass for a register."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from desktop.errors import UserError
from desktop.storage import backup
from desktop.storage.db import open_database
from desktop.workflow.demo import build_demo
from desktop.workflow.verify import verify_register

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 11, 23)


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "so.sqlite"
    db = open_database(path)
    build_demo(db, cases=30, today=TODAY)
    db.close()
    return path


class AeadSealer:
    """A real authenticated cipher standing in for the register key's (``desktop.security``)."""

    def __init__(self) -> None:
        self.aead = ChaCha20Poly1305(ChaCha20Poly1305.generate_key())

    def seal(self, src: Path, dst: Path) -> None:
        nonce = os.urandom(12)
        dst.write_bytes(nonce + self.aead.encrypt(nonce, src.read_bytes(), b"giaitrinh-backup"))

    def open(self, src: Path, dst: Path) -> None:
        data = src.read_bytes()
        dst.write_bytes(self.aead.decrypt(data[:12], data[12:], b"giaitrinh-backup"))


def test_a_backup_is_checked_then_named_and_restores(register, tmp_path):
    folder = tmp_path / "sao-luu"
    db = open_database(register, create=False)
    made = backup.make_backup(db.conn, register, folder, reason="manual")
    cases = db.scalar("SELECT count(*) FROM cases")
    from desktop.security.accounts import assume_role
    from desktop.workflow.receive import CaseInput, PersonInput, receive_case

    assume_role(db, "leader")
    receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Sau sao lưu",
                               requesters=[PersonInput("Người sau sao lưu")]), today=TODAY)
    db.close()
    assert [b.path for b in backup.list_backups(folder, "so")] == [made]
    assert not list(folder.glob("*.partial")) and not list(folder.glob("*.check"))
    safety = backup.restore(made, register, folder=folder)
    assert safety is not None and safety.exists() and "before-restore" in safety.name
    db = open_database(register, create=False)
    try:
        assert db.scalar("SELECT count(*) FROM cases") == cases
        report = verify_register(db)
        assert report.ok, report.problems
    finally:
        db.close()


FULL_DISK = r"""
import resource, signal, sys
from pathlib import Path
from desktop.errors import UserError
from desktop.storage import backup
from desktop.storage.db import connect

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)        # writing past the limit fails as a full disk does
conn = connect(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
try:
    backup.make_backup(conn, Path(sys.argv[1]), Path(sys.argv[2]))
except UserError as exc:
    print(exc.code, exc.message)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_full_disk_leaves_no_backup_that_could_pass(register, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    limit = register.stat().st_size // 3
    # The child is the test's own harness printing the message it caught, not the CLI: it writes
    # UTF-8 whatever code page the Windows-like pass gives children.
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    out = subprocess.run([sys.executable, "-c", FULL_DISK, str(register), str(folder), str(limit)], cwd=ROOT,
                         capture_output=True, text=True, encoding="utf-8", timeout=120, env=env)
    assert out.stdout.startswith("backup_failed") and "đầy" in out.stdout, (out.stdout, out.stderr)
    assert list(folder.iterdir()) == [], "a partial backup was left behind"
    db = open_database(register, create=False)
    try:
        assert verify_register(db).ok
    finally:
        db.close()


def test_empty_or_partial_files_are_never_restored(register, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    before = register.read_bytes()
    empty = folder / "so-20261120-080000-manual.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(UserError) as err:
        backup.restore(empty, register)
    assert err.value.code == "backup_empty" and "0 byte" in err.value.message
    fresh = open_database(folder / "so-20261121-080000-manual.sqlite")  # a new, empty register
    fresh.close()
    with pytest.raises(UserError) as err:
        backup.restore(folder / "so-20261121-080000-manual.sqlite", register)
    assert err.value.code == "backup_empty" and "sổ trống" in err.value.message
    assert register.read_bytes() == before


def test_sealing_is_one_call(register, tmp_path):
    sealer = AeadSealer()
    folder = tmp_path / "usb"
    db = open_database(register, create=False)
    made = backup.make_backup(db.conn, register, folder, reason="close", sealer=sealer)
    db.close()
    assert made.suffix == ".gtbk" and not made.read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(UserError) as err:
        backup.restore(made, register)
    assert err.value.code == "backup_sealed"
    backup.restore(made, register, sealer=sealer, folder=folder)
    db = open_database(register, create=False)
    try:
        assert verify_register(db).ok
    finally:
        db.close()


def test_rotation_keeps_days_weeks_and_months(tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    now = datetime(2026, 11, 23, 17, 0, 0)
    for age in range(400):  # two a day for 400 days
        for hour in (9, 16):
            taken = (now - timedelta(days=age)).replace(hour=hour)
            (folder / backup.backup_name(Path("so.sqlite"), "daily", taken, False)).write_bytes(b"x")
    (folder / "khac-20261123-090000-daily.sqlite").write_bytes(b"x")  # another register's: untouched
    backup.rotate(folder, "so", backup.Policy(hours=24, days=7, weeks=5, months=12), now=now)
    kept = backup.list_backups(folder, "so")
    days = {b.taken_at.date() for b in kept}
    assert [b.taken_at.hour for b in kept[:2]] == [16, 9]            # the last 24 hours: all of them
    assert all(b.taken_at.hour == 16 for b in kept[2:])              # before: the newest of each day
    assert {now.date() - timedelta(days=d) for d in range(7)} <= days
    assert len({b.taken_at.isocalendar()[:2] for b in kept}) >= 5
    assert len({(b.taken_at.year, b.taken_at.month) for b in kept}) == 12
    assert len(kept) <= 1 + 7 + 5 + 12
    assert (folder / "khac-20261123-090000-daily.sqlite").exists()
    assert backup.due_today(folder, "so", now=now + timedelta(days=1))
    assert not backup.due_today(folder, "so", now=now)


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)


def test_restore_drill_from_the_cli(register, tmp_path):
    folder = tmp_path / "usb"
    made = json.loads(_cli("backup", "make", "--db", str(register), "--folder", str(folder), "--json").stdout)
    listed = json.loads(_cli("backup", "list", "--db", str(register), "--folder", str(folder), "--json").stdout)
    assert [b["file"] for b in listed] == [made["file"]]
    db = open_database(register, create=False)
    cases = db.scalar("SELECT count(*) FROM cases")
    db.close()
    register.write_bytes(b"")  # the register is lost (a zero-byte file)
    refused = _cli("verify", "--db", str(register))
    assert refused.returncode == 1 and "0 byte" in refused.stderr
    asked = _cli("backup", "restore", made["file"], "--db", str(register), "--folder", str(folder))
    assert asked.returncode == 1 and "--yes" in asked.stderr
    done = _cli("backup", "restore", made["file"], "--db", str(register), "--folder", str(folder), "--yes", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verify"]["ok"]
    db = open_database(register, create=False)
    try:
        assert db.scalar("SELECT count(*) FROM cases") == cases
    finally:
        db.close()


def test_restoring_a_backup_older_than_the_last_bundle_is_warned(tmp_path, monkeypatch):
    from desktop.sync import export, keys
    from desktop.workflow.receive import CaseInput, PersonInput, receive_case
    from tests.desktop.sync.conftest import make_register

    monkeypatch.setenv("GIAITRINH_KEY_PASSPHRASE", "mật khẩu thử nghiệm")
    province = make_register(tmp_path / "tinh.sqlite", code="01", name="UBND tỉnh", mode="province")
    commune = make_register(tmp_path / "xa.sqlite", code="00001", name="UBND xã", mode="commune")
    for a, b in ((province, commune), (commune, province)):
        keys.ensure_keys(a)
        keys.import_key_file(b, keys.parse_key_file(keys.key_file_content(a)))
    made = backup.make_backup(commune.conn, commune.path, tmp_path / "usb")
    assert backup.older_than_sent(made, commune.path) is None  # nothing sent yet
    from desktop.security.accounts import assume_role

    assume_role(commune, "leader")
    receive_case(commune, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Sau sao lưu",
                                    requesters=[PersonInput("Người mới")]), today=TODAY)
    (tmp_path / "gui").mkdir()
    export.export_bundle(commune, tmp_path / "gui")
    warning = backup.older_than_sent(made, commune.path)
    assert warning and "tỉnh sẽ từ chối gói tiếp theo" in warning
    province.close()
    commune.close()
