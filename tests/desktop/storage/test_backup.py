"""Backups (issue #17, item 8): written whole and checked, encrypted to the register's key, rotated,
restored by a leader or the administrator from the CLI; a full disk leaves nothing that could pass
for a register, and a damaged or forged file changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.security import accounts, backups, files
from desktop.storage import backup
from desktop.storage.db import open_database
from desktop.workflow.demo import DEMO_PASSWORD, build_demo
from desktop.workflow.verify import verify_register

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("mau") / "so.sqlite"
    db = open_database(path)
    build_demo(db, cases=30, today=TODAY)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def register(tmp_path, demo_template):
    """The demo register (an administrator "quantri", a leader "chutich", a reception clerk
    "vanthu", a handling officer "thuly", all with ``DEMO_PASSWORD``)."""
    path = tmp_path / "so.sqlite"
    path.write_bytes(demo_template.read_bytes())
    return path


def backups_in(folder: Path) -> list[Path]:
    """The files of a backup folder but its note of the last backup's mark (``backup.MARK_SUFFIX``)."""
    return [p for p in Path(folder).iterdir() if p.suffix != backup.MARK_SUFFIX]


def opener_for(register: Path, login: str, made: Path):
    """What the window and the CLI do: log in on the register, get the sealer that may restore."""
    db = open_database(register, create=False)
    try:
        accounts.login_user(db, login, DEMO_PASSWORD)
        return backups.opener(db, made)
    finally:
        db.close()


def test_a_backup_is_checked_then_named_and_restores(register, tmp_path):
    folder = tmp_path / "sao-luu"
    db = open_database(register, create=False)
    made = backup.make_backup(db.conn, register, folder, reason="manual")
    cases = db.scalar("SELECT count(*) FROM cases")
    unit_name = db.scalar("SELECT name FROM units WHERE code = (SELECT value FROM settings "
                          "WHERE key = 'local_unit_code')")
    from desktop.security.accounts import assume_role
    from desktop.workflow.receive import CaseInput, PersonInput, receive_case

    assume_role(db, "leader")
    receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Sau sao lưu",
                               requesters=[PersonInput("Người sau sao lưu")]), today=TODAY)
    db.close()
    assert [b.path for b in backup.list_backups(folder, "so")] == [made]
    assert not list(folder.glob("*.partial")) and not list(folder.glob("*.check"))
    # Encrypted at rest: nothing of the register is readable in the file.
    data = made.read_bytes()
    assert made.suffix == ".gtbk" and backup.list_backups(folder, "so")[0].sealed
    assert data.startswith(files.MAGIC) and backup.SQLITE_MAGIC not in data
    assert unit_name.encode("utf-8") not in data and b"CREATE TABLE" not in data
    with pytest.raises(UserError) as err:      # nobody logged in: refused, nothing changed
        backup.restore(made, register, folder=folder)
    assert err.value.code == "backup_sealed"
    safety = backup.restore(made, register, sealer=opener_for(register, "chutich", made), folder=folder)
    assert safety is not None and safety.exists() and "before-restore" in safety.name
    assert files.is_encrypted(safety)          # the safety copy too
    if os.name == "posix":                     # and every file written is its owner's only
        assert {oct(p.stat().st_mode & 0o777) for p in (made, safety, register)} == {"0o600"}
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
@pytest.mark.parametrize("where", ["copying", "encrypting"])
def test_a_full_disk_leaves_no_backup_that_could_pass(register, tmp_path, where):
    folder = tmp_path / "usb"
    folder.mkdir()
    db = open_database(register, create=False)
    older = backup.make_backup(db.conn, register, folder, reason="daily", now=datetime(2026, 11, 22, 8, 0))
    plain = backup.make_backup(db.conn, register, tmp_path / "plain", sealer=None)
    db.close()
    before = older.read_bytes()
    # The disk fills while the clear copy is written and checked, or once it passed its check,
    # while the encrypted file is written (a per-file limit just above the clear copy's size).
    limit = register.stat().st_size // 3 if where == "copying" else plain.stat().st_size + 64
    # The child is the test's own harness printing the message it caught, not the CLI: it writes
    # UTF-8 whatever code page the Windows-like pass gives children.
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    out = subprocess.run([sys.executable, "-c", FULL_DISK, str(register), str(folder), str(limit)], cwd=ROOT,
                         capture_output=True, text=True, encoding="utf-8", timeout=120, env=env)
    assert out.stdout.startswith("backup_failed") and "đầy" in out.stdout, (out.stdout, out.stderr)
    assert backups_in(folder) == [older], "a partial backup was left behind"
    assert older.read_bytes() == before
    db = open_database(register, create=False)
    try:
        assert verify_register(db).ok
    finally:
        db.close()
    backup.restore(older, register, sealer=opener_for(register, "quantri", older), folder=tmp_path / "safety")


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


def _forge(kind: str, made: Path, register: Path, tmp_path: Path) -> None:
    """Damage or forge the encrypted backup ``made`` in place, the way a bad disk or a person would."""
    data = bytearray(made.read_bytes())
    header, header_bytes = files.header_of(made), None
    with open(made, "rb") as fh:
        header_bytes = files.read_header(fh)[1]
    body = len(files.MAGIC) + 4 + len(header_bytes) + 8
    if kind == "flipped byte":
        data[body + 1000] ^= 0x01
    elif kind == "truncated":
        data = data[: len(data) // 2]
    elif kind == "cut to the header":
        data = data[:body]
    elif kind == "header edited":          # a login added to the wraps: the header no longer matches
        edited = json.loads(header_bytes)
        edited["wraps"].append(dict(edited["wraps"][0], login="ke-gia-mao"))
        new = json.dumps(edited, sort_keys=True).encode()
        data = bytearray(files.MAGIC + len(new).to_bytes(4, "big") + new) + data[body - 8:]
    elif kind == "header garbage":
        data[len(files.MAGIC) + 6] = ord("{")
    elif kind == "random bytes":
        data = bytearray(os.urandom(4096))
    elif kind == "another unit's register":
        # A whole, valid register of another unit, encrypted to this register's own key: decrypts,
        # but is not this register.
        plain = tmp_path / "khac.sqlite"
        files.decrypt_file(made, plain, "quantri", DEMO_PASSWORD)
        conn = __import__("sqlite3").connect(plain)
        conn.execute("UPDATE settings SET value = '99999' WHERE key = 'local_unit_code'")
        conn.commit()
        conn.close()
        db = open_database(register, create=False)
        public, wraps = files.key_material(db)
        db.close()
        files.encrypt_for(public, wraps, plain, made)
        return
    made.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["flipped byte", "truncated", "cut to the header", "header edited",
                                  "header garbage", "random bytes", "another unit's register"])
def test_a_damaged_or_forged_backup_is_refused_and_changes_nothing(register, tmp_path, kind):
    folder = tmp_path / "usb"
    db = open_database(register, create=False)
    made = backup.make_backup(db.conn, register, folder)
    db.close()
    _forge(kind, made, register, tmp_path)
    sealer = opener_for(register, "quantri", made)   # the administrator logged in (the login is logged)
    before = register.read_bytes()
    with pytest.raises(UserError) as err:
        backup.restore(made, register, sealer=sealer, folder=folder)
    expected = "backup_other_unit" if kind == "another unit's register" else "backup_damaged"
    assert err.value.code == expected, err.value.message
    assert ("đơn vị" if kind == "another unit's register" else "bị hỏng") in err.value.message
    assert register.read_bytes() == before
    assert sorted(p.name for p in backups_in(folder)) == [made.name], "a safety copy or a temporary file was left"
    assert not list(tmp_path.glob("*.restoring*"))


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


def _cli(*args: str, user: str | None = None, password: str = DEMO_PASSWORD) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GIAITRINH_USER", "GIAITRINH_PASSWORD")}
    env.update(PYTHONPATH=str(ROOT), GIAITRINH_PASSWORD=password)
    if user:
        env["GIAITRINH_USER"] = user
    return subprocess.run([sys.executable, "-m", "desktop.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120, stdin=subprocess.DEVNULL)


def test_the_backup_cli_logs_in(register, tmp_path):
    folder = str(tmp_path / "usb")
    for command in (["list"], ["make"]):
        out = _cli("backup", *command, "--db", str(register), "--folder", folder)
        assert out.returncode == 1 and "--user" in out.stderr, out.stderr
    wrong = _cli("backup", "make", "--db", str(register), "--folder", folder, user="vanthu", password="sai mật khẩu")
    assert wrong.returncode == 1 and "không đúng" in wrong.stderr
    made = json.loads(_cli("backup", "make", "--db", str(register), "--folder", folder, "--json", user="vanthu").stdout)
    assert made["sealed"] and made["file"].endswith(".gtbk")
    for login in ("vanthu", "thuly"):  # a reception clerk and a handling officer may back up, never restore
        out = _cli("backup", "restore", made["file"], "--db", str(register), "--folder", folder, "--yes", user=login)
        assert out.returncode == 1 and "không được khôi phục" in out.stderr, out.stderr
    assert [p.name for p in backups_in(folder)] == [Path(made["file"]).name]  # no safety copy: nothing began


def test_restore_drill_from_the_cli(register, tmp_path):
    folder = tmp_path / "usb"
    made = json.loads(_cli("backup", "make", "--db", str(register), "--folder", str(folder), "--json",
                           user="vanthu").stdout)
    listed = json.loads(_cli("backup", "list", "--db", str(register), "--folder", str(folder), "--json",
                             user="thuly").stdout)
    assert [b["file"] for b in listed] == [made["file"]] and listed[0]["sealed"]
    db = open_database(register, create=False)
    cases = db.scalar("SELECT count(*) FROM cases")
    db.close()
    register.write_bytes(b"")  # the register is lost (a zero-byte file)
    refused = _cli("verify", "--db", str(register))
    assert refused.returncode == 1 and "0 byte" in refused.stderr
    # Nobody to log in on: the person proves the right against the backup itself.
    nobody = _cli("backup", "restore", made["file"], "--db", str(register), "--folder", str(folder), "--yes")
    assert nobody.returncode == 1 and "--user" in nobody.stderr
    clerk = _cli("backup", "restore", made["file"], "--db", str(register), "--folder", str(folder), "--yes",
                 user="vanthu")
    assert clerk.returncode == 1 and "không giữ khóa" in clerk.stderr
    wrong = _cli("backup", "restore", made["file"], "--db", str(register), "--folder", str(folder), "--yes",
                 user="chutich", password="mật khẩu khác hẳn")
    assert wrong.returncode == 1 and "không mở được" in wrong.stderr
    assert register.read_bytes() == b""
    asked = _cli("backup", "restore", made["file"], "--db", str(register), "--folder", str(folder), user="chutich")
    assert asked.returncode == 1 and "--yes" in asked.stderr
    done = _cli("backup", "restore", made["file"], "--db", str(register), "--folder", str(folder), "--yes", "--json",
                user="chutich")
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
    made = backup.make_backup(commune.conn, commune.path, tmp_path / "usb", sealer=None)
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


def test_the_copy_taken_before_a_migration_is_encrypted_too(register, tmp_path):
    conn = __import__("sqlite3").connect(register)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0015_search_terms'")  # idempotent: made pending
    conn.commit()
    conn.close()
    db = open_database(register, create=False)
    db.close()
    copies = backups_in(register.parent / "backups")
    assert len(copies) == 1 and copies[0].name.endswith("-before-0015_search_terms.gtbk"), copies
    assert files.is_encrypted(copies[0])
    backup.restore(copies[0], register, sealer=opener_for(register, "quantri", copies[0]), folder=tmp_path / "s")


def test_an_automatic_backup_is_skipped_while_the_register_is_unchanged(register, tmp_path):
    """Closing the window after only reading must not copy a province's register (minutes at a
    million cases) again: the register's mark tells whether anything changed since its newest backup."""
    from desktop.security.accounts import assume_role
    from desktop.workflow.receive import CaseInput, PersonInput, receive_case

    folder = tmp_path / "sao-luu"
    db = open_database(register, create=False)
    try:
        assert backup.unchanged_since(db.conn, register, folder) is None          # no backup yet
        made = backup.make_backup(db.conn, register, folder, reason="close", now=datetime(2026, 11, 23, 8))
        assert backup.unchanged_since(db.conn, register, folder) == made
        db.scalar("SELECT count(*) FROM cases")                                   # reading changes nothing
        assert backup.unchanged_since(db.conn, register, folder) == made

        assume_role(db, "leader")                                                  # a case received
        receive_case(db, CaseInput(kind="petition", received_on=date(2026, 3, 2), summary="Sau sao lưu",
                                   requesters=[PersonInput("Người sau sao lưu")]), today=TODAY)
        assert backup.unchanged_since(db.conn, register, folder) is None
        made = backup.make_backup(db.conn, register, folder, reason="close", now=datetime(2026, 11, 23, 9))
        assert backup.unchanged_since(db.conn, register, folder) == made

        with db.write():                                                           # an edit of a record
            db.execute("UPDATE cases SET summary = summary || '.' WHERE id = (SELECT min(id) FROM cases)")
        assert backup.unchanged_since(db.conn, register, folder) is None
        made = backup.make_backup(db.conn, register, folder, reason="close", now=datetime(2026, 11, 23, 10))

        db.set_setting("backup_folder", str(folder))                               # a setting
        assert backup.unchanged_since(db.conn, register, folder) is None
        made = backup.make_backup(db.conn, register, folder, reason="daily", now=datetime(2026, 11, 23, 11))
        assert backup.unchanged_since(db.conn, register, folder) == made

        if os.name == "posix":                             # the note too is its owner's only
            assert oct((folder / f"so{backup.MARK_SUFFIX}").stat().st_mode & 0o777) == "0o600"
        made.unlink()                                      # the backup it names is gone: copy again
        assert backup.unchanged_since(db.conn, register, folder) is None
    finally:
        db.close()
